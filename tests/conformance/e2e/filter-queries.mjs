// Port of the methods Appwrite 1.8.1's `tests/e2e/Services/Databases/TablesDB/DatabasesBase.php`
// has and its collections-API twin lacks, which 1.9.6's `…/Databases/DatabasesBase.php` runs for
// both APIs: the negated filters (notContains, notSearch, notBetween, notStartsWith, notEndsWith)
// and the timestamp helpers (createdBefore/After/Between, updatedBefore/After/Between). Written
// in the collections API's names, they run as the TablesDB originals through the dialect layer.

import { ID, Permission, Role, Query } from 'node-appwrite';
import { def, sleep } from './harness.mjs';

// The originals sleep a second between writes so that their timestamps differ; the emulator
// stamps milliseconds, so a short gap keeps them apart as surely.
const GAP_MS = 20;

/**
 * The originals' common setup: a database named `name`, one table with row security and two
 * required columns, the worker waited for. Returns the path of the table's rows.
 */
async function table(t, name, tableName, columns, tablePermissions) {
  const database = await t.server('POST', '/databases', { databaseId: ID.unique(), name });
  t.notEmpty(database.body.$id);
  t.eq(database.status, 201);
  t.eq(database.body.name, name);
  const created = await t.server('POST', `/databases/${database.body.$id}/collections`, {
    collectionId: ID.unique(), name: tableName, documentSecurity: true, permissions: tablePermissions,
  });
  t.eq(created.status, 201);
  t.eq(created.body.name, tableName);
  const path = `/databases/${database.body.$id}/collections/${created.body.$id}`;
  for (const [kind, body] of columns) t.eq((await t.server('POST', `${path}/attributes/${kind}`, { required: true, ...body })).status, 202, body.key);
  await t.settle();
  return `${path}/documents`;
}

const userRole = (t) => Role.user(t.user.$id);

async function row(t, rows, data, permissions) {
  const created = await t.side('POST', rows, { documentId: ID.unique(), data, permissions });
  t.eq(created.status, 201, JSON.stringify(data));
  return created.body;
}

const list = (t, rows, queries) => t.side('GET', rows, { queries });

/** The five negated filters share one shape: three rows, one filter, the two that pass. */
function negated(name, tableName, [first, second], rowsData, filter, key, expected, options = {}) {
  return def(name, async (t) => {
    const method = name.replace(/^test/, '');
    const rows = await table(t, `${method} test`, tableName, [first, second], [Permission.create(userRole(t))]);
    if (options.fulltext) {
      const indexes = rows.replace(/\/documents$/, '/indexes');
      await t.server('POST', indexes, { key: options.fulltext.key, type: 'fulltext', attributes: [options.fulltext.column] });
      // The original counts on Appwrite's worker finishing the index while it writes its rows;
      // the emulator's worker is slowed down on purpose, so the port waits for it.
      await t.settle();
    }
    for (const data of rowsData) await row(t, rows, data, [Permission.read(userRole(t))]);
    const listed = await list(t, rows, filter);
    t.eq(listed.status, 200);
    t.count(listed.body.documents, expected.length);
    expected.forEach((value, i) => t.eq(listed.body.documents?.[i]?.[key], value, `row ${i}`));
  });
}

const string = (key, size = 256) => ['string', { key, size }];

const testNotContains = negated('testNotContains', 'Movies', [string('title'), string('genre')], [
  { title: 'Spider-Man: Homecoming', genre: 'Action' },
  { title: 'The Avengers', genre: 'Action' },
  { title: 'Romantic Comedy', genre: 'Romance' },
], [Query.select(['title', 'genre']), Query.notContains('title', ['Spider']), Query.limit(999), Query.offset(0)], 'title', ['The Avengers', 'Romantic Comedy']);

