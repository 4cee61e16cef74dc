// Port of the methods Appwrite 1.8.1's `tests/e2e/Services/Databases/TablesDB/Transactions/
// TransactionsBase.php` has and its collections-API twin lacks, and which its 1.9.6 successor
// still runs for TablesDB only: increments followed by updates, a commit through the other API's
// transaction route, bulk operations over rows created earlier in the same transaction, an
// upsert's staged row updated again. They speak TablesDB themselves (their `/tablesdb/…` paths
// pass the dialect layer untouched). The array-operator methods, which 1.9.6 runs for both APIs,
// are in `transaction-array-operators.mjs`.

import { ID, Permission, Query, Role } from 'node-appwrite';
import { def } from './harness.mjs';

const anyone = (...kinds) => kinds.map((kind) => Permission[kind](Role.any()));

/** A database and a table (no row security) with `columns`, the worker waited for. */
async function table(t, name, tableName, permissions, columns) {
  const database = await t.server('POST', '/tablesdb', { databaseId: ID.unique(), name });
  const created = await t.server('POST', `/tablesdb/${database.body.$id}/tables`, { tableId: ID.unique(), name: tableName, permissions });
  const path = `/tablesdb/${database.body.$id}/tables/${created.body.$id}`;
  for (const [kind, body] of columns) await t.server('POST', `${path}/columns/${kind}`, body);
  await t.settle();
  return { databaseId: database.body.$id, tableId: created.body.$id, rows: `${path}/rows` };
}

const begin = (t) => t.side('POST', '/tablesdb/transactions');
const stage = (t, id, operations, as = 'server') => t[as]('POST', `/tablesdb/transactions/${id}/operations`, { operations });
const commit = (t, id, as = 'server') => t[as]('PATCH', `/tablesdb/transactions/${id}`, { commit: true });
const operation = ({ databaseId, tableId }, action, rowId, data) => ({ databaseId, tableId, action, ...(rowId === undefined ? {} : { rowId }), data });

const testIncrementThenUpdate = def('testIncrementThenUpdate', async (t) => {
  const fixture = await table(t, 'IncrementUpdateTestDB', 'CounterTable', anyone('create', 'read', 'update'), [
    ['integer', { key: 'counter', required: false, default: 0 }], ['string', { key: 'status', size: 50, required: false }],
  ]);
  t.eq((await t.side('POST', fixture.rows, { rowId: 'test_row', data: { counter: 10, status: 'initial' } })).status, 201);
  const id = (await begin(t)).body.$id;
  t.eq((await stage(t, id, [
    operation(fixture, 'increment', 'test_row', { column: 'counter', value: 5 }),
    operation(fixture, 'update', 'test_row', { status: 'updated' }),
  ])).status, 201);
  t.eq((await commit(t, id)).status, 200);
  const row = await t.side('GET', `${fixture.rows}/test_row`);
  t.eq(row.status, 200);
  t.eq(row.body.counter, 15, 'Counter should be incremented: 10 + 5 = 15');
  t.eq(row.body.status, 'updated', 'Status should be updated');
});

const testCrossAPIIncrementDecrement = def('testCrossAPIIncrementDecrement', async (t) => {
  const fixture = await table(t, 'CrossAPITestDB', 'CrossAPITable', anyone('create', 'read', 'update'), [
    ['integer', { key: 'balance', required: false, default: 0 }],
  ]);
  await t.side('POST', fixture.rows, { rowId: 'test', data: { balance: 100 } });
  const id = (await begin(t)).body.$id;
  await t.side('PATCH', `${fixture.rows}/test/balance/decrement`, { transactionId: id, value: 30 });
  // Staged through TablesDB, committed through the collections API's route.
  const committed = await t.side('PATCH', `/databases/transactions/${id}`, { commit: true });
  t.eq(committed.status, 200, 'Cross-API commit should succeed');
  const row = await t.side('GET', `${fixture.rows}/test`);
  t.eq(row.status, 200);
  t.eq(row.body.balance, 70, 'Balance should be 100 - 30 = 70');
});

/** A row created in a transaction, then a bulk operation of the same transaction over it. */
function dependent(name, databaseName, permission, column, bulk, check) {
  return def(name, async (t) => {
    const fixture = await table(t, databaseName, 'TestTable', anyone('create', 'read', permission), [
      ['string', { key: column, size: 50, required: false }],
    ]);
    const id = (await begin(t)).body.$id;
    const created = operation(fixture, 'create', 'doc1', { [column]: column === 'status' ? 'pending' : 'Test' });
    t.eq((await stage(t, id, [created, bulk(fixture)])).status, 201);
    t.eq((await commit(t, id)).status, 200, `${bulk(fixture).action} should succeed on dependent documents`);
    await check(t, fixture);
  });
}

