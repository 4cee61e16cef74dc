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

/** A database with one collection that anyone may use, for the deletion tests. */
async function anyoneCollection(t, name) {
  const database = await t.server('POST', '/databases', { databaseId: ID.unique(), name: 'invalidDocumentDatabase' });
  t.eq(database.status, 201);
  t.eq(database.body.name, 'invalidDocumentDatabase');
  const collection = await t.server('POST', `/databases/${database.body.$id}/collections`, { collectionId: ID.unique(), name, permissions: anyone, documentSecurity: true });
  t.eq(collection.status, 201);
  return { databaseId: database.body.$id, collection };
}

const testDeleteAttribute = def('testDeleteAttribute', async (t) => {
  const { databaseId, collection: actors } = await anyoneCollection(t, 'Actors');
  t.eq(actors.body.name, 'Actors');
  const path = `/databases/${databaseId}/collections/${actors.body.$id}`;
  const string = (key) => t.server('POST', `${path}/attributes/string`, { key, size: 256, required: true });
  const firstName = await string('firstName');
  const lastName = await string('lastName');
  const unneeded = await string('unneeded');
  await t.settle();
  let document = await t.server('POST', `${path}/documents`, {
    documentId: ID.unique(), data: { firstName: 'lorem', lastName: 'ipsum', unneeded: 'dolor' }, permissions: anyone.filter((p) => !p.startsWith('create')),
  });
  const index = await t.server('POST', `${path}/indexes`, { key: 'key_lastName', type: 'key', attributes: ['lastName'] });
  await t.settle();
  let collection = await t.server('GET', path);
  t.eq(collection.status, 200);
  t.isType(collection.body.attributes, 'array');
  t.count(collection.body.attributes, 3);
  [firstName, lastName, unneeded].forEach((a, i) => t.eq(collection.body.attributes?.[i]?.key, a.body.key));
  t.count(collection.body.indexes, 1);
  t.eq(collection.body.indexes?.[0]?.key, index.body.key);

  t.eq((await t.server('DELETE', `${path}/attributes/${unneeded.body.key}`)).status, 204);
  await t.settle();
  document = await t.server('GET', `${path}/documents/${document.body.$id}`);
  t.notContains(Object.values(document.body ?? {}), unneeded.body.key);
  collection = await t.server('GET', path);
  t.eq(collection.status, 200);
  t.isType(collection.body.attributes, 'array');
  t.count(collection.body.attributes, 2);
  [firstName, lastName].forEach((a, i) => t.eq(collection.body.attributes?.[i]?.key, a.body.key));
  return { collectionId: actors.body.$id, key: index.body.key, databaseId };
});

const testDeleteIndex = def('testDeleteIndex', async (t, data) => {
  const path = `/databases/${data.databaseId}/collections/${data.collectionId}`;
  t.eq((await t.server('DELETE', `${path}/indexes/${data.key}`)).status, 204);
  await t.settle();
  t.count((await t.server('GET', path)).body.indexes, 0);
  return data;
}, { depends: 'testDeleteAttribute' });

/** Two attributes and two indexes over them, then one attribute deleted. */
async function indexesLosingAnAttribute(t, path, deleted) {
  const attribute1 = await t.server('POST', `${path}/attributes/string`, { key: 'attribute1', size: 16, required: true });
  const attribute2 = await t.server('POST', `${path}/attributes/string`, { key: 'attribute2', size: 16, required: true });
  t.eq(attribute1.status, 202);
  t.eq(attribute2.status, 202);
  t.eq(attribute1.body.key, 'attribute1');
  t.eq(attribute2.body.key, 'attribute2');
  await t.settle();
  const index1 = await t.server('POST', `${path}/indexes`, { key: 'index1', type: 'key', attributes: ['attribute1', 'attribute2'], orders: ['ASC', 'ASC'] });
  const index2 = await t.server('POST', `${path}/indexes`, { key: 'index2', type: 'key', attributes: ['attribute2'] });
  t.eq(index1.status, 202);
  t.eq(index2.status, 202);
  t.eq(index1.body.key, 'index1');
  t.eq(index2.body.key, 'index2');
  await t.settle();
  t.eq((await t.server('DELETE', `${path}/attributes/${deleted}`)).status, 204);
  await t.settle();
  const collection = await t.server('GET', path);
  t.eq(collection.status, 200);
  t.isType(collection.body.indexes, 'array');
  t.count(collection.body.indexes, 1);
  return { collection, index1, index2, attribute1, attribute2 };
}

