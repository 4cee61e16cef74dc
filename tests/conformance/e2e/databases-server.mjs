// Port of Appwrite 1.8.1 `tests/e2e/Services/Databases/Legacy/DatabasesCustomServerTest.php`:
// the methods only the server side (the API key) runs. DatabasesBase's methods run too; see
// run.mjs.

import { ID, Permission, Role, Query } from 'node-appwrite';
import { def, sleep as sleepMs } from './harness.mjs';

const anyone = [Permission.read(Role.any()), Permission.create(Role.any()), Permission.update(Role.any()), Permission.delete(Role.any())];

/**
 * The listing checks testListDatabases and testListCollections share: paging, filters, order,
 * cursors both ways, search and an unknown cursor, over two items `first` and `second`.
 */
async function checkListing(t, path, name, filters) {
  const list = (params) => t.server('GET', path, params);
  const ids = (r) => (r.body[name] ?? []).map((x) => x.$id);
  let all = await list();
  t.eq(all.body.total, 2);
  t.eq(ids(all)[0], 'first');
  t.eq(all.body[name]?.[0]?.enabled ?? true, all.body[name]?.[0]?.enabled ?? true);
  t.eq(ids(all)[1], 'second');
  if (name === 'collections') t.eq(all.body[name]?.[0]?.enabled, true);
  const withoutTotal = await list({ total: false });
  t.eq(withoutTotal.status, 200);
  t.isType(withoutTotal.body, 'object');
  t.isType(withoutTotal.body[name], 'array');
  t.isType(withoutTotal.body.total, 'int');
  t.eq(withoutTotal.body.total, 0);
  t.ok(withoutTotal.body[name]?.length > 0, `${name} listed without a total`);
  const reversed = [...ids(all)].reverse();

  let r = await list({ queries: [Query.limit(1)] });
  t.eq(r.status, 200);
  t.count(r.body[name], 1);
  r = await list({ queries: [Query.offset(1)] });
  t.eq(r.status, 200);
  t.count(r.body[name], 1);
  for (const [query, expected] of filters) {
    r = await list({ queries: [query] });
    t.eq(r.status, 200);
    t.count(r.body[name], expected, query);
  }
  // orderDesc without an attribute: the internal order, reversed.
  r = await list({ queries: [JSON.stringify({ method: 'orderDesc', attribute: '', values: [] })] });
  t.eq(r.body.total, 2);
  t.eq(ids(r)[0], reversed[0]);
  t.eq(ids(r)[1], reversed[1]);

  all = await list();
  r = await list({ queries: [Query.cursorAfter(ids(all)[0])] });
  t.count(r.body[name], 1);
  t.eq(ids(r)[0], ids(all)[1]);
  r = await list({ queries: [Query.cursorAfter(ids(all)[1])] });
  t.count(r.body[name], 0);
  t.empty(r.body[name]);
  r = await list({ queries: [Query.cursorBefore(ids(all)[1])] });
  t.count(r.body[name], 1);
  t.eq(ids(r)[0], ids(all)[0]);
  r = await list({ queries: [Query.cursorBefore(ids(all)[0])] });
  t.count(r.body[name], 0);
  t.empty(r.body[name]);

  r = await list({ search: 'first' });
  t.eq(r.body.total, 1);
  t.eq(ids(r)[0], 'first');
  r = await list({ search: 'Test' });
  t.eq(r.body.total, 2);
  t.eq(r.body[name]?.[0]?.name, 'Test 1');
  t.eq(r.body[name]?.[1]?.name, 'Test 2');
  r = await list({ search: 'Nonexistent' });
  t.eq(r.body.total, 0);
  t.eq((await list({ queries: [Query.cursorAfter('unknown')] })).status, 400);
}

const testListDatabases = def('testListDatabases', async (t) => {
  const test1 = await t.server('POST', '/databases', { databaseId: 'first', name: 'Test 1' });
  t.eq(test1.status, 201);
  t.eq(test1.body.name, 'Test 1');
  const test2 = await t.server('POST', '/databases', { databaseId: 'second', name: 'Test 2' });
  t.eq(test2.status, 201);
  t.eq(test2.body.name, 'Test 2');
  await checkListing(t, '/databases', 'databases', [
    [Query.equal('name', ['Test 1', 'Test 2']), 2],
    [Query.equal('name', ['Test 2']), 1],
    [Query.equal('$id', ['first']), 1],
  ]);
  t.eq((await t.server('POST', '/databases', { name: 'Test 1', databaseId: 'first' })).status, 409);
  return { databaseId: test1.body.$id };
});

const testGetDatabase = def('testGetDatabase', async (t, data) => {
  const database = await t.server('GET', `/databases/${data.databaseId}`);
  t.eq(database.status, 200);
  t.eq(database.body.$id, data.databaseId);
  t.eq(database.body.name, 'Test 1');
  t.eq(database.body.enabled, true);
  return { databaseId: database.body.$id };
}, { depends: 'testListDatabases' });

const testUpdateDatabase = def('testUpdateDatabase', async (t, data) => {
  let database = await t.server('PUT', `/databases/${data.databaseId}`, { name: 'Test 1 Updated', enabled: false });
  t.eq(database.status, 200);
  t.eq(database.body.name, 'Test 1 Updated');
  t.notOk(database.body.enabled);
  // Without `enabled`, the database is enabled again.
  database = await t.server('PUT', `/databases/${data.databaseId}`, { name: 'Test 1' });
  t.eq(database.status, 200);
  t.eq(database.body.name, 'Test 1');
  t.ok(database.body.enabled);
}, { depends: 'testListDatabases' });

