// Port of Appwrite 1.8.1 `tests/e2e/Services/Databases/Legacy/DatabasesCustomClientTest.php`:
// the methods only the client side (a user's JWT here, a session cookie there) runs.

import { ID, Permission, Role } from 'node-appwrite';
import { def } from './harness.mjs';

const testAllowedPermissions = def('testAllowedPermissions', async (t) => {
  const database = await t.server('POST', '/databases', { databaseId: ID.unique(), name: 'Test Database' });
  const me = Role.user(t.user.$id);
  // On a collection, write means create, update and delete.
  const movies = await t.server('POST', `/databases/${database.body.$id}/collections`, { collectionId: ID.unique(), name: 'Movies', documentSecurity: true, permissions: [Permission.write(me)] });
  for (const p of [Permission.create(me), Permission.update(me), Permission.delete(me)]) t.contains(movies.body.$permissions, p);
  const path = `/databases/${database.body.$id}/collections/${movies.body.$id}`;
  const response = await t.server('POST', `${path}/attributes/string`, { key: 'title', size: 256, required: true });
  await t.settle();
  t.eq(response.status, 202);
  // On a document, write means update and delete; create is not a document permission.
  const document1 = await t.side('POST', `${path}/documents`, { documentId: ID.unique(), data: { title: 'Captain America' }, permissions: [Permission.write(me)] });
  t.notContains(document1.body.$permissions, Permission.create(me));
  t.contains(document1.body.$permissions, Permission.update(me));
  t.contains(document1.body.$permissions, Permission.delete(me));
  const document2 = await t.side('POST', `${path}/documents`, { documentId: ID.unique(), data: { title: 'Captain America' }, permissions: [Permission.create(me)] });
  t.eq(document2.status, 400);
});

const testUpdateWithoutPermission = def('testUpdateWithoutPermission', async (t) => {
  // The original reads the user's id from GET /account (the account service is out of scope).
  t.skip(1, 'GET /account');
  const userId = t.user.$id;
  const database = await t.server('POST', '/databases', { databaseId: 'permissionCheckDatabase', name: 'Test Database' });
  t.eq(database.status, 201);
  t.eq(database.body.name, 'Test Database');
  const base = `/databases/${database.body.$id}/collections`;
  t.eq((await t.server('POST', base, { collectionId: 'permissionCheck', name: 'permissionCheck', permissions: [], documentSecurity: true })).status, 201);
  t.eq((await t.server('POST', `${base}/permissionCheck/attributes/string`, { key: 'name', size: 255, required: true })).status, 202);
  await t.settle();
  const created = await t.server('POST', `${base}/permissionCheck/documents`, {
    documentId: 'permissionCheckDocument', data: { name: 'AppwriteBeginner' },
    permissions: [Permission.read(Role.user('user2')), Permission.read(Role.user(userId)), Permission.update(Role.user(userId)), Permission.delete(Role.user(userId))],
  });
  t.eq(created.status, 201);
  // The document grants read to another user; updating without naming permissions must not
  // fail the check that a client can only grant its own roles.
  const path = `${base}/permissionCheck/documents/permissionCheckDocument`;
  t.eq((await t.side('PATCH', path, { data: { name: 'AppwriteExpert' } })).status, 200);
  const response = await t.side('GET', path);
  t.eq(response.status, 200);
  t.eq(response.body.name, 'AppwriteExpert');
  t.eq((await t.server('DELETE', `${base}/permissionCheck`)).status, 204);
  await t.settle();
  t.eq((await t.server('GET', `${base}/permissionCheck`)).status, 404);
  return [];
});

export const methods = [testAllowedPermissions, testUpdateWithoutPermission];
export const outOfScope = {
  testUpdateTwoWayRelationship: 'relationships',
  testRelationshipSameTwoWayKey: 'relationships',
  testUpdateWithoutRelationPermission: 'relationships',
};
