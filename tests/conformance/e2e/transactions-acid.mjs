// Port of Appwrite 1.8.1 `tests/e2e/Services/Databases/Legacy/Transactions/ACIDTest.php` and
// its TablesDB twin `…/TablesDB/Transactions/ACIDTest.php`: atomicity, consistency, isolation
// and durability of transactions staged through the operations endpoint. The two classes are
// one test with the names swapped, so both are made from one description of the API's names.

import { ID, Permission, Role } from 'node-appwrite';
import { def } from './harness.mjs';

const LEGACY = {
  root: '/databases', group: 'collections', groupId: 'collectionId', resource: 'documents',
  resourceId: 'documentId', fields: 'attributes', security: 'documentSecurity', column: 'attribute',
};
const TABLESDB = {
  root: '/tablesdb', group: 'tables', groupId: 'tableId', resource: 'rows',
  resourceId: 'rowId', fields: 'columns', security: 'rowSecurity', column: 'column',
};

function acid(api) {
  const database = async (t, name) => {
    const created = await t.server('POST', api.root, { databaseId: ID.unique(), name });
    t.eq(created.status, 201);
    return created.body.$id;
  };
  const table = async (t, db, name, permissions) => {
    const created = await t.server('POST', `${api.root}/${db}/${api.group}`, {
      [api.groupId]: ID.unique(), name, [api.security]: false, permissions,
    });
    return `${api.root}/${db}/${api.group}/${created.body.$id}`;
  };
  const transaction = async (t) => {
    const created = await t.server('POST', `${api.root}/transactions`);
    return created;
  };
  const operation = (db, path, action, id, data) => ({
    databaseId: db, [api.groupId]: path.split('/').pop(), action, [api.resourceId]: id, data,
  });
  const stage = (t, id, operations) => t.server('POST', `${api.root}/transactions/${id}/operations`, { operations });
  const commit = (t, id) => t.server('PATCH', `${api.root}/transactions/${id}`, { commit: true });

  const testAtomicity = def('testAtomicity', async (t) => {
    const db = await database(t, 'AtomicityTestDB');
    const path = await table(t, db, 'AtomicityTest', [Permission.create(Role.any()), Permission.read(Role.any())]);
    await t.server('POST', `${path}/${api.fields}/string`, { key: 'email', size: 256, required: true });
    await t.settle();
    await t.server('POST', `${path}/indexes`, { key: 'unique_email', type: 'unique', [api.fields]: ['email'] });
    await t.settle();
    const first = await t.side('POST', `${path}/${api.resource}`, { [api.resourceId]: ID.unique(), data: { email: 'existing@example.com' } });
    t.eq(first.status, 201);
    const tx = await transaction(t);
    t.eq(tx.status, 201, 'transaction created');
    t.has(tx.body, '$id');
    const staged = await stage(t, tx.body.$id, [
      operation(db, path, 'create', ID.unique(), { email: 'newuser@example.com' }),
      operation(db, path, 'create', ID.unique(), { email: 'existing@example.com' }),
      operation(db, path, 'create', ID.unique(), { email: 'anotheruser@example.com' }),
    ]);
    t.eq(staged.status, 201, 'operations staged');
    const committed = await commit(t, tx.body.$id);
    const listed = await t.side('GET', `${path}/${api.resource}`);
    if (committed.status === 200) {
      t.ok(listed.body.total >= 1);
    } else {
      t.eq(committed.status, 409, 'a unique conflict is a 409');
      t.eq(listed.body.total, 1, 'only the original');
      t.eq(listed.body[api.resource]?.[0]?.email, 'existing@example.com');
    }
  });

  const testConsistency = def('testConsistency', async (t) => {
    const db = await database(t, 'ConsistencyTestDB');
    const path = await table(t, db, 'ConsistencyTest', [Permission.create(Role.any()), Permission.read(Role.any())]);
    await t.server('POST', `${path}/${api.fields}/string`, { key: 'required_field', size: 256, required: true });
    await t.server('POST', `${path}/${api.fields}/integer`, { key: 'age', required: true, min: 18, max: 100 });
    await t.settle();
    const tx = await transaction(t);
    const staged = await stage(t, tx.body.$id, [
      operation(db, path, 'create', ID.unique(), { required_field: 'Valid User', age: 25 }),
      operation(db, path, 'create', ID.unique(), { required_field: 'Too Young User', age: 10 }),
      operation(db, path, 'create', ID.unique(), { required_field: 'Another Valid User', age: 30 }),
    ]);
    t.eq(staged.status, 201);
    const committed = await commit(t, tx.body.$id);
    t.contains([400, 500], committed.status, 'a commit that breaks a constraint fails');
    t.eq((await t.side('GET', `${path}/${api.resource}`)).body.total, 0);
  });

  const testIsolation = def('testIsolation', async (t) => {
    const db = await database(t, 'IsolationTestDB');
    const path = await table(t, db, 'IsolationTest', [Permission.create(Role.any()), Permission.read(Role.any()), Permission.update(Role.any())]);
    await t.server('POST', `${path}/${api.fields}/integer`, { key: 'counter', required: true, min: 0, max: 1000000 });
    await t.settle();
    const doc = await t.side('POST', `${path}/${api.resource}`, { [api.resourceId]: 'shared_counter', data: { counter: 0 } });
    t.eq(doc.status, 201);
    const tx1 = await transaction(t);
    t.eq(tx1.status, 201);
    t.has(tx1.body, '$id');
    const tx2 = await transaction(t);
    t.eq(tx2.status, 201);
    t.has(tx2.body, '$id');
    await stage(t, tx1.body.$id, [operation(db, path, 'increment', 'shared_counter', { [api.column]: 'counter', value: 10 })]);
    await stage(t, tx2.body.$id, [operation(db, path, 'increment', 'shared_counter', { [api.column]: 'counter', value: 5 })]);
    t.eq((await commit(t, tx1.body.$id)).status, 200);
    t.eq((await commit(t, tx2.body.$id)).status, 200);
    const read = await t.side('GET', `${path}/${api.resource}/shared_counter`);
    t.eq(read.body.counter, 15, 'both increments applied');
  });

  const testDurability = def('testDurability', async (t) => {
    const db = await database(t, 'DurabilityTestDB');
    const everyone = [Permission.create, Permission.read, Permission.update, Permission.delete].map((p) => p(Role.any()));
    const path = await table(t, db, 'DurabilityTest', everyone);
    await t.server('POST', `${path}/${api.fields}/string`, { key: 'data', size: 256, required: true });
    await t.settle();
    const tx = await transaction(t);
    t.eq(tx.status, 201);
    t.has(tx.body, '$id');
    await stage(t, tx.body.$id, [
      operation(db, path, 'create', 'durable_doc_1', { data: 'Important data 1' }),
      operation(db, path, 'create', 'durable_doc_2', { data: 'Important data 2' }),
      operation(db, path, 'update', 'durable_doc_1', { data: 'Updated important data 1' }),
    ]);
    const committed = await commit(t, tx.body.$id);
    t.eq(committed.status, 200, `commit: ${JSON.stringify(committed.body)}`);
    t.eq(committed.body.status, 'committed');
    t.ok((await t.side('GET', `${path}/${api.resource}`)).body.total > 0);
    const one = await t.side('GET', `${path}/${api.resource}/durable_doc_1`);
    t.eq(one.status, 200);
    t.eq(one.body.data, 'Updated important data 1');
    const two = await t.side('GET', `${path}/${api.resource}/durable_doc_2`);
    t.eq(two.status, 200);
    t.eq(two.body.data, 'Important data 2');
    const update = await t.side('PATCH', `${path}/${api.resource}/durable_doc_1`, { data: { data: 'Modified outside transaction' } });
    t.eq(update.status, 200);
    t.eq((await t.side('GET', `${path}/${api.resource}/durable_doc_1`)).body.data, 'Modified outside transaction');
    t.eq((await t.side('GET', `${path}/${api.resource}`)).body.total, 2);
  });

  return [testAtomicity, testConsistency, testIsolation, testDurability];
}

export const legacyMethods = acid(LEGACY);
export const tablesdbMethods = acid(TABLESDB);
