// Port of Appwrite 1.8.1's `tests/e2e/Services/Databases/TablesDB/Transactions/PermissionsBase.php`
// (the trait of PermissionsCustomClientTest) and of its 1.9.6 successor `…/Databases/Transactions/
// TransactionPermissionsBase.php`, which both APIs run: which operations a user may stage (the
// table's and the row's permissions, the roles a user may grant) and that one user's
// transactions are invisible to another. The original's `setUp` makes a database before every
// method; each port does the same, its assertion counted with the method's. Other users sign in
// with a JWT where the original uses a session cookie. Written in the collections API's names,
// it runs as the TablesDB original through the dialect layer (`tablesdb-dialect.mjs`).

import { ID, Permission, Role } from 'node-appwrite';
import { def } from './harness.mjs';

const any = (...kinds) => kinds.map((kind) => Permission[kind](Role.any()));

async function setUp(t) {
  const database = await t.server('POST', '/databases', { databaseId: ID.unique(), name: 'PermissionsTestDB' });
  t.eq(database.status, 201);
  return database.body.$id;
}

/** `setUp`, then a table with a required `title`, the worker waited for. */
async function titled(t, tableId, permissions, rowSecurity) {
  const databaseId = await setUp(t);
  const table = await t.server('POST', `/databases/${databaseId}/collections`, { collectionId: tableId, name: `Permission Test ${tableId.replace('permTest', '')}`, permissions, documentSecurity: rowSecurity });
  t.eq(table.status, 201);
  const column = await t.server('POST', `/databases/${databaseId}/collections/${tableId}/attributes/string`, { key: 'title', size: 255, required: true });
  t.eq(column.status, 202);
  await t.settle();
  return { databaseId, tableId, rows: `/databases/${databaseId}/collections/${tableId}/documents` };
}

const begin = async (t, headers = t.headers) => {
  const transaction = await t.call('POST', '/databases/transactions', {}, headers);
  t.eq(transaction.status, 201);
  return transaction.body.$id;
};
const stage = (t, id, operation, headers = t.headers) => t.call('POST', `/databases/transactions/${id}/operations`, {
  operations: [{ databaseId: operation.databaseId, collectionId: operation.tableId, action: operation.action, documentId: operation.rowId, data: operation.data }],
}, headers);

/** One operation staged by the user on a table of theirs: the status it gets. */
function staging(name, tableId, permissions, rowSecurity, existing, action, rowId, data, status, extra = () => {}) {
  return def(name, async (t) => {
    const fixture = await titled(t, tableId, permissions, rowSecurity);
    if (existing) t.eq((await t.server('POST', fixture.rows, { documentId: rowId, ...existing })).status, 201);
    const id = await begin(t);
    const staged = await stage(t, id, { ...fixture, action, rowId, data });
    t.eq(staged.status, status, `${action} → ${staged.body?.message}`);
    extra(t, staged);
  });
}

const testCollectionCreatePermissionDenied = staging('testCollectionCreatePermissionDenied', 'permTest1', any('read', 'update', 'delete'), false,
  null, 'create', 'testDoc1', { title: 'Test Document' }, 401);
const testCollectionUpdatePermissionDenied = staging('testCollectionUpdatePermissionDenied', 'permTest2', any('create', 'read', 'delete'), false,
  { data: { title: 'Original Title' } }, 'update', 'testDoc2', { title: 'Updated Title' }, 401);
const testCollectionDeletePermissionDenied = staging('testCollectionDeletePermissionDenied', 'permTest3', any('create', 'read', 'update'), false,
  { data: { title: 'To Be Deleted' } }, 'delete', 'testDoc3', {}, 401);
const testDocumentLevelUpdatePermissionGranted = staging('testDocumentLevelUpdatePermissionGranted', 'permTest4', any('read', 'create'), true,
  { data: { title: 'Protected Document' }, permissions: any('read', 'update') }, 'update', 'testDoc4', { title: 'Trying to Update' }, 201);
const testDocumentLevelDeletePermissionGranted = staging('testDocumentLevelDeletePermissionGranted', 'permTest5', any('create', 'read', 'update'), true,
  { data: { title: 'Can Delete Me' }, permissions: any('read', 'update', 'delete') }, 'delete', 'testDoc5', {}, 201);

