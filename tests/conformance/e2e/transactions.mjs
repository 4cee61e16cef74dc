// Port of Appwrite 1.8.1 `tests/e2e/Services/Databases/Legacy/Transactions/TransactionsBase.php`
// (the trait of TransactionsCustomServerTest and TransactionsCustomClientTest), whole. `t.side` is
// the class's own caller (the key, or a user), as `getHeaders()` is there; the key's calls are
// the key's.

import { ID, Permission, Query, Role } from 'node-appwrite';
import { def, sleep } from './harness.mjs';
import { moreRefusedOperations } from './tablesdb-transactions.mjs';

const everyone = [Permission.create, Permission.read, Permission.update, Permission.delete].map((p) => p(Role.any()));

async function database(t, name) {
  const created = await t.server('POST', '/databases', { databaseId: ID.unique(), name });
  t.eq(created.status, 201);
  return created.body.$id;
}

async function collection(t, db, name, key = 'name') {
  const created = await t.server('POST', `/databases/${db}/collections`, {
    collectionId: ID.unique(), name, documentSecurity: false, permissions: everyone,
  });
  const attribute = await t.server('POST', `/databases/${db}/collections/${created.body.$id}/attributes/string`, { key, size: 256, required: true });
  await t.settle();
  return { created, attribute, col: created.body.$id };
}

const op = (db, col, action, documentId, data) => ({ databaseId: db, collectionId: col, action, documentId, data });

const testCreate = def('testCreate', async (t) => {
  await database(t, 'TransactionTestDatabase');
  let response = await t.side('POST', '/databases/transactions');
  t.eq(response.status, 201);
  for (const key of ['$id', 'status', 'operations', 'expiresAt']) t.has(response.body, key);
  t.eq(response.body.status, 'pending');
  t.eq(response.body.operations, 0);

  response = await t.side('POST', '/databases/transactions', { ttl: 900 });
  t.eq(response.status, 201);
  t.eq(response.body.status, 'pending');
  const seconds = (Date.parse(response.body.expiresAt) - Date.now()) / 1000;
  t.ok(seconds > 800, `expires in ${seconds} s`);
  t.ok(seconds < 1000, `expires in ${seconds} s`);

  t.eq((await t.side('POST', '/databases/transactions', { ttl: 30 })).status, 400, 'below the minimum');
  t.eq((await t.side('POST', '/databases/transactions', { ttl: 4000 })).status, 400, 'above the maximum');
});

const testCreateOperations = def('testCreateOperations', async (t) => {
  const db = await database(t, 'TransactionOperationsTestDB');
  const transaction = await t.side('POST', '/databases/transactions');
  t.eq(transaction.status, 201);
  const id = transaction.body.$id;
  const { created, attribute, col } = await collection(t, db, 'TransactionOperationsTest');
  t.eq(created.status, 201);
  t.eq(attribute.status, 202);
  const path = `/databases/transactions/${id}/operations`;

  let response = await t.server('POST', path, { operations: [
    op(db, col, 'create', 'doc1', { name: 'Test Document 1' }),
    op(db, col, 'create', 'doc2', { name: 'Test Document 2' }),
  ] });
  t.eq(response.status, 201);
  t.eq(response.body.operations, 2);
  response = await t.server('POST', path, { operations: [op(db, col, 'update', 'doc1', { name: 'Updated Document 1' })] });
  t.eq(response.status, 201);
  t.eq(response.body.operations, 3);

  response = await t.server('POST', path, { operations: [op('invalid_database', col, 'create', ID.unique(), { name: 'Test' })] });
  t.eq(response.status, 404, `an unknown database: ${JSON.stringify(response.body)}`);
  response = await t.server('POST', path, { operations: [op(db, 'invalid_collection', 'create', ID.unique(), { name: 'Test' })] });
  t.eq(response.status, 404);
});

const testCommit = def('testCommit', async (t) => {
  const db = await database(t, 'TransactionCommitTestDB');
  const { created, attribute, col } = await collection(t, db, 'TransactionCommitTest');
  t.eq(created.status, 201);
  t.eq(attribute.status, 202);
  const transaction = await t.side('POST', '/databases/transactions');
  t.eq(transaction.status, 201);
  const id = transaction.body.$id;

  const staged = await t.server('POST', `/databases/transactions/${id}/operations`, { operations: [
    op(db, col, 'create', 'doc1', { name: 'Test Document 1' }),
    op(db, col, 'create', 'doc2', { name: 'Test Document 2' }),
    op(db, col, 'update', 'doc1', { name: 'Updated Document 1' }),
  ] });
  t.eq(staged.status, 201);
  t.eq(staged.body.operations, 3);

  const committed = await t.server('PATCH', `/databases/transactions/${id}`, { commit: true });
  t.eq(committed.status, 200);
  t.eq(committed.body.status, 'committed');

  const documents = await t.side('GET', `/databases/${db}/collections/${col}/documents`);
  t.eq(documents.status, 200);
  t.eq(documents.body.total, 2);
  const doc1 = (documents.body.documents ?? []).find((d) => d.$id === 'doc1');
  if (doc1) t.eq(doc1.name, 'Updated Document 1');
  t.ok(doc1 !== undefined, 'doc1 exists with the updated name');

  t.eq((await t.server('PATCH', `/databases/transactions/${id}`, { commit: true })).status, 400, 'committed twice');
});

const testRollback = def('testRollback', async (t) => {
  const db = await database(t, 'TransactionRollbackTestDB');
  const transaction = await t.side('POST', '/databases/transactions');
  t.eq(transaction.status, 201);
  const id = transaction.body.$id;
  const { col } = await collection(t, db, 'TransactionRollbackTest', 'value');

  const staged = await t.server('POST', `/databases/transactions/${id}/operations`, { operations: [
    op(db, col, 'create', 'rollback_doc', { value: 'Should not exist' }),
  ] });
  t.eq(staged.status, 201);
  const rolledBack = await t.server('PATCH', `/databases/transactions/${id}`, { rollback: true });
  t.eq(rolledBack.status, 200);
  t.eq(rolledBack.body.status, 'failed');

  const documents = await t.side('GET', `/databases/${db}/collections/${col}/documents`);
  t.eq(documents.status, 200);
  t.eq(documents.body.total, 0);
});