const testDeleteIndexOnDeleteAttribute = def('testDeleteIndexOnDeleteAttribute', async (t, data) => {
  const path = `/databases/${data.databaseId}/collections/${data.collectionId}`;
  // Deleting attribute2 drops index2 and rebuilds index1 over attribute1 alone.
  const { collection, index1, attribute1 } = await indexesLosingAnAttribute(t, path, 'attribute2');
  const left = collection.body.indexes?.[0] ?? {};
  t.eq(left.key, index1.body.key);
  t.isType(left.attributes, 'array');
  t.count(left.attributes, 1);
  t.eq(left.attributes?.[0], attribute1.body.key);
  t.eq((await t.server('DELETE', `${path}/attributes/${attribute1.body.key}`)).status, 204);
  return data;
}, { depends: 'testDeleteIndex' });

const testCleanupDuplicateIndexOnDeleteAttribute = def('testCleanupDuplicateIndexOnDeleteAttribute', async (t) => {
  const { databaseId, collection } = await anyoneCollection(t, 'TestCleanupDuplicateIndexOnDeleteAttribute');
  t.notEmpty(collection.body.$id);
  const path = `/databases/${databaseId}/collections/${collection.body.$id}`;
  // Deleting attribute1 leaves index1 identical to index2, so it is removed.
  const { collection: after, index2, attribute2 } = await indexesLosingAnAttribute(t, path, 'attribute1');
  const left = after.body.indexes?.[0] ?? {};
  t.eq(left.key, index2.body.key);
  t.isType(left.attributes, 'array');
  t.count(left.attributes, 1);
  t.eq(left.attributes?.[0], attribute2.body.key);
  t.eq((await t.server('DELETE', `${path}/attributes/${attribute2.body.key}`)).status, 204);
});

const testDeleteCollection = def('testDeleteCollection', async (t, data) => {
  const path = `/databases/${data.databaseId}/collections/${data.collectionId}`;
  const me = Role.user(t.user.$id);
  const create = (firstName, lastName) => t.server('POST', `${path}/documents`, {
    documentId: ID.unique(), data: { firstName, lastName }, permissions: [Permission.read(me), Permission.update(me), Permission.delete(me)],
  });
  for (const [first, last] of [['Tom', 'Holland'], ['Samuel', 'Jackson']]) {
    const document = await create(first, last);
    t.eq(document.status, 201);
    t.isType(document.body.$permissions, 'array');
    t.count(document.body.$permissions, 3);
    t.eq(document.body.firstName, first);
    t.eq(document.body.lastName, last);
  }
  const response = await t.server('DELETE', path);
  t.eq(response.status, 204);
  t.eq(response.body, '');
  t.eq((await t.server('GET', path)).status, 404);
}, { depends: 'testDeleteIndexOnDeleteAttribute' });

export const methods = [
  testListDatabases, testGetDatabase, testUpdateDatabase, testDeleteDatabase, testListCollections, testGetCollection,
  testUpdateCollection, testCreateEncryptedAttribute, testDeleteAttribute, testDeleteIndex, testDeleteIndexOnDeleteAttribute,
  testCleanupDuplicateIndexOnDeleteAttribute, testDeleteCollection,
];
export const outOfScope = {
  testDeleteCollectionDeletesRelatedAttributes: 'relationships',
};