const testNotSearch = negated('testNotSearch', 'Books', [string('title'), string('description', 2048)], [
  { title: 'Science Fiction Adventures', description: 'A thrilling journey through space and time' },
  { title: 'Romance Novel', description: 'A love story set in modern times' },
  { title: 'Mystery Thriller', description: 'A detective solves complex crimes' },
], [Query.notSearch('description', 'space')], 'title', ['Romance Novel', 'Mystery Thriller'], { fulltext: { key: 'fts_description', column: 'description' } });

const testNotBetween = negated('testNotBetween', 'Products', [string('name'), ['float', { key: 'price' }]], [
  { name: 'Cheap Product', price: 5.99 },
  { name: 'Mid Product', price: 25.0 },
  { name: 'Expensive Product', price: 150.0 },
], [Query.notBetween('price', 10, 50)], 'name', ['Cheap Product', 'Expensive Product']);

const testNotStartsWith = negated('testNotStartsWith', 'Employees', [string('name'), string('department')], [
  { name: 'John Smith', department: 'Engineering' },
  { name: 'Jane Doe', department: 'Marketing' },
  { name: 'Bob Johnson', department: 'Sales' },
], [Query.notStartsWith('name', 'John')], 'name', ['Jane Doe', 'Bob Johnson']);

const testNotEndsWith = negated('testNotEndsWith', 'Files', [string('filename'), string('type')], [
  { filename: 'row.pdf', type: 'PDF' },
  { filename: 'image.jpg', type: 'Image' },
  { filename: 'presentation.pptx', type: 'Presentation' },
], [Query.notEndsWith('filename', '.pdf')], 'filename', ['image.jpg', 'presentation.pptx']);

/** createdBefore / createdAfter: three rows apart in time, split at the second's `$createdAt`. */
function createdSplit(name, tableName, columns, rowsData, query, key, expected) {
  return def(name, async (t) => {
    const rows = await table(t, `${name.replace(/^test/, '')} test`, tableName, columns, [Permission.create(userRole(t))]);
    const created = [];
    for (const [i, data] of rowsData.entries()) {
      if (i > 0) await sleep(GAP_MS);
      created.push(await row(t, rows, data, [Permission.read(userRole(t))]));
    }
    const listed = await list(t, rows, [query(created[1].$createdAt)]);
    t.eq(listed.status, 200);
    t.count(listed.body.documents, 1);
    t.eq(listed.body.documents?.[0]?.[key], expected);
  });
}

const testCreatedBefore = createdSplit('testCreatedBefore', 'Posts', [string('title'), string('content', 512)], [
  { title: 'Old Post', content: 'This is an old post content' },
  { title: 'Recent Post', content: 'This is a recent post content' },
  { title: 'Newest Post', content: 'This is the newest post content' },
], Query.createdBefore, 'title', 'Old Post');

const testCreatedAfter = createdSplit('testCreatedAfter', 'Events', [string('name'), string('description', 512)], [
  { name: 'Early Event', description: 'This is an early event' },
  { name: 'Middle Event', description: 'This is a middle event' },
  { name: 'Latest Event', description: 'This is the latest event' },
], Query.createdAfter, 'name', 'Latest Event');

const testCreatedBetween = def('testCreatedBetween', async (t) => {
  const rows = await table(t, 'CreatedBetween test', 'Articles', [string('title'), string('content', 5000)], [Permission.create(userRole(t))]);
  const titles = ['First Article', 'Second Article', 'Third Article', 'Fourth Article'];
  const created = [];
  for (const [i, title] of titles.entries()) {
    if (i > 0) await sleep(GAP_MS);
    created.push(await row(t, rows, { title, content: `This is the ${title.split(' ')[0].toLowerCase()} article content` }, [Permission.read(userRole(t))]));
  }
  let listed = await list(t, rows, [Query.createdBetween(created[0].$createdAt, created[2].$createdAt)]);
  t.eq(listed.status, 200);
  t.count(listed.body.documents, 3);
  const found = (listed.body.documents ?? []).map((r) => r.title);
  for (const title of titles.slice(0, 3)) t.contains(found, title);
  t.notContains(found, 'Fourth Article');
  listed = await list(t, rows, [Query.createdBetween(created[1].$createdAt, created[1].$createdAt)]);
  t.eq(listed.status, 200);
  t.count(listed.body.documents, 1);
  t.eq(listed.body.documents?.[0]?.title, 'Second Article');
});

