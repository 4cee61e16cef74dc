// Port of Appwrite 1.8.1 `tests/e2e/Services/Databases/Legacy/Permissions/` and of 1.9.6's
// `…/Databases/Permissions/Legacy*` and `…/TablesDB/Permissions/TablesDB*`: what guests and
// signed-in users may read and write. Appwrite's tests sign users up through the account
// service; here users are made with the API key and act with a JWT. The team test is out of
// scope (teams).

import { ID, Permission, Role } from 'node-appwrite';
import { def } from './harness.mjs';

const guest = (t, method, path, params) => t.call(method, path, params, {});
/** 1.9.6's TablesDB guest test also checks that its collections and attributes were made. */
const checksSetup = (t) => t.tablesdb && t.atLeast('1.9.6');

/** DatabasesPermissionsGuestTest::createCollection: a public and a private collection. */
async function guestCollections(t) {
  const database = await t.server('POST', '/databases', { databaseId: ID.unique(), name: 'InvalidDocumentDatabase' });
  t.eq(database.status, 201);
  t.eq(database.body.name, 'InvalidDocumentDatabase');
  const base = `/databases/${database.body.$id}/collections`;
  const publicMovies = await t.server('POST', base, {
    collectionId: ID.unique(), name: 'Movies',
    permissions: [Permission.read(Role.any()), Permission.create(Role.any()), Permission.update(Role.any()), Permission.delete(Role.any())],
  });
  const privateMovies = await t.server('POST', base, { collectionId: ID.unique(), name: 'Movies', permissions: [], documentSecurity: true });
  const schemas = [];
  for (const c of [publicMovies, privateMovies]) schemas.push(await t.server('POST', `${base}/${c.body.$id}/attributes/string`, { key: 'title', size: 256, required: true }));
  if (checksSetup(t)) {
    for (const c of [publicMovies, privateMovies]) t.eq(c.status, 201);
    for (const schema of schemas) t.eq(schema.status, 202);
  }
  await t.settle();
  return { public: `${base}/${publicMovies.body.$id}`, private: `${base}/${privateMovies.body.$id}` };
}

const guestReadCases = [
  [Permission.read(Role.any())],
  [Permission.read(Role.users())],
  [Permission.update(Role.any()), Permission.delete(Role.any())],
  [Permission.read(Role.any()), Permission.update(Role.any()), Permission.delete(Role.any())],
  [Permission.read(Role.users()), Permission.update(Role.users()), Permission.delete(Role.users())],
  [Permission.read(Role.any()), Permission.update(Role.users()), Permission.delete(Role.users())],
];

const guestRead = guestReadCases.map((permissions, n) => def(`testReadDocuments with data set #${n}`, async (t) => {
  const paths = await guestCollections(t);
  for (const path of [paths.public, paths.private]) {
    const r = await t.server('POST', `${path}/documents`, { documentId: ID.unique(), data: { title: 'Lorem' }, permissions });
    t.eq(r.status, 201);
  }
  const publicDocuments = await guest(t, 'GET', `${paths.public}/documents`);
  const privateDocuments = await guest(t, 'GET', `${paths.private}/documents`);
  t.eq(publicDocuments.body.total, 1);
  t.eq(publicDocuments.body.documents?.[0]?.$permissions, permissions);
  if (permissions.includes(Permission.read(Role.any()))) {
    t.eq(privateDocuments.body.total, 1);
    t.eq(privateDocuments.body.documents?.[0]?.$permissions, permissions);
  } else {
    t.eq(privateDocuments.body.total, 0);
  }
}));

