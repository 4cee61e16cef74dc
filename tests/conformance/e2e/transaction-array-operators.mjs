// Port of the array-operator methods of Appwrite 1.8.1's `tests/e2e/Services/Databases/TablesDB/
// Transactions/TransactionsBase.php`, which its 1.9.6 successor `…/Databases/Transactions/
// TransactionsBase.php` runs for both APIs: array operators (remove, append, insert, prepend)
// staged as operations or through `transactionId`, applied in order at commit. Written in the
// collections API's names, they run as the TablesDB originals through the dialect layer.

import { ID, Permission, Role } from 'node-appwrite';
import { def } from './harness.mjs';

/** An update operator as Appwrite's SDKs send it: the JSON text of `{method, values}`. */
const operator = (method, ...values) => JSON.stringify({ method, attribute: '', values });

/** A collection of string arrays anyone may use, one document of it, and a transaction. */
async function arrays(t, name, collectionName, keys, documentId, data) {
  const database = await t.server('POST', '/databases', { databaseId: ID.unique(), name });
  t.eq(database.status, 201);
  const permissions = ['create', 'read', 'update', 'delete'].map((kind) => Permission[kind](Role.any()));
  const collection = await t.server('POST', `/databases/${database.body.$id}/collections`, { collectionId: ID.unique(), name: collectionName, permissions });
  t.eq(collection.status, 201);
  const path = `/databases/${database.body.$id}/collections/${collection.body.$id}`;
  for (const key of keys) {
    t.eq((await t.server('POST', `${path}/attributes/string`, { key, size: 255, required: false, array: true })).status, 202, key);
  }
  await t.settle();
  const document = await t.side('POST', `${path}/documents`, { documentId, data });
  t.eq(document.status, 201);
  const transaction = await t.side('POST', '/databases/transactions');
  t.eq(transaction.status, 201);
  return {
    databaseId: database.body.$id, collectionId: collection.body.$id, document, transactionId: transaction.body.$id,
    documentPath: `${path}/documents/${documentId}`,
  };
}

const commit = (t, id) => t.side('PATCH', `/databases/transactions/${id}`, { commit: true });

const testArrayOperatorsWithCreateOperations = def('testArrayOperatorsWithCreateOperations', async (t) => {
  const fixture = await arrays(t, 'ArrayOperatorsBulkTestDB', 'Tags', ['tags'], 'doc1', { tags: ['php', 'javascript', 'python', 'ruby'] });
  const { databaseId, collectionId, transactionId } = fixture;
  const update = (tags) => ({ action: 'update', databaseId, collectionId, documentId: 'doc1', data: { tags } });
  const staged = await t.side('POST', `/databases/transactions/${transactionId}/operations`, {
    operations: [update(operator('arrayRemove', 'javascript')), update(operator('arrayAppend', 'go', 'rust'))],
  });
  t.eq(staged.status, 201);
  t.eq(staged.body.operations, 2);
  t.eq((await commit(t, transactionId)).status, 200);
  const document = await t.side('GET', fixture.documentPath);
  t.eq(document.status, 200);
  t.eq(document.body.tags, ['php', 'python', 'ruby', 'go', 'rust']);
});

const testArrayOperatorsWithUpdateRow = def('testArrayOperatorsWithUpdateRow', async (t) => {
  const fixture = await arrays(t, 'ArrayOperatorsTestDB', 'Items', ['items'], 'test-row', { items: ['item1', 'item2', 'item3', 'item4'] });
  const { transactionId, documentPath } = fixture;
  t.eq(fixture.document.body.items, ['item1', 'item2', 'item3', 'item4']);
  t.eq((await t.side('PATCH', documentPath, { transactionId, data: { items: operator('arrayRemove', 'item2') } })).status, 200);
  t.eq((await t.side('PATCH', documentPath, { transactionId, data: { items: operator('arrayInsert', 2, 'newItem') } })).status, 200);
  t.eq((await commit(t, transactionId)).status, 200);
  const document = await t.side('GET', documentPath);
  t.eq(document.status, 200);
  t.eq(document.body.items, ['item1', 'item3', 'newItem', 'item4']);
});

const testMultipleArrayOperators = def('testMultipleArrayOperators', async (t) => {
  const fixture = await arrays(t, 'MultipleOperatorsTestDB', 'Arrays', ['list1', 'list2', 'list3'], 'multi-ops',
    { list1: ['a', 'b', 'c'], list2: ['x', 'y', 'z'], list3: ['1', '2', '3', '4', '5'] });
  const { transactionId, documentPath } = fixture;
  await t.side('PATCH', documentPath, { transactionId, data: { list1: operator('arrayPrepend', 'z') } });
  await t.side('PATCH', documentPath, { transactionId, data: { list2: operator('arrayAppend', 'w') } });
  await t.side('PATCH', documentPath, { transactionId, data: { list3: operator('arrayRemove', '3') } });
  t.eq((await commit(t, transactionId)).status, 200);
  const document = await t.side('GET', documentPath);
  t.eq(document.status, 200);
  t.eq(document.body.list1, ['z', 'a', 'b', 'c'], 'arrayPrepend should add element at the beginning');
  t.eq(document.body.list2, ['x', 'y', 'z', 'w'], 'arrayAppend should add element at the end');
  t.eq(document.body.list3, ['1', '2', '4', '5'], 'arrayRemove should remove the element');
});

export const methods = [testArrayOperatorsWithCreateOperations, testArrayOperatorsWithUpdateRow, testMultipleArrayOperators];
