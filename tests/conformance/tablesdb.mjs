// Drives the appwrite-emulator binary through TablesDB with Appwrite's official server SDK
// (node-appwrite): tables, columns, indexes and rows over the same storage as the collections
// API, with TablesDB's model names and error types, and transactions under /tablesdb.
//
// Usage: node tablesdb.mjs [path/to/appwrite-emulator]   (default: ../../target/debug/appwrite-emulator)

import { expectError, startEmulator } from './emulator.mjs';
import assert from 'node:assert/strict';
import { Client, Databases, TablesDB, Query, Permission, Role } from 'node-appwrite';

const binary = process.argv[2] ?? new URL('../../target/debug/appwrite-emulator', import.meta.url).pathname;

let checks = 0;
const step = (name) => console.log(`ok ${++checks} - ${name}`);

const { child, endpoint, project, key } = await startEmulator(binary, 'tables', 'tables-key', 20);
try {
  const admin = new Client().setEndpoint(endpoint).setProject(project).setKey(key);
  const tables = new TablesDB(admin);
  const databases = new Databases(admin);
  const databaseId = 'shop';
  const tableId = 'items';

  const database = await tables.create({ databaseId, name: 'Shop' });
  assert.equal(database.$id, databaseId);
  assert.equal((await tables.list()).total, 1);
  step('a database created and listed through TablesDB');

  const table = await tables.createTable({
    databaseId,
    tableId,
    name: 'Items',
    permissions: [Permission.read(Role.any())],
    rowSecurity: true,
  });
  assert.equal(table.rowSecurity, true);
  assert.ok(!('documentSecurity' in table), 'no collections-API key in a table');
  assert.deepEqual(table.columns, []);
  const listedTables = await tables.listTables({ databaseId });
  assert.equal(listedTables.total, 1);
  assert.equal(listedTables.tables[0].$id, tableId);
  await expectError(tables.getTable({ databaseId, tableId: 'nope' }), 404, 'table_not_found');
  await expectError(tables.createTable({ databaseId, tableId, name: 'Again' }), 409, 'table_already_exists');
  step('a table with rowSecurity; missing and duplicate tables are table_not_found / table_already_exists');

  const base = { databaseId, tableId };
  await tables.createStringColumn({ ...base, key: 'name', size: 64, required: true });
  await tables.createIntegerColumn({ ...base, key: 'stock', required: false, min: 0, max: 100, xdefault: 0 });
  let columns;
  for (let attempt = 0; ; attempt++) {
    columns = await tables.listColumns(base);
    if (columns.columns.every((c) => c.status === 'available')) break;
    assert.ok(attempt < 100, 'columns never became available');
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(columns.total, 2);
  assert.deepEqual(columns.columns.map((c) => c.key).sort(), ['name', 'stock']);
  assert.equal((await tables.getColumn({ ...base, key: 'stock' })).type, 'integer');
  await expectError(tables.getColumn({ ...base, key: 'nope' }), 404, 'column_not_found');
  const index = await tables.createIndex({ ...base, key: 'by_name', type: 'key', columns: ['name'] });
  assert.deepEqual(index.columns, ['name']);
  assert.ok(!('attributes' in index));
  step('columns listed as `columns`, indexes name their `columns`, a missing column is column_not_found');

  const row = await tables.createRow({ ...base, rowId: 'lamp', data: { name: 'Lamp', stock: 3 } });
  assert.equal(row.$id, 'lamp');
  assert.equal(row.$tableId, tableId);
  assert.equal(row.$databaseId, databaseId);
  assert.ok(!('$collectionId' in row), 'a row names its table, not a collection');
  assert.equal((await tables.getRow({ ...base, rowId: 'lamp' })).name, 'Lamp');
  await expectError(tables.getRow({ ...base, rowId: 'nope' }), 404, 'row_not_found');
  await expectError(tables.createRow({ ...base, rowId: 'lamp', data: { name: 'Again' } }), 409, 'row_already_exists');
  step('rows created and read with $tableId; row_not_found and row_already_exists');

  const updated = await tables.updateRow({ ...base, rowId: 'lamp', data: { stock: 5 } });
  assert.equal(updated.stock, 5);
  const upserted = await tables.upsertRow({ ...base, rowId: 'desk', data: { name: 'Desk', stock: 1 } });
  assert.equal(upserted.$tableId, tableId);
  assert.equal((await tables.incrementRowColumn({ ...base, rowId: 'lamp', column: 'stock', value: 2 })).stock, 7);
  assert.equal((await tables.decrementRowColumn({ ...base, rowId: 'lamp', column: 'stock', value: 7, min: 0 })).stock, 0);
  const bulk = await tables.createRows({ ...base, rows: [{ $id: 'chair', name: 'Chair' }, { $id: 'shelf', name: 'Shelf' }] });
  assert.equal(bulk.total, 2);
  assert.equal(bulk.rows[0].$tableId, tableId);
  const listed = await tables.listRows({ ...base, queries: [Query.orderAsc('$id')] });
  assert.equal(listed.total, 4);
  assert.deepEqual(listed.rows.map((r) => r.$id), ['chair', 'desk', 'lamp', 'shelf']);
  await tables.deleteRow({ ...base, rowId: 'shelf' });
  assert.equal((await tables.listRows(base)).total, 3);
  step('update, upsert, increment, decrement, bulk create, list (`rows`) and delete');

  // One storage: what TablesDB wrote, the collections API reads, under its own names.
  const document = await databases.getDocument({ databaseId, collectionId: tableId, documentId: 'lamp' });
  assert.equal(document.$collectionId, tableId);
  assert.equal(document.stock, 0);
  await databases.createDocument({ databaseId, collectionId: tableId, documentId: 'stool', data: { name: 'Stool' } });
  assert.equal((await tables.getRow({ ...base, rowId: 'stool' })).$tableId, tableId);
  step('rows and documents are the same records, each API with its own names');

  const transaction = await tables.createTransaction({ ttl: 60 });
  assert.equal(transaction.status, 'pending');
  const staged = await tables.createOperations({
    transactionId: transaction.$id,
    operations: [
      { action: 'create', databaseId, tableId, rowId: 'bench', data: { name: 'Bench', stock: 2 } },
      { action: 'decrement', databaseId, tableId, rowId: 'bench', data: { column: 'stock', value: 1, min: 0 } },
      { action: 'delete', databaseId, tableId, rowId: 'stool' },
    ],
  });
  assert.equal(staged.operations, 3);
  const committed = await tables.updateTransaction({ transactionId: transaction.$id, commit: true });
  assert.equal(committed.status, 'committed');
  assert.equal((await tables.getRow({ ...base, rowId: 'bench' })).stock, 1);
  await expectError(tables.getRow({ ...base, rowId: 'stool' }), 404, 'row_not_found');
  step('a transaction staged with tableId/rowId and committed under /tablesdb');

  // Writes that name a transaction are staged, not applied, until it commits.
  const staging = await tables.createTransaction();
  const transactionId = staging.$id;
  const mock = await tables.createRow({ ...base, rowId: 'lamp2', data: { name: 'Lamp 2', stock: 4 }, transactionId });
  assert.equal(mock.$id, 'lamp2');
  await tables.updateRow({ ...base, rowId: 'bench', data: { stock: 9 }, transactionId });
  await tables.decrementRowColumn({ ...base, rowId: 'lamp2', column: 'stock', value: 1, transactionId });
  await tables.deleteRow({ ...base, rowId: 'desk', transactionId });
  await expectError(tables.getRow({ ...base, rowId: 'lamp2' }), 404, 'row_not_found');
  assert.equal((await tables.getRow({ ...base, rowId: 'bench' })).stock, 1, 'not applied before the commit');
  assert.equal((await tables.getTransaction({ transactionId })).operations, 4);
  // Reads naming the transaction see its staged writes; nobody else does, and nothing is kept.
  assert.equal((await tables.getRow({ ...base, rowId: 'lamp2', transactionId })).stock, 3, 'created then decremented, within');
  assert.equal((await tables.getRow({ ...base, rowId: 'bench', transactionId })).stock, 9, 'updated, within');
  await expectError(tables.getRow({ ...base, rowId: 'desk', transactionId }), 404, 'row_not_found');
  const within = await tables.listRows({ ...base, queries: [Query.orderAsc('name')], transactionId });
  assert.deepEqual(within.rows.map((r) => r.$id), ['bench', 'chair', 'lamp', 'lamp2'], 'desk deleted and lamp2 created, within');
  assert.equal(within.total, 4);
  assert.deepEqual((await tables.listRows({ ...base, queries: [Query.orderAsc('name')] })).rows.map((r) => r.$id), ['bench', 'chair', 'desk', 'lamp']);
  assert.equal((await tables.getTransaction({ transactionId })).operations, 4, 'reading stages nothing');
  step('reads naming a transactionId see its staged writes, and only they do');
  await tables.updateTransaction({ transactionId, commit: true });
  assert.equal((await tables.getRow({ ...base, rowId: 'lamp2' })).stock, 3);
  assert.equal((await tables.getRow({ ...base, rowId: 'bench' })).stock, 9);
  await expectError(tables.getRow({ ...base, rowId: 'desk' }), 404, 'row_not_found');
  const legacy = await databases.createTransaction();
  await databases.createDocument({ databaseId, collectionId: tableId, documentId: 'lamp3', data: { name: 'Lamp 3' }, transactionId: legacy.$id });
  await databases.updateTransaction({ transactionId: legacy.$id, rollback: true });
  await expectError(tables.getRow({ ...base, rowId: 'lamp3' }), 404, 'row_not_found');
  step('writes naming a transactionId are staged, applied at commit and dropped by a rollback');

  await tables.deleteTable({ databaseId, tableId });
  await expectError(tables.listRows(base), 404, 'table_not_found');
  step('a deleted table is gone for its rows too');

  console.log(`all ${checks} TablesDB conformance steps passed`);
} finally {
  child.kill();
}