const testCommitRollbackValidation = def('testCommitRollbackValidation', async (t) => {
  const transaction = await t.side('POST', '/databases/transactions');
  t.eq(transaction.status, 201);
  const id = transaction.body.$id;
  const path = `/databases/transactions/${id}`;
  t.eq((await t.server('PATCH', path, {})).status, 400, 'neither commit nor rollback');
  t.eq((await t.server('PATCH', path, { commit: true, rollback: true })).status, 400, 'both');
  t.eq((await t.server('PATCH', '/databases/transactions/invalid_id', { commit: true })).status, 404);
  t.eq((await t.server('PATCH', path, { commit: true })).status, 200, 'an empty transaction commits');
  t.eq((await t.server('PATCH', path, { commit: true })).status, 400, 'committed twice');
});

const testNonExistentResources = def('testNonExistentResources', async (t) => {
  const db = await database(t, 'ResourceTestDatabase');
  const transaction = await t.side('POST', '/databases/transactions');
  t.eq(transaction.status, 201);
  const path = `/databases/transactions/${transaction.body.$id}/operations`;
  const create = (databaseId, collectionId) => ({ action: 'create', databaseId, collectionId, documentId: ID.unique(), data: { name: 'Test' } });
  t.eq((await t.server('POST', path, { operations: [create('nonExistentDatabase', 'someCollection')] })).status, 404);
  t.eq((await t.server('POST', path, { operations: [create(db, 'nonExistentCollection')] })).status, 404);
});


/** A collection only `any` may create in, with one optional string attribute `key`. */
async function createOnly(t, name, key, permissions = [Permission.create(Role.any())]) {
  const db = (await t.server('POST', '/databases', { databaseId: ID.unique(), name })).body.$id;
  const col = (await t.server('POST', `/databases/${db}/collections`, { collectionId: ID.unique(), name: 'TestCollection', permissions })).body.$id;
  await t.server('POST', `/databases/${db}/collections/${col}/attributes/string`, { key, size: 256, required: false });
  await t.settle();
  return { db, col };
}

const testTransactionSizeLimit = def('testTransactionSizeLimit', async (t) => {
  const { db, col } = await createOnly(t, 'SizeLimitTestDB', 'value');
  const id = (await t.side('POST', '/databases/transactions')).body.$id;
  const path = `/databases/transactions/${id}/operations`;
  const batch = (from, to) => Array.from({ length: to - from }, (_, i) => op(db, col, 'create', `doc_${from + i}`, { value: `Test ${from + i}` }));
  let response = await t.server('POST', path, { operations: batch(0, 50) });
  t.eq(response.status, 201);
  t.eq(response.body.operations, 50);
  response = await t.server('POST', path, { operations: batch(50, 100) });
  t.eq(response.status, 201);
  t.eq(response.body.operations, 100);
  response = await t.server('POST', path, { operations: [op(db, col, 'create', 'doc_overflow', { value: 'This should fail' })] });
  t.eq(response.status, 400, 'past the limit');
});

const testDoubleCommitRollback = def('testDoubleCommitRollback', async (t) => {
  const { db, col } = await createOnly(t, 'DoubleCommitDB', 'data');
  const id = (await t.side('POST', '/databases/transactions')).body.$id;
  await t.server('POST', `/databases/transactions/${id}/operations`, { operations: [op(db, col, 'create', ID.unique(), { data: 'Test' })] });
  t.eq((await t.server('PATCH', `/databases/transactions/${id}`, { commit: true })).status, 200);
  t.eq((await t.server('PATCH', `/databases/transactions/${id}`, { commit: true })).status, 400, 'already committed');
  const id2 = (await t.side('POST', '/databases/transactions')).body.$id;
  t.eq((await t.server('PATCH', `/databases/transactions/${id2}`, { rollback: true })).status, 200);
  t.eq((await t.server('PATCH', `/databases/transactions/${id2}`, { rollback: true })).status, 400, 'already rolled back');
});

const testOperationsOnNonExistentDocuments = def('testOperationsOnNonExistentDocuments', async (t) => {
  const anyWriter = [Permission.create(Role.any()), Permission.update(Role.any()), Permission.delete(Role.any())];
  const { db, col } = await createOnly(t, 'NonExistentDocDB', 'data', anyWriter);
  for (const [action, data] of [['update', { data: 'Should fail' }], ['delete', []]]) {
    const id = (await t.side('POST', '/databases/transactions')).body.$id;
    const response = await t.server('POST', `/databases/transactions/${id}/operations`, { operations: [op(db, col, action, 'non_existent_doc', data)] });
    t.eq(response.status, 404, `${action} of a missing document at staging time`);
  }
});

/** A collection anyone may write, with `attributes` as `[type, body]` pairs; checks each is accepted. */
async function writable(t, name, attributes) {
  const db = (await t.server('POST', '/databases', { databaseId: ID.unique(), name })).body.$id;
  const col = (await t.server('POST', `/databases/${db}/collections`, { collectionId: ID.unique(), name: 'TestCollection', documentSecurity: false, permissions: everyone })).body.$id;
  const statuses = [];
  for (const [type, body] of attributes) {
    statuses.push((await t.server('POST', `/databases/${db}/collections/${col}/attributes/${type}`, body)).status);
  }
  await t.settle();
  return { db, col, path: `/databases/${db}/collections/${col}/documents`, statuses };
}

const name = ['string', { key: 'name', size: 256, required: true }];
const counter = ['integer', { key: 'counter', required: false, min: 0, max: 10000 }];
const category = ['string', { key: 'category', size: 256, required: false }];