const testCannotSetUnauthorizedRolePermissions = def('testCannotSetUnauthorizedRolePermissions', async (t) => {
  const fixture = await titled(t, 'permTest6', any('read', 'create', 'update', 'delete'), true);
  const id = await begin(t);
  const staged = await stage(t, id, {
    ...fixture, action: 'create', rowId: 'testDoc6',
    data: { title: 'Admin Only Doc', $permissions: [Permission.read(Role.any()), Permission.update(Role.team('adminTeam'))] },
  });
  t.eq(staged.status, 401);
  if (t.atLeast('1.9.6')) t.has(staged.body, 'message');
  t.contains(staged.body.message, 'Permissions must be one of');
});

const testSuccessfulStagingWithProperPermissions = def('testSuccessfulStagingWithProperPermissions', async (t) => {
  const fixture = await titled(t, 'permTest7', any('read', 'create', 'update', 'delete'), true);
  const id = await begin(t);
  const staged = await stage(t, id, {
    ...fixture, action: 'create', rowId: 'testDoc7',
    data: { title: 'Valid Document', $permissions: [Permission.read(Role.any()), Permission.update(Role.user(t.user.$id))] },
  });
  t.eq(staged.status, 201);
  t.eq(staged.body.operations, 1);
});

const testCannotUpdateNonExistentDocument = staging('testCannotUpdateNonExistentDocument', 'permTest8', any('read', 'create', 'update', 'delete'), false,
  null, 'update', 'nonExistentDoc', { title: 'Trying to Update' }, 404);
const testCannotDeleteNonExistentDocument = staging('testCannotDeleteNonExistentDocument', 'permTest9', any('read', 'create', 'update', 'delete'), false,
  null, 'delete', 'nonExistentDoc', {}, 404);

const testCanUpdateDocumentCreatedInPreviousBatch = def('testCanUpdateDocumentCreatedInPreviousBatch', async (t) => {
  const fixture = await titled(t, 'permTest10', any('read', 'create', 'update', 'delete'), false);
  const id = await begin(t);
  const batches = [['create', { title: 'Initial Title' }], ['update', { title: 'Updated Title' }], ['delete', {}]];
  for (const [i, [action, data]] of batches.entries()) {
    const staged = await stage(t, id, { ...fixture, action, rowId: 'crossBatchDoc', data });
    t.eq(staged.status, 201, action);
    t.eq(staged.body.operations, i + 1);
  }
  t.eq((await t.side('PATCH', `/databases/transactions/${id}`, { rollback: true })).status, 200);
});

/** Two fresh users, as `getUser(true)` makes them. */
const twoUsers = async (t) => [await t.otherUser(ID.unique()), await t.otherUser(ID.unique())];

const testUserCannotReadAnotherUsersTransaction = def('testUserCannotReadAnotherUsersTransaction', async (t) => {
  await setUp(t);
  const [user1, user2] = await twoUsers(t);
  const id = await begin(t, user1);
  t.eq((await t.call('GET', `/databases/transactions/${id}`, {}, user2)).status, 404);
  const own = await t.call('GET', `/databases/transactions/${id}`, {}, user1);
  t.eq(own.status, 200);
  t.eq(own.body.$id, id);
});

const testUserCannotListAnotherUsersTransactions = def('testUserCannotListAnotherUsersTransactions', async (t) => {
  await setUp(t);
  const [user1, user2] = await twoUsers(t);
  const first = await begin(t, user1);
  const second = await begin(t, user1);
  const third = await begin(t, user2);
  const listed2 = await t.call('GET', '/databases/transactions', {}, user2);
  t.eq(listed2.status, 200);
  t.eq(listed2.body.total, 1);
  t.eq(listed2.body.transactions?.[0]?.$id, third);
  const listed1 = await t.call('GET', '/databases/transactions', {}, user1);
  t.eq(listed1.status, 200);
  t.eq(listed1.body.total, 2);
  const ids = (listed2.body.transactions ?? []).map((x) => x.$id);
  t.notContains(ids, first);
  t.notContains(ids, second);
});