/**
 * updatedBefore / updatedAfter: three pending rows updated one after another, split at the
 * second update's `$updatedAt`.
 */
function updatedSplit(name, tableName, key, values, statuses, query, expectedIndex) {
  return def(name, async (t) => {
    const both = [Permission.create(userRole(t)), Permission.update(userRole(t))];
    const rows = await table(t, `${name.replace(/^test/, '')} test`, tableName, [string(key), string('status')], both);
    const ids = [];
    for (const value of values) ids.push((await row(t, rows, { [key]: value, status: 'pending' }, [Permission.read(userRole(t)), Permission.update(userRole(t))])).$id);
    const updates = [];
    for (const [i, status] of statuses.entries()) {
      await sleep(GAP_MS);
      updates.push(await t.side('PATCH', `${rows}/${ids[i]}`, { data: { status } }));
    }
    const listed = await list(t, rows, [query(updates[1].body.$updatedAt)]);
    t.eq(listed.status, 200);
    t.count(listed.body.documents, 1);
    t.eq(listed.body.documents?.[0]?.[key], values[expectedIndex]);
    t.eq(listed.body.documents?.[0]?.status, statuses[expectedIndex]);
  });
}

const testUpdatedBefore = updatedSplit('testUpdatedBefore', 'Tasks', 'title', ['Task One', 'Task Two', 'Task Three'],
  ['completed', 'in_progress', 'review'], Query.updatedBefore, 0);

const testUpdatedAfter = updatedSplit('testUpdatedAfter', 'Orders', 'orderNumber', ['ORD-001', 'ORD-002', 'ORD-003'],
  ['processing', 'shipped', 'delivered'], Query.updatedAfter, 2);

const testUpdatedBetween = def('testUpdatedBetween', async (t) => {
  const rows = await table(t, 'UpdatedBetween test', 'Products', [string('name'), ['float', { key: 'price' }]], [Permission.create(userRole(t))]);
  const products = [['Product A', 99.99, 89.99], ['Product B', 149.99, 139.99], ['Product C', 199.99, 189.99], ['Product D', 249.99, 239.99]];
  const ids = [];
  for (const [i, [name, price]] of products.entries()) {
    if (i > 0) await sleep(GAP_MS);
    ids.push((await row(t, rows, { name, price }, [Permission.read(userRole(t)), Permission.update(userRole(t))])).$id);
  }
  const updatedAt = [];
  for (const [i, [, , price]] of products.entries()) {
    await sleep(GAP_MS);
    const update = await t.side('PATCH', `${rows}/${ids[i]}`, { data: { price } });
    t.eq(update.status, 200);
    updatedAt.push(update.body.$updatedAt);
  }
  let listed = await list(t, rows, [Query.updatedBetween(updatedAt[0], updatedAt[2])]);
  t.eq(listed.status, 200);
  t.count(listed.body.documents, 3);
  const names = (listed.body.documents ?? []).map((r) => r.name);
  for (const [name] of products.slice(0, 3)) t.contains(names, name);
  t.notContains(names, 'Product D');
  listed = await list(t, rows, [Query.updatedBetween(updatedAt[1], updatedAt[1])]);
  t.eq(listed.status, 200);
  t.count(listed.body.documents, 1);
  t.eq(listed.body.documents?.[0]?.name, 'Product B');
  t.eq(listed.body.documents?.[0]?.price, 139.99);
});

export const methods = [
  testNotContains, testNotSearch, testNotBetween, testNotStartsWith, testNotEndsWith,
  testCreatedBefore, testCreatedAfter, testCreatedBetween, testUpdatedBefore, testUpdatedAfter, testUpdatedBetween,
];