const testCreateDocument = def('testCreateDocument', async (t) => {
  const data = ['string', { key: 'data', size: 256, required: false }];
  const { path, statuses } = await writable(t, 'WriteRoutesTestDB', [name, counter, category, data]);
  for (const status of statuses) t.eq(status, 202);
  const transaction = await t.side('POST', '/databases/transactions');
  t.eq(transaction.status, 201);
  const transactionId = transaction.body.$id;
  const created = await t.server('POST', path, {
    documentId: 'doc_from_route', data: { name: 'Created via normal route', counter: 100, category: 'test' }, transactionId,
  });
  t.eq(created.status, 201);
  t.eq((await t.side('GET', `${path}/doc_from_route`)).status, 404, 'not there before the commit');
  t.eq((await t.server('PATCH', `/databases/transactions/${transactionId}`, { commit: true })).status, 200);
  const read = await t.side('GET', `${path}/doc_from_route`);
  t.eq(read.status, 200);
  t.eq(read.body.name, 'Created via normal route');
});

const testUpdateDocument = def('testUpdateDocument', async (t) => {
  const { path } = await writable(t, 'UpdateRouteTestDB', [name, counter, category]);
  const doc = await t.server('POST', path, { documentId: 'doc_to_update', data: { name: 'Original name', counter: 50, category: 'original' } });
  t.eq(doc.status, 201);
  const transactionId = (await t.side('POST', '/databases/transactions')).body.$id;
  const updated = await t.server('PATCH', `${path}/doc_to_update`, {
    data: { name: 'Updated via normal route', counter: 150, category: 'updated' }, transactionId,
  });
  t.eq(updated.status, 200);
  let read = await t.side('GET', `${path}/doc_to_update`);
  t.eq(read.body.name, 'Original name');
  t.eq(read.body.counter, 50);
  t.eq((await t.server('PATCH', `/databases/transactions/${transactionId}`, { commit: true })).status, 200);
  read = await t.side('GET', `${path}/doc_to_update`);
  t.eq(read.body.name, 'Updated via normal route');
  t.eq(read.body.counter, 150);
});

const testUpsertDocument = def('testUpsertDocument', async (t) => {
  const { path } = await writable(t, 'UpsertRouteTestDB', [name, counter]);
  const transactionId = (await t.side('POST', '/databases/transactions')).body.$id;
  let response = await t.server('PUT', `${path}/doc_upsert`, { documentId: 'doc_upsert', data: { name: 'Created by upsert', counter: 25 }, transactionId });
  t.eq(response.status, 201);
  t.eq((await t.side('GET', `${path}/doc_upsert`)).status, 404, 'not there before the commit');
  response = await t.server('PUT', `${path}/doc_upsert`, { documentId: 'doc_upsert', data: { name: 'Updated by upsert', counter: 75 }, transactionId });
  t.eq(response.status, 201, 'an upsert in a transaction answers 201');
  t.eq((await t.server('PATCH', `/databases/transactions/${transactionId}`, { commit: true })).status, 200);
  const read = await t.side('GET', `${path}/doc_upsert`);
  t.eq(read.status, 200);
  t.eq(read.body.name, 'Updated by upsert');
  t.eq(read.body.counter, 75);
});

const testDeleteDocument = def('testDeleteDocument', async (t) => {
  const { path } = await writable(t, 'DeleteRouteTestDB', [name]);
  const doc = await t.server('POST', path, { documentId: 'doc_to_delete', data: { name: 'Will be deleted' } });
  t.eq(doc.status, 201);
  const transactionId = (await t.side('POST', '/databases/transactions')).body.$id;
  t.eq((await t.server('DELETE', `${path}/doc_to_delete`, { transactionId })).status, 204);
  t.eq((await t.side('GET', `${path}/doc_to_delete`)).status, 200, 'still there before the commit');
  t.eq((await t.server('PATCH', `/databases/transactions/${transactionId}`, { commit: true })).status, 200);
  t.eq((await t.side('GET', `${path}/doc_to_delete`)).status, 404);
});

const testConcurrentTransactionConflicts = def('testConcurrentTransactionConflicts', async (t) => {
  const { db, col, path, statuses } = await writable(t, 'ConflictTestDB', [['integer', { key: 'counter', required: true, min: 0, max: 1000000 }]]);
  if (t.atLeast('1.9.6')) t.eq(statuses[0], 202, 'the counter attribute (checked from 1.9.6)');
  t.eq((await t.server('POST', path, { documentId: 'shared_doc', data: { counter: 100 } })).status, 201);
  const id1 = (await t.side('POST', '/databases/transactions')).body.$id;
  const id2 = (await t.side('POST', '/databases/transactions')).body.$id;
  await t.server('POST', `/databases/transactions/${id1}/operations`, { operations: [op(db, col, 'update', 'shared_doc', { counter: 200 })] });
  await t.server('POST', `/databases/transactions/${id2}/operations`, { operations: [op(db, col, 'update', 'shared_doc', { counter: 300 })] });
  // Times have milliseconds, as Appwrite's: the first commit must come after the second staging.
  await sleep(2);
  t.eq((await t.server('PATCH', `/databases/transactions/${id1}`, { commit: true })).status, 200);
  const second = await t.server('PATCH', `/databases/transactions/${id2}`, { commit: true });
  // 1.9.6 accepts a 500 too (a limit of its MongoDB adapter); 1.8.1's classes hold the emulator to 409.
  if (t.atLeast('1.9.6')) t.contains([409, 500], second.status, 'the second commit conflicts');
  else t.eq(second.status, 409, 'the second commit conflicts');
  t.eq((await t.side('GET', `${path}/shared_doc`)).body.counter, 200);
});