const testWriteDocument = def('testWriteDocument', async (t) => {
  const paths = await guestCollections(t);
  const publicResponse = await guest(t, 'POST', `${paths.public}/documents`, { documentId: ID.unique(), data: { title: 'Lorem' } });
  t.eq(publicResponse.status, 201);
  t.eq((await guest(t, 'POST', `${paths.private}/documents`, { documentId: ID.unique(), data: { title: 'Lorem' } })).status, 401);
  const privateResponse = await t.server('POST', `${paths.private}/documents`, { documentId: ID.unique(), data: { title: 'Lorem' } });
  t.eq(privateResponse.status, 201);
  const publicDocument = await guest(t, 'PATCH', `${paths.public}/documents/${publicResponse.body.$id}`, { data: { title: 'Thor: Ragnarok' } });
  t.eq(publicDocument.status, 200);
  t.eq(publicDocument.body.title, 'Thor: Ragnarok');
  t.eq((await guest(t, 'PATCH', `${paths.private}/documents/${privateResponse.body.$id}`, { data: { title: 'Thor: Ragnarok' } })).status, 401);
  t.eq((await guest(t, 'DELETE', `${paths.public}/documents/${publicResponse.body.$id}`)).status, 204);
  t.eq((await guest(t, 'DELETE', `${paths.private}/documents/${privateResponse.body.$id}`)).status, 401);
});

const testWriteDocumentWithPermissions = def('testWriteDocumentWithPermissions', async (t) => {
  const database = await t.server('POST', '/databases', { databaseId: ID.unique(), name: 'GuestPermissionsWrite' });
  t.eq(database.status, 201);
  t.eq(database.body.name, 'GuestPermissionsWrite');
  const movies = await t.server('POST', `/databases/${database.body.$id}/collections`, { collectionId: ID.unique(), name: 'Movies', permissions: [Permission.create(Role.any())], documentSecurity: true });
  const path = `/databases/${database.body.$id}/collections/${movies.body.$id}`;
  const schema = await t.server('POST', `${path}/attributes/string`, { key: 'title', size: 256, required: true });
  if (checksSetup(t)) {
    t.eq(movies.status, 201);
    t.eq(schema.status, 202);
  }
  await t.settle();
  const document = await guest(t, 'POST', `${path}/documents`, { documentId: ID.unique(), data: { title: 'Thor: Ragnarok' }, permissions: [Permission.read(Role.any())] });
  t.eq(document.status, 201);
  t.eq(document.body.title, 'Thor: Ragnarok');
});

export const guestMethods = [...guestRead, testWriteDocument, testWriteDocumentWithPermissions];

// DatabasesPermissionsMemberTest: documents accumulate over the data sets; each row says how
// many user1 then sees in the public, the users-only and the document-only collection.
const memberCases = [
  [[Permission.read(Role.any())], 1, 1, 1],
  [[Permission.read(Role.users())], 2, 2, 2],
  [[Permission.read(Role.user('random'))], 3, 3, 2],
  [[Permission.read(Role.user('lorem')), Permission.update(Role.user('lorem')), Permission.delete(Role.user('lorem'))], 4, 4, 2],
  [[Permission.read(Role.user('dolor')), Permission.update(Role.user('dolor')), Permission.delete(Role.user('dolor'))], 5, 5, 2],
  [[Permission.read(Role.user('dolor')), Permission.read(Role.user('lorem')), Permission.update(Role.user('dolor')), Permission.delete(Role.user('dolor'))], 6, 6, 2],
  [[Permission.update(Role.any()), Permission.delete(Role.any())], 7, 7, 2],
  [[Permission.read(Role.any()), Permission.update(Role.any()), Permission.delete(Role.any())], 8, 8, 3],
  [[Permission.read(Role.any()), Permission.update(Role.users()), Permission.delete(Role.users())], 9, 9, 4],
  [[Permission.read(Role.user('user1'))], 10, 10, 5],
  [[Permission.read(Role.user('user1')), Permission.read(Role.user('user1'))], 11, 11, 6],
  [[Permission.read(Role.users()), Permission.update(Role.users()), Permission.delete(Role.users())], 12, 12, 7],
];

/**
 * DatabasesPermissionsMemberTest::testSetupDatabase: two users, and a public, a users-only and a
 * document-only collection. 1.9.6's accepts users that exist already and checks the database.
 */