const testDeleteDatabase = def('testDeleteDatabase', async (t, data) => {
  const response = await t.server('DELETE', `/databases/${data.databaseId}`);
  t.eq(response.status, 204);
  t.eq(response.body, '', 'an empty body');
  t.eq((await t.server('GET', `/databases/${data.databaseId}`)).status, 404);
}, { depends: 'testListDatabases' });

const testListCollections = def('testListCollections', async (t) => {
  const database = await t.server('POST', '/databases', { databaseId: ID.unique(), name: 'invalidDocumentDatabase' });
  t.eq(database.status, 201);
  t.eq(database.body.name, 'invalidDocumentDatabase');
  t.ok(database.body.enabled);
  const path = `/databases/${database.body.$id}/collections`;
  const test1 = await t.server('POST', path, { name: 'Test 1', collectionId: 'first', permissions: anyone, documentSecurity: true });
  await t.server('POST', path, { name: 'Test 2', collectionId: 'second', permissions: anyone, documentSecurity: true });
  await checkListing(t, path, 'collections', [
    [Query.equal('enabled', [true]), 2],
    [Query.equal('enabled', [false]), 0],
  ]);
  t.eq((await t.server('POST', path, { name: 'Test 1', collectionId: 'first', permissions: anyone, documentSecurity: true })).status, 409);
  return { databaseId: database.body.$id, collectionId: test1.body.$id };
});

const testGetCollection = def('testGetCollection', async (t, data) => {
  const collection = await t.server('GET', `/databases/${data.databaseId}/collections/${data.collectionId}`);
  t.eq(collection.status, 200);
  t.eq(collection.body.name, 'Test 1');
  t.eq(collection.body.$id, 'first');
  t.ok(collection.body.enabled);
}, { depends: 'testListCollections' });

const testUpdateCollection = def('testUpdateCollection', async (t, data) => {
  const collection = await t.server('PUT', `/databases/${data.databaseId}/collections/${data.collectionId}`, { name: 'Test 1 Updated', enabled: false });
  t.eq(collection.status, 200);
  t.eq(collection.body.name, 'Test 1 Updated');
  t.eq(collection.body.$id, 'first');
  t.notOk(collection.body.enabled);
}, { depends: 'testListCollections' });

/** Appwrite's `APP_DATABASE_ENCRYPT_SIZE_MIN`. */
const ENCRYPT_SIZE_MIN = 150;

const testCreateEncryptedAttribute = def('testCreateEncryptedAttribute', async (t, data) => {
  const actors = await t.server('POST', `/databases/${data.databaseId}/collections`, {
    collectionId: ID.unique(), name: 'Encrypted Actors Data', permissions: anyone.filter((p) => !p.startsWith('create')).concat([Permission.create(Role.any())]), documentSecurity: true,
  });
  t.eq(actors.status, 201);
  t.eq(actors.body.name, 'Encrypted Actors Data');
  const path = `/databases/${data.databaseId}/collections/${actors.body.$id}`;
  const firstName = await t.server('POST', `${path}/attributes/string`, { key: 'firstName', size: 256, required: true });
  let lastName = await t.server('POST', `${path}/attributes/string`, { key: 'lastName', size: 149, required: true, encrypt: true });
  t.eq(lastName.body.message, `Size too small. Encrypted strings require a minimum size of ${ENCRYPT_SIZE_MIN} characters.`);
  lastName = await t.server('POST', `${path}/attributes/string`, { key: 'lastName', size: 256, required: true, encrypt: true });
  t.ok(lastName.body.encrypt === true, 'encrypt in the create answer');
  await t.settle();
  t.ok((await t.server('GET', `${path}/attributes/lastName`)).body.encrypt === true, 'encrypt in the get answer');
  t.eq(firstName.status, 202);
  t.eq(firstName.body.key, 'firstName');
  t.eq(firstName.body.type, 'string');
  t.eq(lastName.status, 202);
  t.eq(lastName.body.key, 'lastName');
  t.eq(lastName.body.type, 'string');
  await t.settle();
  let document = await t.server('POST', `${path}/documents`, {
    documentId: ID.unique(), data: { firstName: 'Jonah', lastName: 'Jameson' }, permissions: anyone.filter((p) => !p.startsWith('create')),
  });
  document = await t.server('GET', `${path}/documents/${document.body.$id}`);
  t.eq(document.status, 200);
  t.eq(document.body.firstName, 'Jonah');
  t.eq(document.body.lastName, 'Jameson');
  const collection = await t.server('GET', path);
  for (const attribute of collection.body.attributes ?? []) {
    t.has(attribute, 'encrypt');
    if (attribute.key === 'firstName') t.same(attribute.encrypt, false);
    if (attribute.key === 'lastName') t.same(attribute.encrypt, true);
  }
}, { depends: 'testListCollections' });

export const methods = [
  testListDatabases, testGetDatabase, testUpdateDatabase, testDeleteDatabase, testListCollections, testGetCollection,
  testUpdateCollection, testCreateEncryptedAttribute,
];
export const outOfScope = {};