const testDeleteDocumentDuringTransaction = def('testDeleteDocumentDuringTransaction', async (t) => {
  const { db, col, path } = await writable(t, 'DeleteConflictDB', [['string', { key: 'data', size: 256, required: false }]]);
  t.eq((await t.server('POST', path, { documentId: 'target_doc', data: { data: 'Original' } })).status, 201);
  const id = (await t.side('POST', '/databases/transactions')).body.$id;
  await t.server('POST', `/databases/transactions/${id}/operations`, { operations: [op(db, col, 'update', 'target_doc', { data: 'Updated in transaction' })] });
  t.eq((await t.server('DELETE', `${path}/target_doc`)).status, 204);
  t.eq((await t.server('PATCH', `/databases/transactions/${id}`, { commit: true })).status, 404, 'the document is gone');
});

const testIncrementDecrementOperations = def('testIncrementDecrementOperations', async (t) => {
  const { db, col, path } = await writable(t, 'IncrementDecrementTestDB', [
    ['integer', { key: 'counter', required: false, default: 0 }],
    ['integer', { key: 'score', required: false, default: 100 }],
  ]);
  t.eq((await t.side('POST', path, { documentId: 'counter_doc', data: { counter: 10, score: 50 } })).status, 201);
  const id = (await t.side('POST', '/databases/transactions')).body.$id;
  const staged = await t.server('POST', `/databases/transactions/${id}/operations`, { operations: [
    op(db, col, 'increment', 'counter_doc', { attribute: 'counter', value: 5 }),
    op(db, col, 'decrement', 'counter_doc', { attribute: 'score', value: 20 }),
    op(db, col, 'increment', 'counter_doc', { attribute: 'counter', value: 3, max: 20 }),
    op(db, col, 'decrement', 'counter_doc', { attribute: 'score', value: 30, min: 0 }),
  ] });
  t.eq(staged.status, 201);
  t.eq((await t.server('PATCH', `/databases/transactions/${id}`, { commit: true })).status, 200);
  const read = await t.side('GET', `${path}/counter_doc`);
  t.eq(read.status, 200);
  t.eq(read.body.counter, 18);
  t.eq(read.body.score, 0);
});

const testIncrementDecrementEndpointsWithTransaction = def('testIncrementDecrementEndpointsWithTransaction', async (t) => {
  const { db, col, path } = await writable(t, 'IncrDecrEndpointTestDB', [['integer', { key: 'balance', required: false, default: 0 }]]);
  await t.side('POST', path, { documentId: 'joe', data: { balance: 100 } });
  await t.side('POST', path, { documentId: 'jane', data: { balance: 50 } });
  const transaction = await t.side('POST', '/databases/transactions');
  t.eq(transaction.status, 201);
  const transactionId = transaction.body.$id;
  for (const [who, direction, body] of [['joe', 'decrement', { value: 50, min: 0 }], ['jane', 'increment', { value: 50 }]]) {
    const response = await t.side('PATCH', `${path}/${who}/balance/${direction}`, { transactionId, ...body });
    t.eq(response.status, 200);
    t.has(response.body, '$collectionId', 'the collections API names the collection');
    t.lacks(response.body, '$tableId');
    t.eq(response.body.$collectionId, col);
    if (t.atLeast('1.9.6')) t.eq(response.body.$databaseId, db);
  }
  t.eq((await t.side('PATCH', `/databases/transactions/${transactionId}`, { commit: true })).status, 200, 'the commit succeeds');
  const joe = await t.side('GET', `${path}/joe`);
  const jane = await t.side('GET', `${path}/jane`);
  t.eq(joe.status, 200);
  t.eq(joe.body.balance, 50);
  t.eq(jane.status, 200);
  t.eq(jane.body.balance, 100);
});

const testBulkOperations = def('testBulkOperations', async (t) => {
  const { db, col, path } = await writable(t, 'BulkOpsDB', [name, ['string', { key: 'category', size: 256, required: true }]]);
  for (let i = 1; i <= 5; i++) await t.server('POST', path, { documentId: `existing_${i}`, data: { name: `Existing ${i}`, category: 'old' } });
  const id = (await t.side('POST', '/databases/transactions')).body.$id;
  const staged = await t.server('POST', `/databases/transactions/${id}/operations`, { operations: [
    { databaseId: db, collectionId: col, action: 'bulkCreate', data: [1, 2, 3].map((n) => ({ $id: `bulk_${n}`, name: `Bulk ${n}`, category: 'new' })) },
    { databaseId: db, collectionId: col, action: 'bulkUpdate', data: { queries: [Query.equal('category', ['old'])], data: { category: 'updated' } } },
    { databaseId: db, collectionId: col, action: 'bulkDelete', data: { queries: [Query.equal('name', ['Existing 5'])] } },
  ] });
  t.eq(staged.status, 201);
  t.eq((await t.server('PATCH', `/databases/transactions/${id}`, { commit: true })).status, 200);
  const documents = await t.side('GET', path);
  t.eq(documents.body.total, 7, '5 existing − 1 deleted + 3 new');
  const count = (category) => (documents.body.documents ?? []).filter((d) => d.category === category).length;
  t.eq(count('old'), 0);
  t.eq(count('updated'), 4);
  t.eq(count('new'), 3);
});

const testPartialFailureRollback = def('testPartialFailureRollback', async (t) => {
  const { db, col, path } = await writable(t, 'PartialFailureDB', [['string', { key: 'email', size: 256, required: true }]]);
  await t.server('POST', `/databases/${db}/collections/${col}/indexes`, { key: 'unique_email', type: 'unique', attributes: ['email'] });
  await t.settle();
  await t.server('POST', path, { documentId: ID.unique(), data: { email: 'existing@example.com' } });
  const id = (await t.side('POST', '/databases/transactions')).body.$id;
  const emails = ['valid1@example.com', 'valid2@example.com', 'existing@example.com', 'valid3@example.com'];
  const staged = await t.server('POST', `/databases/transactions/${id}/operations`, {
    operations: emails.map((email) => op(db, col, 'create', ID.unique(), { email })),
  });
  t.eq(staged.status, 201);
  t.eq((await t.server('PATCH', `/databases/transactions/${id}`, { commit: true })).status, 409, 'the duplicate conflicts');
  const documents = await t.side('GET', path);
  t.eq(documents.body.total, 1, 'only the original');
  t.eq(documents.body.documents?.[0]?.email, 'existing@example.com');
});