const testUserCannotUpdateAnotherUsersTransaction = def('testUserCannotUpdateAnotherUsersTransaction', async (t) => {
  await setUp(t);
  const [user1, user2] = await twoUsers(t);
  const id = await begin(t, user1);
  t.eq((await t.call('PATCH', `/databases/transactions/${id}`, { commit: true }, user2)).status, 404);
  t.eq((await t.call('PATCH', `/databases/transactions/${id}`, { rollback: true }, user2)).status, 404);
  t.eq((await t.call('PATCH', `/databases/transactions/${id}`, { commit: true }, user1)).status, 200);
});

const testUserCannotDeleteAnotherUsersTransaction = def('testUserCannotDeleteAnotherUsersTransaction', async (t) => {
  await setUp(t);
  const [user1, user2] = await twoUsers(t);
  const id = await begin(t, user1);
  t.eq((await t.call('DELETE', `/databases/transactions/${id}`, {}, user2)).status, 404);
  t.eq((await t.call('GET', `/databases/transactions/${id}`, {}, user1)).status, 200);
  t.eq((await t.call('DELETE', `/databases/transactions/${id}`, {}, user1)).status, 204);
});

const testUserCannotAddOperationsToAnotherUsersTransaction = def('testUserCannotAddOperationsToAnotherUsersTransaction', async (t) => {
  const fixture = await titled(t, 'permTest11', any('read', 'create', 'update', 'delete'), false);
  const [user1, user2] = await twoUsers(t);
  const id = await begin(t, user1);
  const attempt = await stage(t, id, { ...fixture, action: 'create', rowId: 'maliciousDoc', data: { title: 'Malicious Document' } }, user2);
  t.eq(attempt.status, 404);
  const own = await stage(t, id, { ...fixture, action: 'create', rowId: 'legitimateDoc', data: { title: 'Legitimate Document' } }, user1);
  t.eq(own.status, 201);
  t.eq(own.body.operations, 1);
});

const testAuthenticatedUserCanListTheirOwnTransactions = def('testAuthenticatedUserCanListTheirOwnTransactions', async (t) => {
  await setUp(t);
  const ids = [];
  for (let i = 0; i < 3; i++) {
    const transaction = await t.side('POST', '/databases/transactions');
    t.eq(transaction.status, 201);
    t.notEmpty(transaction.body.$id);
    ids.push(transaction.body.$id);
  }
  const list = await t.side('GET', '/databases/transactions');
  t.eq(list.status, 200);
  t.ok(list.body.total >= 3, `total ${list.body.total} ≥ 3`);
  t.isType(list.body.transactions, 'array');
  t.ok((list.body.transactions ?? []).length >= 3, 'at least three listed');
  const listed = (list.body.transactions ?? []).map((x) => x.$id);
  for (const id of ids) t.contains(listed, id);
  for (const transaction of list.body.transactions ?? []) {
    for (const key of ['$id', '$createdAt', '$updatedAt', 'status', 'operations']) t.has(transaction, key);
  }
});

const testAuthenticatedUserCanDeleteTheirOwnTransaction = def('testAuthenticatedUserCanDeleteTheirOwnTransaction', async (t) => {
  await setUp(t);
  const id = await begin(t);
  const read = await t.side('GET', `/databases/transactions/${id}`);
  t.eq(read.status, 200);
  t.eq(read.body.$id, id);
  t.eq((await t.side('DELETE', `/databases/transactions/${id}`)).status, 204);
  t.eq((await t.side('GET', `/databases/transactions/${id}`)).status, 404);
  const second = await begin(t);
  t.eq((await t.side('DELETE', `/databases/transactions/${second}`)).status, 204);
});

export const methods = [
  testCollectionCreatePermissionDenied, testCollectionUpdatePermissionDenied, testCollectionDeletePermissionDenied,
  testDocumentLevelUpdatePermissionGranted, testDocumentLevelDeletePermissionGranted, testCannotSetUnauthorizedRolePermissions,
  testSuccessfulStagingWithProperPermissions, testCannotUpdateNonExistentDocument, testCannotDeleteNonExistentDocument,
  testCanUpdateDocumentCreatedInPreviousBatch, testUserCannotReadAnotherUsersTransaction, testUserCannotListAnotherUsersTransactions,
  testUserCannotUpdateAnotherUsersTransaction, testUserCannotDeleteAnotherUsersTransaction,
  testUserCannotAddOperationsToAnotherUsersTransaction, testAuthenticatedUserCanListTheirOwnTransactions,
  testAuthenticatedUserCanDeleteTheirOwnTransaction,
];
