// Drives the appwrite-emulator binary with Appwrite's official server SDK (node-appwrite) and
// checks that every call behaves as it does against Appwrite: shapes, status codes and error types.
//
// Usage: node rest.mjs [path/to/appwrite-emulator]   (default: ../../target/debug/appwrite-emulator)

import { expectError, startEmulator } from './emulator.mjs';
import assert from 'node:assert/strict';
import { Client, Databases, Users, Query, ID, Permission, Role } from 'node-appwrite';

const binary = process.argv[2] ?? new URL('../../target/debug/appwrite-emulator', import.meta.url).pathname;


const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/;
let checks = 0;
const step = (name) => console.log(`ok ${++checks} - ${name}`);

const { child, endpoint, project, key } = await startEmulator(binary, 'conformance', 'conformance-key', 30);
try {
  const admin = new Client().setEndpoint(endpoint).setProject(project).setKey(key);
  const databases = new Databases(admin);
  const users = new Users(admin);
  const db = 'shop';
  const col = 'products';

  const database = await databases.create({ databaseId: db, name: 'Shop' });
  assert.equal(database.$id, db);
  assert.match(database.$createdAt, DATETIME);
  await expectError(databases.create({ databaseId: db, name: 'Shop' }), 409, 'database_already_exists');
  step('database created; a duplicate is 409 database_already_exists');

  const collection = await databases.createCollection({
    databaseId: db,
    collectionId: col,
    name: 'Products',
    permissions: [Permission.create(Role.users()), Permission.read(Role.label('staff'))],
    documentSecurity: true,
  });
  assert.equal(collection.documentSecurity, true);
  assert.deepEqual(collection.$permissions, ['create("users")', 'read("label:staff")']);
  step('collection created with permissions and document security');

  const base = { databaseId: db, collectionId: col };
  const created = await Promise.all([
    databases.createStringAttribute({ ...base, key: 'name', size: 64, required: true }),
    databases.createIntegerAttribute({ ...base, key: 'stock', required: false, min: 0, max: 1000, xdefault: 0 }),
    databases.createFloatAttribute({ ...base, key: 'price', required: true, min: 0 }),
    databases.createBooleanAttribute({ ...base, key: 'active', required: false, xdefault: true }),
    databases.createDatetimeAttribute({ ...base, key: 'releasedAt', required: false }),
    databases.createEmailAttribute({ ...base, key: 'contact', required: false }),
    databases.createUrlAttribute({ ...base, key: 'homepage', required: false }),
    databases.createIpAttribute({ ...base, key: 'origin', required: false }),
    databases.createEnumAttribute({ ...base, key: 'tier', elements: ['basic', 'premium'], required: false, xdefault: 'basic' }),
    databases.createStringAttribute({ ...base, key: 'tags', size: 32, required: false, array: true }),
    databases.createStringAttribute({ ...base, key: 'sku', size: 32, required: false }),
  ]);
  for (const attribute of created) assert.equal(attribute.status, 'processing');
  step('one attribute of each kind accepted as processing');

  for (let attempt = 0; ; attempt++) {
    const { attributes } = await databases.listAttributes(base);
    if (attributes.every((a) => a.status === 'available')) {
      const byKey = Object.fromEntries(attributes.map((a) => [a.key, a]));
      assert.equal(byKey.price.type, 'double');
      assert.equal(byKey.contact.type, 'string');
      assert.equal(byKey.contact.format, 'email');
      assert.equal(byKey.tier.format, 'enum');
      assert.deepEqual(byKey.tier.elements, ['basic', 'premium']);
      assert.equal(byKey.stock.min, 0);
      assert.equal(byKey.tags.array, true);
      break;
    }
    assert.ok(attempt < 100, 'attributes never became available');
    await new Promise((r) => setTimeout(r, 20));
  }
  const stock = await databases.getAttribute({ ...base, key: 'stock' });
  assert.equal(stock.type, 'integer');
  step('attributes become available with type and format');

  await databases.createIndex({ ...base, key: 'by_sku', type: 'unique', attributes: ['sku'] });
  await databases.createIndex({ ...base, key: 'by_name', type: 'fulltext', attributes: ['name'] });
  for (let attempt = 0; ; attempt++) {
    const { indexes } = await databases.listIndexes(base);
    if (indexes.every((i) => i.status === 'available')) break;
    assert.ok(attempt < 100, 'indexes never became available');
    await new Promise((r) => setTimeout(r, 20));
  }
  step('unique and fulltext indexes become available');

  const lamp = await databases.createDocument({
    ...base,
    documentId: ID.unique(),
    data: { name: 'Desk lamp', price: 19.5, stock: 3, tags: ['home', 'light'], sku: 'L-1', releasedAt: '2024-05-01T12:00:00+02:00' },
  });
  assert.match(lamp.$id, /^[0-9a-f]{20}$/);
  assert.equal(lamp.$collectionId, col);
  assert.equal(lamp.$databaseId, db);
  assert.equal(lamp.releasedAt, '2024-05-01T10:00:00.000+00:00');
  assert.equal(lamp.active, true, 'defaults are filled in');
  assert.equal(lamp.tier, 'basic');
  assert.equal(lamp.contact, null, 'absent attributes are null');
  // node-appwrite 27 asks for the 1.9.5 format, whose `$sequence` is a string of digits.
  assert.match(lamp.$sequence, /^[0-9]+$/);
  const chair = await databases.createDocument({ ...base, documentId: 'chair', data: { name: 'Office chair', price: 120, stock: 8, sku: 'C-1' } });
  const stool = await databases.createDocument({ ...base, documentId: 'stool', data: { name: 'Bar stool', price: 45, stock: 0, tier: 'premium' } });
  step('documents created with server and custom ids, defaults and normalised datetimes');

  const fetched = await databases.getDocument({ ...base, documentId: 'chair' });
  assert.equal(fetched.name, 'Office chair');
  assert.deepEqual(fetched.tags, []);
  await expectError(databases.getDocument({ ...base, documentId: 'missing' }), 404, 'document_not_found');
  step('get by id; a missing document is 404 document_not_found');

  let list = await databases.listDocuments(base);
  assert.equal(list.total, 3);
  list = await databases.listDocuments({ ...base, queries: [Query.greaterThan('price', 20), Query.orderDesc('price')] });
  assert.deepEqual(list.documents.map((d) => d.$id), ['chair', 'stool']);
  list = await databases.listDocuments({ ...base, queries: [Query.search('name', 'chair')] });
  assert.deepEqual(list.documents.map((d) => d.$id), ['chair']);
  list = await databases.listDocuments({ ...base, queries: [Query.contains('tags', ['light'])] });
  assert.deepEqual(list.documents.map((d) => d.$id), [lamp.$id]);
  list = await databases.listDocuments({ ...base, queries: [Query.or([Query.equal('tier', ['premium']), Query.lessThan('price', 20)]), Query.orderAsc('price')] });
  assert.deepEqual(list.documents.map((d) => d.$id), [lamp.$id, 'stool']);
  list = await databases.listDocuments({ ...base, queries: [Query.orderAsc('price'), Query.limit(1), Query.cursorAfter(lamp.$id)] });
  assert.deepEqual(list.documents.map((d) => d.$id), ['stool']);
  list = await databases.listDocuments({ ...base, queries: [Query.isNull('sku')] });
  assert.deepEqual(list.documents.map((d) => d.$id), ['stool']);
  list = await databases.listDocuments({ ...base, queries: [Query.startsWith('name', 'Desk'), Query.select(['name'])] });
  assert.deepEqual(Object.keys(list.documents[0]).sort(), ['$id', '$permissions', 'name']);
  await expectError(databases.listDocuments({ ...base, queries: [Query.search('sku', 'L')] }), 400, 'general_query_invalid');
  await expectError(databases.listDocuments({ ...base, queries: [Query.equal('nope', ['x'])] }), 400, 'general_query_invalid');
  await expectError(databases.listDocuments({ ...base, queries: [Query.cursorAfter('ghost')] }), 400, 'general_cursor_not_found');
  step('list with filters, logical queries, ordering, cursors, select and query errors');

  const updated = await databases.updateDocument({ ...base, documentId: 'chair', data: { stock: 7 } });
  assert.equal(updated.stock, 7);
  assert.equal(updated.name, 'Office chair');
  assert.ok(updated.$updatedAt >= chair.$updatedAt);
  const upserted = await databases.upsertDocument({ ...base, documentId: 'table', data: { name: 'Table', price: 250 } });
  assert.equal(upserted.$id, 'table');
  const upsertedAgain = await databases.upsertDocument({ ...base, documentId: 'table', data: { name: 'Table', price: 240 } });
  assert.equal(upsertedAgain.price, 240);
  const bumped = await databases.incrementDocumentAttribute({ ...base, documentId: 'stool', attribute: 'stock', value: 5 });
  assert.equal(bumped.stock, 5);
  const lowered = await databases.decrementDocumentAttribute({ ...base, documentId: 'stool', attribute: 'stock', value: 2 });
  assert.equal(lowered.stock, 3);
  await databases.deleteDocument({ ...base, documentId: 'table' });
  await expectError(databases.getDocument({ ...base, documentId: 'table' }), 404, 'document_not_found');
  step('update, upsert, increment, decrement and delete');

  await expectError(
    databases.createDocument({ ...base, documentId: ID.unique(), data: { name: 'Copy', price: 1, sku: 'L-1' } }),
    409,
    'document_already_exists',
  );
  await expectError(databases.createDocument({ ...base, documentId: 'chair', data: { name: 'Again', price: 1 } }), 409, 'document_already_exists');
  await expectError(databases.createDocument({ ...base, documentId: ID.unique(), data: { name: 'Bad', price: 1, colour: 'red' } }), 400, 'document_invalid_structure');
  await expectError(databases.createDocument({ ...base, documentId: ID.unique(), data: { price: 1 } }), 400, 'document_invalid_structure');
  await expectError(databases.createDocument({ ...base, documentId: ID.unique(), data: { name: 'Bad', price: -1 } }), 400, 'document_invalid_structure');
  await expectError(databases.createDocument({ ...base, documentId: ID.unique(), data: { name: 'Bad', price: 1, tier: 'gold' } }), 400, 'document_invalid_structure');
  await expectError(databases.createDocument({ ...base, documentId: ID.unique(), data: { name: 'Bad', price: 1, contact: 'nobody' } }), 400, 'document_invalid_structure');
  await expectError(databases.createDocument({ ...base, documentId: '_bad', data: { name: 'Bad', price: 1 } }), 400, 'general_argument_invalid');
  step('unique conflicts, duplicate ids and invalid structures are rejected with Appwrite error types');

  const bulk = await databases.createDocuments({
    ...base,
    documents: [
      { $id: 'b1', name: 'Bulk one', price: 1, stock: 1 },
      { $id: 'b2', name: 'Bulk two', price: 2, stock: 2 },
      { $id: 'b3', name: 'Bulk three', price: 3, stock: 3 },
    ],
  });
  assert.equal(bulk.total, 3);
  await expectError(
    databases.createDocuments({ ...base, documents: [{ $id: 'b4', name: 'ok', price: 1 }, { $id: 'b1', name: 'dup', price: 1 }] }),
    409,
    'document_already_exists',
  );
  await expectError(databases.getDocument({ ...base, documentId: 'b4' }), 404, 'document_not_found');
  const bulkUpsert = await databases.upsertDocuments({ ...base, documents: [{ $id: 'b1', name: 'Bulk one', price: 10 }, { $id: 'b5', name: 'Bulk five', price: 5 }] });
  assert.equal(bulkUpsert.total, 2);
  const bulkUpdate = await databases.updateDocuments({ ...base, data: { active: false }, queries: [Query.startsWith('name', 'Bulk')] });
  assert.equal(bulkUpdate.total, 4);
  assert.ok(bulkUpdate.documents.every((d) => d.active === false));
  const bulkDelete = await databases.deleteDocuments({ ...base, queries: [Query.equal('active', [false])] });
  assert.equal(bulkDelete.total, 4);
  assert.equal((await databases.listDocuments(base)).total, 3);
  step('bulk create (all or nothing), upsert, update and delete');

  const alice = await users.create({ userId: 'alice', email: 'alice@example.com', name: 'Alice' });
  assert.equal(alice.$id, 'alice');
  const bob = await users.create({ userId: ID.unique(), email: 'bob@example.com' });
  await expectError(users.create({ userId: 'alice' }), 409, 'user_already_exists');
  const labelled = await users.updateLabels({ userId: bob.$id, labels: ['staff'] });
  assert.deepEqual(labelled.labels, ['staff']);
  const { jwt: aliceJwt } = await users.createJWT({ userId: 'alice' });
  const { jwt: bobJwt } = await users.createJWT({ userId: bob.$id });
  await expectError(users.get({ userId: 'nobody' }), 404, 'user_not_found');
  step('users, labels and JWTs');

  await databases.createDocument({
    ...base,
    documentId: 'private',
    data: { name: 'Alice only', price: 1 },
    permissions: [Permission.read(Role.user('alice'))],
  });
  const asAlice = new Databases(new Client().setEndpoint(endpoint).setProject(project).setJWT(aliceJwt));
  const asBob = new Databases(new Client().setEndpoint(endpoint).setProject(project).setJWT(bobJwt));
  const asGuest = new Databases(new Client().setEndpoint(endpoint).setProject(project));
  const aliceView = await asAlice.listDocuments(base);
  assert.deepEqual(aliceView.documents.map((d) => d.$id), ['private']);
  const bobView = await asBob.listDocuments(base);
  assert.equal(bobView.total, 4, 'the staff label grants collection read');
  await expectError(asGuest.getDocument({ ...base, documentId: 'private' }), 404, 'document_not_found');
  assert.equal((await asGuest.listDocuments(base)).total, 0);
  const own = await asAlice.createDocument({ ...base, documentId: 'mine', data: { name: 'Mine', price: 2 } });
  assert.deepEqual(own.$permissions.sort(), ['delete("user:alice")', 'read("user:alice")', 'update("user:alice")']);
  await expectError(asAlice.createDocument({ ...base, documentId: 'grant', data: { name: 'x', price: 1 }, permissions: [Permission.read(Role.user(bob.$id))] }), 401, 'user_unauthorized');
  await expectError(asBob.deleteDocument({ ...base, documentId: 'mine' }), 401, 'user_unauthorized');
  await expectError(asGuest.createDocument({ ...base, documentId: 'g', data: { name: 'g', price: 1 } }), 401, 'user_unauthorized');
  const badJwt = new Databases(new Client().setEndpoint(endpoint).setProject(project).setJWT(aliceJwt.slice(0, -2) + 'xx'));
  await expectError(badJwt.listDocuments(base), 401, 'user_jwt_invalid');
  await expectError(asAlice.listCollections({ databaseId: db }), 401, 'general_unauthorized_scope');
  step('JWT callers see only what their roles may read; guests see nothing');

  await databases.updateCollection({ ...base, name: 'Products' });
  const reset = await databases.getCollection(base);
  assert.equal(reset.documentSecurity, false, 'a PUT without documentSecurity resets it');
  assert.deepEqual(reset.$permissions, ['create("users")', 'read("label:staff")'], 'a PUT without permissions keeps them');
  await expectError(asAlice.listDocuments(base), 401, 'user_unauthorized');
  step('collection update resets documentSecurity; listing without read is 401');

  const other = new Databases(new Client().setEndpoint(endpoint).setProject('someone-else').setKey(key));
  await expectError(other.list(), 404, 'project_not_found');
  const wrongKey = new Databases(new Client().setEndpoint(endpoint).setProject(project).setKey('wrong'));
  await expectError(wrongKey.list(), 401, 'user_unauthorized');
  const health = await fetch(`${endpoint}/health/version`).then((r) => r.json());
  assert.equal(typeof health.version, 'string');
  const missingRoute = await fetch(`${endpoint}/nowhere`, { headers: { 'X-Appwrite-Project': project } });
  assert.equal(missingRoute.status, 404);
  assert.equal((await missingRoute.json()).type, 'general_route_not_found');
  step('unknown project, wrong key and unknown route');

  await databases.deleteCollection(base);
  await expectError(databases.getCollection(base), 404, 'collection_not_found');
  await databases.delete({ databaseId: db });
  await expectError(databases.get({ databaseId: db }), 404, 'database_not_found');
  step('collection and database deleted');

  console.log(`all ${checks} conformance steps passed`);
} finally {
  child.kill('SIGTERM');
}