const optionalCategory = ['string', { key: 'category', size: 256, required: false }];
const commit = (t, id) => t.server('PATCH', `/databases/transactions/${id}`, { commit: true });
const totalOf = async (t, path, category) => (await t.side('GET', path, { queries: [Query.equal('category', [category])] })).body.total;

const testBulkCreate = def('testBulkCreate', async (t) => {
  const { path } = await writable(t, 'BulkCreateTestDB', [name, optionalCategory]);
  const transactionId = (await t.side('POST', '/databases/transactions')).body.$id;
  const documents = [1, 2, 3].map((i) => ({ $id: `bulk_create_${i}`, name: `Bulk created ${i}`, category: 'bulk_created' }));
  t.eq((await t.server('POST', path, { documents, transactionId })).status, 200, 'a staged bulk answers 200');
  t.eq(await totalOf(t, path, 'bulk_created'), 0);
  t.eq((await t.side('GET', `${path}/bulk_create_1`)).status, 404);
  t.eq((await commit(t, transactionId)).status, 200);
  t.eq(await totalOf(t, path, 'bulk_created'), 3);
  for (let i = 1; i <= 3; i++) {
    const read = await t.side('GET', `${path}/bulk_create_${i}`);
    t.eq(read.status, 200);
    t.eq(read.body.name, `Bulk created ${i}`);
    t.eq(read.body.category, 'bulk_created');
  }
});

const testBulkUpdate = def('testBulkUpdate', async (t) => {
  const { path } = await writable(t, 'BulkUpdateTestDB', [name, optionalCategory]);
  for (let i = 1; i <= 3; i++) await t.server('POST', path, { documentId: `bulk_update_${i}`, data: { name: `Bulk doc ${i}`, category: 'bulk_test' } });
  const transactionId = (await t.side('POST', '/databases/transactions')).body.$id;
  const staged = await t.server('PATCH', path, { queries: [Query.equal('category', ['bulk_test'])], data: { category: 'bulk_updated' }, transactionId });
  t.eq(staged.status, 200);
  t.eq(await totalOf(t, path, 'bulk_test'), 3, 'unchanged before the commit');
  t.eq((await commit(t, transactionId)).status, 200);
  t.eq(await totalOf(t, path, 'bulk_updated'), 3);
});

const testBulkUpsert = def('testBulkUpsert', async (t) => {
  const { path } = await writable(t, 'BulkUpsertTestDB', [name, counter]);
  await t.server('POST', path, { documentId: 'bulk_upsert_existing', data: { name: 'Existing doc', counter: 10 } });
  const transactionId = (await t.side('POST', '/databases/transactions')).body.$id;
  const documents = [
    { $id: 'bulk_upsert_existing', name: 'Updated existing', counter: 20 },
    { $id: 'bulk_upsert_new', name: 'New doc', counter: 30 },
  ];
  t.eq((await t.server('PUT', path, { documents, transactionId })).status, 200);
  let read = await t.side('GET', `${path}/bulk_upsert_existing`);
  t.eq(read.body.name, 'Existing doc');
  t.eq(read.body.counter, 10);
  t.eq((await t.side('GET', `${path}/bulk_upsert_new`)).status, 404);
  t.eq((await commit(t, transactionId)).status, 200);
  read = await t.side('GET', `${path}/bulk_upsert_existing`);
  t.eq(read.body.name, 'Updated existing');
  t.eq(read.body.counter, 20);
  read = await t.side('GET', `${path}/bulk_upsert_new`);
  t.eq(read.body.name, 'New doc');
  t.eq(read.body.counter, 30);
});

const testBulkDelete = def('testBulkDelete', async (t) => {
  const { path } = await writable(t, 'BulkDeleteTestDB', [name, optionalCategory]);
  for (let i = 1; i <= 3; i++) await t.server('POST', path, { documentId: `bulk_delete_${i}`, data: { name: `Delete doc ${i}`, category: 'bulk_delete_test' } });
  const transactionId = (await t.side('POST', '/databases/transactions')).body.$id;
  const staged = await t.server('DELETE', path, { queries: [Query.equal('category', ['bulk_delete_test'])], transactionId });
  t.eq(staged.status, 200, 'a staged bulk delete answers 200');
  t.eq(await totalOf(t, path, 'bulk_delete_test'), 3, 'still there before the commit');
  t.eq((await commit(t, transactionId)).status, 200);
  t.eq(await totalOf(t, path, 'bulk_delete_test'), 0);
});

const bulkOp = (db, col, action, data) => ({ databaseId: db, collectionId: col, action, data });

const testBulkUpdateOperations = def('testBulkUpdateOperations', async (t) => {
  const { db, col, path } = await writable(t, 'BulkUpdateTestDB', [
    ['string', { key: 'status', size: 50, required: false }], ['string', { key: 'category', size: 50, required: false }],
  ]);
  for (let i = 1; i <= 5; i++) await t.side('POST', path, { documentId: `doc_${i}`, data: { status: 'pending', category: i % 2 === 0 ? 'even' : 'odd' } });
  const id = (await t.side('POST', '/databases/transactions')).body.$id;
  const staged = await t.server('POST', `/databases/transactions/${id}/operations`, { operations: [
    bulkOp(db, col, 'bulkUpdate', { queries: [Query.equal('category', ['even'])], data: { status: 'approved' } }),
    bulkOp(db, col, 'bulkUpdate', { queries: [Query.equal('category', ['odd'])], data: { status: 'rejected' } }),
  ] });
  t.eq(staged.status, 201);
  t.eq((await commit(t, id)).status, 200);
  for (const doc of (await t.side('GET', path)).body.documents ?? []) {
    t.eq(doc.status, doc.category === 'even' ? 'approved' : 'rejected', doc.$id);
  }
});