const approved = async (t, fixture) => {
  const row = await t.side('GET', `${fixture.rows}/doc1`);
  t.eq(row.status, 200);
  t.eq(row.body.status, 'approved');
};

const testBulkUpdateWithDependentDocuments = dependent('testBulkUpdateWithDependentDocuments', 'BulkUpdateDependentDB', 'update', 'status',
  (fixture) => operation(fixture, 'bulkUpdate', undefined, { queries: [], data: { status: 'approved' } }), approved);

const testBulkDeleteWithDependentDocuments = dependent('testBulkDeleteWithDependentDocuments', 'BulkDeleteDependentDB', 'delete', 'name',
  (fixture) => operation(fixture, 'bulkDelete', undefined, { queries: [] }),
  async (t, fixture) => t.eq((await t.side('GET', fixture.rows)).body.total, 0));

const testBulkUpsertWithDependentDocuments = dependent('testBulkUpsertWithDependentDocuments', 'BulkUpsertDependentDB', 'update', 'status',
  (fixture) => operation(fixture, 'bulkUpsert', undefined, [{ $id: 'doc1', status: 'approved' }]), approved);

const testUpsertAutoIdThenUpdate = def('testUpsertAutoIdThenUpdate', async (t) => {
  const fixture = await table(t, 'UpsertAutoIDTestDB', 'TestCollection', anyone('create', 'read', 'update'), [
    ['string', { key: 'name', size: 256, required: true }], ['integer', { key: 'counter', required: false, min: 0, max: 10000 }],
  ]);
  const transactionId = (await begin(t)).body.$id;
  let response = await t.server('POST', fixture.rows, { rowId: ID.unique(), data: { name: 'Initial document', counter: 5 }, transactionId });
  t.eq(response.status, 201);
  const path = `${fixture.rows}/${response.body.$id}`;
  response = await t.server('PUT', path, { data: { name: 'Upserted in transaction', counter: 10 }, transactionId });
  t.eq(response.status, 201);
  response = await t.server('PATCH', path, { data: { name: 'Updated after upsert', counter: 20 }, transactionId });
  t.eq(response.status, 200);
  t.eq((await commit(t, transactionId)).status, 200);
  response = await t.side('GET', path);
  t.eq(response.status, 200);
  t.eq(response.body.name, 'Updated after upsert');
  t.eq(response.body.counter, 20);
});

const testBulkUpdateMatchesCreatedDocsInSameTransaction = def('testBulkUpdateMatchesCreatedDocsInSameTransaction', async (t) => {
  const fixture = await table(t, 'BulkUpdateStateDB', 'TestTable', anyone('read', 'create', 'update', 'delete'), [
    ['string', { key: 'status', size: 256, required: true }], ['string', { key: 'flag', size: 256, required: false }],
  ]);
  const transactionId = (await begin(t)).body.$id;
  const ids = [];
  for (let i = 1; i <= 3; i++) {
    const response = await t.server('POST', fixture.rows, { rowId: `test_${i}`, data: { status: 'pending' }, transactionId });
    t.eq(response.status, 201);
    ids.push(response.body.$id);
  }
  const response = await t.server('PATCH', fixture.rows, { data: { flag: 'processed' }, queries: [Query.equal('status', ['pending'])], transactionId });
  t.eq(response.status, 200);
  t.eq((await commit(t, transactionId)).status, 200);
  for (const id of ids) {
    const row = await t.side('GET', `${fixture.rows}/${id}`);
    t.eq(row.status, 200);
    t.eq(row.body.status, 'pending');
    t.eq(row.body.flag, 'processed', 'Bulk update should have matched document created in same transaction');
  }
});

/** TablesDB's testCreateOperationsValidation refuses these besides the collections API's nine. */
export function moreRefusedOperations(databaseId, tableId) {
  return [
    [{ action: 'create', databaseId, rowId: ID.unique(), data: { name: 'Test' } }],
    [{ action: 'bulkUpdate', databaseId, tableId, data: { queries: 'not an array', data: { name: 'Updated' } } }],
    [{ action: 'bulkDelete', databaseId, tableId, data: [] }],
    [{ action: 'increment', databaseId, tableId, rowId: ID.unique(), data: { value: 1 } }],
    // Sent as the original sends it: the column under the collections API's key.
    [{ action: 'decrement', databaseId, tableId, rowId: ID.unique(), data: { attribute: 'counter', value: 'not a number' } }],
  ];
}

export const methods = [
  testIncrementThenUpdate, testCrossAPIIncrementDecrement, testBulkUpdateWithDependentDocuments,
  testBulkDeleteWithDependentDocuments, testBulkUpsertWithDependentDocuments, testUpsertAutoIdThenUpdate,
  testBulkUpdateMatchesCreatedDocsInSameTransaction,
];