const memberSetup = (release196) => def('testSetupDatabase', async (t) => {
  const users = {};
  for (const [id, email] of [['user1', 'lorem@ipsum.com'], ['user2', 'dolor@ipsum.com']]) {
    const user = await t.server('POST', '/users', { userId: id, email, password: 'test123!' });
    if (release196) t.contains([201, 409], user.status, id);
    else t.eq(user.status, 201);
    const jwt = await t.server('POST', `/users/${id}/jwts`, {});
    users[id] = { 'x-appwrite-jwt': jwt.body.jwt };
  }
  const db = await t.server('POST', '/databases', { databaseId: ID.unique(), name: 'Test Database' });
  t.eq(db.status, 201);
  const base = `/databases/${db.body.$id}/collections`;
  const all = (role) => [Permission.read(role), Permission.create(role), Permission.update(role), Permission.delete(role)];
  const collections = {};
  for (const [name, label, permissions] of [['public', 'Movies', all(Role.any())], ['private', 'Private Movies', all(Role.users())], ['doconly', 'Document Only Movies', []]]) {
    const c = await t.server('POST', base, { collectionId: ID.unique(), name: label, permissions, documentSecurity: true });
    t.eq(c.status, 201);
    collections[name] = `${base}/${c.body.$id}`;
    t.eq((await t.server('POST', `${collections[name]}/attributes/string`, { key: 'title', size: 256, required: true })).status, 202);
  }
  await t.settle();
  if (release196) t.notEmpty(db.body.$id);
  return { users, collections };
});

/** The data sets as user1 reads them: exact totals (1.8.1) or at least so many (1.9.6). */
const memberRead = (cases, atLeast) => cases.map(([permissions, anyCount, usersCount, docOnlyCount], n) => def(`testReadDocuments with data set #${n}`, async (t, data) => {
  for (const path of Object.values(data.collections)) {
    t.eq((await t.server('POST', `${path}/documents`, { documentId: ID.unique(), data: { title: 'Lorem' }, permissions })).status, 201);
  }
  for (const [name, expected] of [['public', anyCount], ['private', usersCount], ['doconly', docOnlyCount]]) {
    const documents = await t.call('GET', `${data.collections[name]}/documents`, {}, data.users.user1);
    t.eq(documents.status, 200);
    if (atLeast) t.ok(documents.body.total >= expected, `${name}: at least ${expected}, got ${documents.body.total}`);
    else t.eq(documents.body.total, expected, name);
  }
}, { depends: 'testSetupDatabase' }));

export const memberMethods = [memberSetup(false), ...memberRead(memberCases, false)];

// 1.9.6's member test: each data set asks for at least so many documents.
const memberCases196 = [
  [[Permission.read(Role.any())], 1, 1, 1],
  [[Permission.read(Role.users())], 1, 1, 1],
  [[Permission.read(Role.user('random'))], 1, 1, 0],
  [[Permission.read(Role.user('lorem')), Permission.update(Role.user('lorem')), Permission.delete(Role.user('lorem'))], 1, 1, 0],
  [[Permission.read(Role.user('dolor')), Permission.update(Role.user('dolor')), Permission.delete(Role.user('dolor'))], 1, 1, 0],
  [[Permission.read(Role.user('dolor')), Permission.read(Role.user('lorem')), Permission.update(Role.user('dolor')), Permission.delete(Role.user('dolor'))], 1, 1, 0],
  [[Permission.update(Role.any()), Permission.delete(Role.any())], 1, 1, 0],
  [[Permission.read(Role.any()), Permission.update(Role.any()), Permission.delete(Role.any())], 1, 1, 1],
  [[Permission.read(Role.any()), Permission.update(Role.users()), Permission.delete(Role.users())], 1, 1, 1],
  [[Permission.read(Role.user('user1'))], 1, 1, 1],
  [[Permission.read(Role.user('user1')), Permission.read(Role.user('user1'))], 1, 1, 1],
  [[Permission.read(Role.users()), Permission.update(Role.users()), Permission.delete(Role.users())], 1, 1, 1],
];

export const memberMethods196 = [memberSetup(true), ...memberRead(memberCases196, true)];
export const memberOutOfScope = {};
export const teamOutOfScope = { testSetupDatabase: 'teams', testReadDocuments: 'teams (all data sets)' };