const testBulkUpsertOperations = def('testBulkUpsertOperations', async (t) => {
  const { db, col, path } = await writable(t, 'BulkUpsertTestDB', [
    ['string', { key: 'name', size: 100, required: false }], ['integer', { key: 'value', required: false }],
  ]);
  await t.side('POST', path, { documentId: 'existing_1', data: { name: 'Existing Document 1', value: 10 } });
  await t.side('POST', path, { documentId: 'existing_2', data: { name: 'Existing Document 2', value: 20 } });
  const id = (await t.side('POST', '/databases/transactions')).body.$id;
  const staged = await t.server('POST', `/databases/transactions/${id}/operations`, { operations: [
    bulkOp(db, col, 'bulkUpsert', [
      { $id: 'existing_1', name: 'Updated Document 1', value: 100 },
      { $id: 'new_1', name: 'New Document 1', value: 30 },
      { $id: 'new_2', name: 'New Document 2', value: 40 },
    ]),
  ] });
  t.eq(staged.status, 201);
  t.eq((await commit(t, id)).status, 200);
  const docs = (await t.side('GET', path)).body;
  t.eq(docs.total, 4);
  const byId = Object.fromEntries((docs.documents ?? []).map((d) => [d.$id, d]));
  for (const [doc, name, value] of [
    ['existing_1', 'Updated Document 1', 100], ['existing_2', 'Existing Document 2', 20],
    ['new_1', 'New Document 1', 30], ['new_2', 'New Document 2', 40],
  ]) {
    t.eq(byId[doc]?.name, name);
    t.eq(byId[doc]?.value, value);
  }
});

const testBulkDeleteOperations = def('testBulkDeleteOperations', async (t) => {
  const { db, col, path } = await writable(t, 'BulkDeleteTestDB', [
    ['string', { key: 'type', size: 50, required: false }], ['integer', { key: 'priority', required: false }],
  ]);
  for (let i = 1; i <= 10; i++) await t.side('POST', path, { documentId: `doc_${i}`, data: { type: i <= 5 ? 'temp' : 'permanent', priority: i } });
  const id = (await t.side('POST', '/databases/transactions')).body.$id;
  const staged = await t.server('POST', `/databases/transactions/${id}/operations`, { operations: [
    bulkOp(db, col, 'bulkDelete', { queries: [Query.equal('type', ['temp'])] }),
    bulkOp(db, col, 'bulkDelete', { queries: [Query.greaterThan('priority', 8)] }),
  ] });
  t.eq(staged.status, 201);
  t.eq((await commit(t, id)).status, 200);
  const docs = (await t.side('GET', path)).body;
  t.eq(docs.total, 3);
  t.eq((docs.documents ?? []).map((d) => d.$id).sort(), ['doc_6', 'doc_7', 'doc_8']);
});

const testTransactionExpiration = def('testTransactionExpiration', async (t) => {
  const { db, col } = await writable(t, 'ExpirationTestDB', [['string', { key: 'data', size: 256, required: false }]]);
  const transaction = await t.side('POST', '/databases/transactions', { ttl: 60 });
  t.eq(transaction.status, 201);
  const id = transaction.body.$id;
  const staged = await t.server('POST', `/databases/transactions/${id}/operations`, { operations: [op(db, col, 'create', ID.unique(), { data: 'Should expire' })] });
  t.eq(staged.status, 201);
  const details = await t.server('GET', `/databases/transactions/${id}`);
  t.eq(details.status, 200);
  t.eq(details.body.status, 'pending');
  const seconds = (Date.parse(details.body.expiresAt) - Date.now()) / 1000;
  t.ok(seconds > 55, `expires in ${seconds} s`);
  t.ok(seconds < 65, `expires in ${seconds} s`);
});

const testMixedOperations = def('testMixedOperations', async (t) => {
  const { db, col, path } = await writable(t, 'MixedOpsTestDB', [name]);
  const id = (await t.side('POST', '/databases/transactions')).body.$id;
  const added = await t.server('POST', `/databases/transactions/${id}/operations`, { operations: [op(db, col, 'create', 'mixed_doc1', { name: 'Via Operations Add' })] });
  t.eq(added.status, 201);
  t.eq(added.body.operations, 1);
  t.eq((await t.server('POST', path, { documentId: 'mixed_doc2', data: { name: 'Via normal route' }, transactionId: id })).status, 201);
  t.eq((await t.server('GET', `/databases/transactions/${id}`)).body.operations, 2);
  t.eq((await t.side('GET', `${path}/mixed_doc1`)).status, 404);
  t.eq((await t.side('GET', `${path}/mixed_doc2`)).status, 404);
  t.eq((await commit(t, id)).status, 200);
  let read = await t.side('GET', `${path}/mixed_doc1`);
  t.eq(read.status, 200);
  t.eq(read.body.name, 'Via Operations Add');
  read = await t.side('GET', `${path}/mixed_doc2`);
  t.eq(read.status, 200);
  t.eq(read.body.name, 'Via normal route');
});

const text = (key) => ['string', { key, size: 256, required: true }];

const testBulkUpdateWithTransactionAwareQueries = def('testBulkUpdateWithTransactionAwareQueries', async (t) => {
  const { path } = await writable(t, 'BulkTxnAwareDB', [text('name'), ['integer', { key: 'age', required: true }], text('status')]);
  for (let i = 1; i <= 3; i++) await t.server('POST', path, { documentId: `existing_${i}`, data: { name: `Existing ${i}`, age: 20 + i, status: 'inactive' } });
  const transactionId = (await t.side('POST', '/databases/transactions')).body.$id;
  for (const [n, age] of [[1, 30], [2, 35]]) {
    const created = await t.server('POST', path, { documentId: `txn_doc_${n}`, data: { name: `Transaction Doc ${n}`, age, status: 'inactive' }, transactionId });
    t.eq(created.status, 201);
  }
  t.eq((await t.server('PATCH', path, { data: { status: 'active' }, queries: [Query.greaterThan('age', 25)], transactionId })).status, 200);
  t.eq((await commit(t, transactionId)).status, 200);
  for (const doc of ['txn_doc_1', 'txn_doc_2']) {
    const read = await t.side('GET', `${path}/${doc}`);
    t.eq(read.status, 200);
    t.eq(read.body.status, 'active', `${doc}, created in the transaction, is matched by its bulk update`);
  }
  for (let i = 1; i <= 3; i++) {
    const read = await t.side('GET', `${path}/existing_${i}`);
    t.eq(read.status, 200);
    t.eq(read.body.status, 'inactive');
  }
});

const testBulkUpdateMatchingUpdatedDocuments = def('testBulkUpdateMatchingUpdatedDocuments', async (t) => {
  const { path } = await writable(t, 'BulkUpdateTxnDB', [text('name'), text('category'), text('priority')]);
  for (let i = 1; i <= 4; i++) await t.server('POST', path, { documentId: `doc_${i}`, data: { name: `Document ${i}`, category: 'normal', priority: 'low' } });
  const transactionId = (await t.side('POST', '/databases/transactions')).body.$id;
  for (const doc of ['doc_1', 'doc_2']) t.eq((await t.server('PATCH', `${path}/${doc}`, { data: { category: 'special' }, transactionId })).status, 200);
  t.eq((await t.server('PATCH', path, { data: { priority: 'high' }, queries: [Query.equal('category', ['special'])], transactionId })).status, 200);
  t.eq((await commit(t, transactionId)).status, 200);
  for (const doc of ['doc_1', 'doc_2']) {
    const read = await t.side('GET', `${path}/${doc}`);
    t.eq(read.status, 200);
    t.eq(read.body.category, 'special');
    t.eq(read.body.priority, 'high', `${doc}, updated in the transaction, is matched by its bulk update`);
  }
  const untouched = await t.side('GET', `${path}/doc_3`);
  t.eq(untouched.status, 200);
  t.eq(untouched.body.category, 'normal');
  t.eq(untouched.body.priority, 'low');
});

const testBulkDeleteMatchingCreatedDocuments = def('testBulkDeleteMatchingCreatedDocuments', async (t) => {
  const { path } = await writable(t, 'BulkDeleteTxnDB', [text('name'), text('type')]);
  for (let i = 1; i <= 3; i++) await t.server('POST', path, { documentId: `existing_${i}`, data: { name: `Existing ${i}`, type: 'permanent' } });
  const transactionId = (await t.side('POST', '/databases/transactions')).body.$id;
  for (const n of [1, 2]) t.eq((await t.server('POST', path, { documentId: `temp_${n}`, data: { name: `Temporary ${n}`, type: 'temporary' }, transactionId })).status, 201);
  t.eq((await t.server('DELETE', path, { queries: [Query.equal('type', ['temporary'])], transactionId })).status, 200);
  t.eq((await commit(t, transactionId)).status, 200);
  for (const doc of ['temp_1', 'temp_2']) t.eq((await t.side('GET', `${path}/${doc}`)).status, 404, `${doc} was created and deleted in the transaction`);
  for (let i = 1; i <= 3; i++) {
    const read = await t.side('GET', `${path}/existing_${i}`);
    t.eq(read.status, 200);
    t.eq(read.body.type, 'permanent');
  }
});

const testBulkDeleteMatchingUpdatedDocuments = def('testBulkDeleteMatchingUpdatedDocuments', async (t) => {
  const { path } = await writable(t, 'BulkDeleteUpdateTxnDB', [text('name'), text('status')]);
  for (let i = 1; i <= 5; i++) await t.server('POST', path, { documentId: `doc_${i}`, data: { name: `Document ${i}`, status: 'active' } });
  const transactionId = (await t.side('POST', '/databases/transactions')).body.$id;
  for (const doc of ['doc_2', 'doc_4']) t.eq((await t.server('PATCH', `${path}/${doc}`, { data: { status: 'marked_for_deletion' }, transactionId })).status, 200);
  t.eq((await t.server('DELETE', path, { queries: [Query.equal('status', ['marked_for_deletion'])], transactionId })).status, 200);
  t.eq((await commit(t, transactionId)).status, 200);
  for (const doc of ['doc_2', 'doc_4']) t.eq((await t.side('GET', `${path}/${doc}`)).status, 404, `${doc} was marked and deleted in the transaction`);
  for (const i of [1, 3, 5]) {
    const read = await t.side('GET', `${path}/doc_${i}`);
    t.eq(read.status, 200);
    t.eq(read.body.status, 'active');
  }
});

const testCreateOperationsValidation = def('testCreateOperationsValidation', async (t) => {
  const database = await t.server('POST', '/databases', { databaseId: ID.unique(), name: 'ValidationTestDatabase' });
  t.eq(database.status, 201);
  const db = database.body.$id;
  const collection = await t.server('POST', `/databases/${db}/collections`, { collectionId: ID.unique(), name: 'ValidationTest', documentSecurity: false, permissions: everyone });
  t.eq(collection.status, 201);
  const col = collection.body.$id;
  t.eq((await t.server('POST', `/databases/${db}/collections/${col}/attributes/string`, { key: 'name', size: 256, required: true })).status, 202);
  await t.settle();
  const transaction = await t.side('POST', '/databases/transactions');
  t.eq(transaction.status, 201);
  const path = `/databases/transactions/${transaction.body.$id}/operations`;
  const base = { databaseId: db, collectionId: col };
  const refused = [
    [{ ...base, action: 'invalidAction', documentId: ID.unique(), data: { name: 'Test' } }],
    [{ ...base, documentId: ID.unique(), data: { name: 'Test' } }],
    [{ action: 'create', collectionId: col, documentId: ID.unique(), data: { name: 'Test' } }],
    [{ ...base, action: 'create', data: { name: 'Test' } }],
    [{ ...base, action: 'create', documentId: ID.unique() }],
    [{ ...base, action: 'bulkCreate', data: 'not an array' }],
    [{ ...base, action: 'bulkUpdate', data: { data: { name: 'Updated' } } }],
    [],
    'not an array',
  ];
  for (const operations of refused) {
    const response = await t.server('POST', path, { operations });
    t.eq(response.status, 400, `refused: ${JSON.stringify(operations)} → ${response.body?.message}`);
  }
  if (t.atLeast('1.9.6')) {
    // From 1.9.6 both APIs refuse five more (the decrement names its column by the API's word).
    const more = [
      { action: 'create', databaseId: db, documentId: ID.unique(), data: { name: 'Test' } },
      { ...base, action: 'bulkUpdate', data: { queries: 'not an array', data: { name: 'Updated' } } },
      { ...base, action: 'bulkDelete', data: [] },
      { ...base, action: 'increment', documentId: ID.unique(), data: { value: 1 } },
      { ...base, action: 'decrement', documentId: ID.unique(), data: { attribute: 'counter', value: 'not a number' } },
    ];
    for (const operation of more) {
      const response = await t.server('POST', path, { operations: [operation] });
      t.eq(response.status, 400, `refused: ${JSON.stringify(operation)} → ${response.body?.message}`);
    }
  } else if (t.tablesdb) {
    // TablesDB's 1.8.1 twin refuses the same five, sent past the dialect layer exactly as it
    // sends them (its decrement names the column `attribute`).
    for (const operations of moreRefusedOperations(db, col)) {
      const response = await t.rawCall('POST', `/tablesdb/transactions/${transaction.body.$id}/operations`, { operations }, t.keyHeaders);
      t.eq(response.status, 400, `refused: ${JSON.stringify(operations)} → ${response.body?.message}`);
    }
  }
});

const testMixedSingleOperations = def('testMixedSingleOperations', async (t) => {
  const { path } = await writable(t, 'MultipleSingleRoutesDB', [
    name, ['string', { key: 'status', size: 256, required: false }], ['integer', { key: 'priority', required: false, min: 1, max: 10 }],
  ]);
  t.eq((await t.server('POST', path, { documentId: 'existing_doc', data: { name: 'Existing Document', status: 'active', priority: 5 } })).status, 201);
  const transaction = await t.side('POST', '/databases/transactions');
  const transactionId = transaction.body.$id;
  t.eq(transaction.status, 201);
  const staged = [
    ['POST', path, { documentId: 'new_doc_1', data: { name: 'New Document 1', status: 'pending', priority: 1 } }, 201],
    ['POST', path, { documentId: 'new_doc_2', data: { name: 'New Document 2', status: 'pending', priority: 2 } }, 201],
    ['PATCH', `${path}/existing_doc`, { data: { status: 'updated', priority: 10 } }, 200],
    ['PATCH', `${path}/new_doc_1`, { data: { status: 'active', priority: 8 } }, 200],
    ['DELETE', `${path}/new_doc_2`, {}, 204],
    ['PUT', `${path}/upserted_doc`, { documentId: 'upserted_doc', data: { name: 'Upserted Document', status: 'new', priority: 3 } }, 201],
  ];
  for (const [method, route, body, status] of staged) {
    t.eq((await t.server(method, route, { ...body, transactionId })).status, status, `${method} ${route}`);
  }
  const details = await t.server('GET', `/databases/transactions/${transactionId}`);
  t.eq(details.status, 200);
  t.eq(details.body.operations, 6);
  t.eq((await t.side('GET', `${path}/new_doc_1`)).status, 404);
  t.eq((await t.side('GET', `${path}/upserted_doc`)).status, 404);
  let read = await t.side('GET', `${path}/existing_doc`);
  t.eq(read.body.status, 'active');
  t.eq(read.body.priority, 5);

  const committed = await commit(t, transactionId);
  t.eq(committed.status, 200);
  t.eq(committed.body.status, 'committed');
  read = await t.side('GET', `${path}/new_doc_1`);
  t.eq(read.status, 200);
  t.eq(read.body.name, 'New Document 1');
  t.eq(read.body.status, 'active');
  t.eq(read.body.priority, 8);
  t.eq((await t.side('GET', `${path}/new_doc_2`)).status, 404);
  read = await t.side('GET', `${path}/existing_doc`);
  t.eq(read.body.status, 'updated');
  t.eq(read.body.priority, 10);
  read = await t.side('GET', `${path}/upserted_doc`);
  t.eq(read.status, 200);
  t.eq(read.body.name, 'Upserted Document');
  t.eq(read.body.status, 'new');
  t.eq(read.body.priority, 3);
  t.eq((await t.side('GET', path)).body.total, 3);
});

export const methods = [
  testCreate, testCreateOperations, testCommit, testRollback, testTransactionExpiration, testTransactionSizeLimit,
  testConcurrentTransactionConflicts,
  testDeleteDocumentDuringTransaction, testBulkOperations, testPartialFailureRollback, testDoubleCommitRollback,
  testOperationsOnNonExistentDocuments, testCreateDocument, testUpdateDocument, testUpsertDocument, testDeleteDocument,
  testBulkCreate, testBulkUpdate, testBulkUpsert, testBulkDelete, testMixedSingleOperations, testMixedOperations,
  testBulkUpdateWithTransactionAwareQueries, testBulkUpdateMatchingUpdatedDocuments, testBulkDeleteMatchingCreatedDocuments,
  testBulkDeleteMatchingUpdatedDocuments,
  testIncrementDecrementOperations, testIncrementDecrementEndpointsWithTransaction, testBulkUpdateOperations,
  testBulkUpsertOperations, testBulkDeleteOperations, testCreateOperationsValidation, testCommitRollbackValidation,
  testNonExistentResources,
];

