// Port of Appwrite 1.8.1 `tests/e2e/Services/Databases/Legacy/DatabasesBase.php`: the methods
// both sides run (DatabasesCustomServerTest with the API key, DatabasesCustomClientTest as a
// user). Each `def` names the PHP method it ports; the expectations are Appwrite's.
//
// Out of scope (counted with `t.skip`): relationship attributes, spatial types, transactions.
// Where the original's fixture holds a relationship attribute (`starringActors` on movies), it is
// left out and the counts that included it are one lower; the comment at each says so.

import { ID, Permission, Role, Query } from 'node-appwrite';
import { def, sleep as sleepMs } from './harness.mjs';

export const MAX_ARRAY_INDEX_LENGTH = 255;
const col = (data) => `/databases/${data.databaseId}/collections/${data.moviesId}`;
const userPerms = (t) => [Permission.read(Role.user(t.user.$id)), Permission.update(Role.user(t.user.$id)), Permission.delete(Role.user(t.user.$id))];

/** The originals' "Test for SUCCESS with total=false": a list of `key` asked for with `total: false`. */
export async function listedWithoutTotal(t, path, key) {
  const withoutTotal = await t.server('GET', path, { total: false });
  t.eq(withoutTotal.status, 200);
  t.isType(withoutTotal.body, 'object');
  t.isType(withoutTotal.body[key], 'array');
  t.isType(withoutTotal.body.total, 'int');
  t.eq(withoutTotal.body.total, 0);
  t.ok(withoutTotal.body[key]?.length > 0, `${key} listed without a total`);
}

/**
 * The create answer of an attribute: accepted (202), its key and type, and `fields` (a field
 * given as `undefined` must be absent).
 */
export function attributeAnswer(t, r, key, type, fields) {
  t.eq(r.status, 202, key);
  t.eq(r.body.key, key);
  t.eq(r.body.type, type);
  for (const [field, value] of Object.entries(fields)) {
    if (value === undefined) t.lacks(r.body, field, key);
    else t.eq(r.body[field], value, `${key}.${field}`);
  }
}

const testCreateDatabase = def('testCreateDatabase', async (t) => {
  const database = await t.server('POST', '/databases', { databaseId: ID.unique(), name: 'Test Database' });
  t.notEmpty(database.body.$id);
  t.eq(database.status, 201);
  t.eq(database.body.name, 'Test Database');
  t.eq(database.body.type, t.tablesdb ? 'tablesdb' : 'legacy');
  return { databaseId: database.body.$id };
});

const testCreateCollection = def('testCreateCollection', async (t, data) => {
  const make = (name) => t.server('POST', `/databases/${data.databaseId}/collections`, {
    collectionId: ID.unique(), name, documentSecurity: true, permissions: [Permission.create(Role.user(t.user.$id))],
  });
  const movies = await make('Movies');
  t.eq(movies.status, 201);
  t.eq(movies.body.name, 'Movies');
  const actors = await make('Actors');
  t.eq(actors.status, 201);
  t.eq(actors.body.name, 'Actors');
  return { databaseId: data.databaseId, moviesId: movies.body.$id, actorsId: actors.body.$id };
}, { depends: 'testCreateDatabase' });

const testConsoleProject = def('testConsoleProject', async (t, data) => {
  if (t.isServer) return; // the original expects no assertions on the server side
  const path = `/databases/console/collections/${data.moviesId}/documents`;
  // Whether to check the answer: 1.8.1 expects a 401; from 1.9 the originals accept a 400 too
  // and check the answer only when it is a 401.
  const denied = (response, what) => {
    if (!t.atLeast('1.9.6')) return t.eq(response.status, 401, what) || true;
    t.contains([400, 401], response.status, what);
    return response.status === 401;
  };
  let response = await t.call('GET', path, {}, { ...t.headers, 'x-appwrite-project': 'console' });
  if (denied(response, 'the console project')) {
    t.eq(response.body.type, 'general_access_forbidden');
    t.eq(response.body.message, 'This endpoint is not available for the console project. The Appwrite Console is a reserved project ID and cannot be used with the Appwrite SDKs and APIs. Please check if your project ID is correct.');
  }
  response = await t.call('GET', path, {}, { ...t.headers, 'x-appwrite-project': null });
  if (denied(response, 'no project')) {
    t.eq(response.body.message, 'No Appwrite project was specified. Please specify your project ID when initializing your Appwrite SDK.');
  }
}, { depends: 'testCreateCollection' });

const testDisableCollection = def('testDisableCollection', async (t, data) => {
  let response = await t.server('PUT', col(data), { name: 'Movies', enabled: false, documentSecurity: true });
  t.eq(response.status, 200);
  t.notOk(response.body.enabled);
  if (t.atLeast('1.9.6')) ['bytesMax', 'bytesUsed'].forEach((key) => t.has(response.body, key));
  if (t.isClient) {
    const created = await t.side('POST', `${col(data)}/documents`, { documentId: ID.unique(), data: { title: 'Captain America' }, permissions: userPerms(t) });
    t.eq(created.status, 404);
    t.eq((await t.side('GET', `${col(data)}/documents`)).status, 404);
    t.eq((await t.side('GET', `${col(data)}/documents/someID`)).status, 404);
  }
  response = await t.server('PUT', col(data), { name: 'Movies', enabled: true, documentSecurity: true });
  t.eq(response.status, 200);
  t.ok(response.body.enabled);
}, { depends: 'testCreateCollection' });

/**
 * The movies' attributes as the originals create them (`attr(kind, body)` creates one), the
 * relationship `starringActors` left out where it comes: the answers in order. 1.9.6's
 * testCreateAttributes gives description and tagline other sizes.
 */
export async function movieAttributes(t, attr, sizes = { description: 512, tagline: 512 }, skipped = 7) {
  const answers = [
    await attr('string', { key: 'title', size: 256, required: true }),
    await attr('string', { key: 'description', size: sizes.description, required: false, default: '' }),
    await attr('string', { key: 'tagline', size: sizes.tagline, required: false, default: '' }),
    await attr('integer', { key: 'releaseYear', required: true, min: 1900, max: 2200 }),
    await attr('integer', { key: 'duration', required: false, min: 60 }),
    await attr('string', { key: 'actors', size: 256, required: false, array: true }),
    await attr('datetime', { key: 'birthDay', required: false }),
  ];
  t.skip(skipped, 'relationship attribute starringActors');
  answers.push(await attr('integer', { key: 'integers', required: false, array: true, min: 10, max: 99 }));
  return answers;
}

const testCreateAttributes = def('testCreateAttributes', async (t, data) => {
  const attr = (kind, body) => t.server('POST', `${col(data)}/attributes/${kind}`, body);
  const [title, description, tagline, releaseYear, duration, actors, datetime, integers] = await movieAttributes(t, attr);

  attributeAnswer(t, title, 'title', 'string', { size: 256, required: true });
  if (!t.tablesdb181) t.same(title.body.encrypt, false); // not in TablesDB's twin
  for (const [r, key] of [[description, 'description'], [tagline, 'tagline']]) attributeAnswer(t, r, key, 'string', { size: 512, required: false, default: '' });
  attributeAnswer(t, releaseYear, 'releaseYear', 'integer', { required: true });
  attributeAnswer(t, duration, 'duration', 'integer', { required: false });
  attributeAnswer(t, actors, 'actors', 'string', { size: 256, required: false, array: true });
  attributeAnswer(t, datetime, 'birthDay', 'datetime', { required: false });
  attributeAnswer(t, integers, 'integers', 'integer', { size: undefined, required: false, array: true });

  await t.settle();
  const movies = await t.server('GET', col(data));
  t.isType(movies.body.attributes, 'array');
  t.count(movies.body.attributes, 8, '(9 in the original, with the relationship)');
  const keys = [title, description, tagline, releaseYear, duration, actors, datetime, integers].map((r) => r.body.key);
  keys.forEach((key, i) => t.eq(movies.body.attributes?.[i]?.key, key, `attribute ${i}`));
  return data;
}, { depends: 'testCreateCollection' });

const testListAttributes = def('testListAttributes', async (t, data) => {
  let response = await t.server('GET', `${col(data)}/attributes`, {
    queries: [Query.equal('type', ['string']), Query.limit(2), Query.cursorAfter('title')],
  });
  t.eq(response.status, 200);
  t.eq(response.body.attributes?.length, 2);
  response = await t.server('GET', `${col(data)}/attributes`, { queries: [Query.select(['key'])] });
  t.eq(response.body.type, 'general_argument_invalid');
  t.eq(response.status, 400);
}, { depends: 'testCreateAttributes' });

const testPatchAttribute = def('testPatchAttribute', async (t, data) => {
  const collection = await t.server('POST', `/databases/${data.databaseId}/collections`, {
    collectionId: ID.unique(), name: 'patch', documentSecurity: true, permissions: [Permission.create(Role.user(t.user.$id))],
  });
  t.eq(collection.status, 201);
  t.eq(collection.body.name, 'patch');
  const path = `/databases/${data.databaseId}/collections/${collection.body.$id}`;
  const attribute = await t.server('POST', `${path}/attributes/string`, { key: 'title', required: true, size: 100 });
  t.eq(attribute.status, 202);
  t.eq(attribute.body.size, 100);
  await t.settle();
  const index = await t.server('POST', `${path}/indexes`, { key: 'titleIndex', type: 'key', attributes: ['title'] });
  t.eq(index.status, 202);
  await t.settle();
  const resized = await t.server('PATCH', `${path}/attributes/string/title`, { size: 1000, required: true, default: null });
  t.eq(resized.status, 400);
  t.contains(resized.body.message, `Index length is longer than the maximum:${t.atLeast('1.9.6') ? '' : ' 76'}`);
}, { depends: 'testCreateDatabase' });

const testUpdateAttributeEnum = def('testUpdateAttributeEnum', async (t) => {
  const database = await t.server('POST', '/databases', { databaseId: ID.unique(), name: 'Test Database 2' });
  const players = await t.server('POST', `/databases/${database.body.$id}/collections`, {
    collectionId: ID.unique(), name: 'Players', documentSecurity: true, permissions: [Permission.create(Role.user(t.user.$id))],
  });
  const path = `/databases/${database.body.$id}/collections/${players.body.$id}/attributes/enum`;
  let attribute = await t.server('POST', path, { key: 'position', elements: ['goalkeeper', 'defender', 'midfielder', 'forward'], required: true, array: false });
  t.eq(attribute.status, 202);
  t.eq(attribute.body.key, 'position');
  t.eq(attribute.body.elements, ['goalkeeper', 'defender', 'midfielder', 'forward']);
  await t.settle();
  attribute = await t.server('PATCH', `${path}/position`, { elements: ['goalkeeper', 'defender', 'midfielder', 'forward', 'coach'], required: true, default: null });
  t.eq(attribute.status, 200);
  t.eq(attribute.body.elements, ['goalkeeper', 'defender', 'midfielder', 'forward', 'coach']);
});

const testAttributeResponseModels = def('testAttributeResponseModels', async (t, data) => {
  // 'permissions' left out on purpose: it is optional.
  const collection = await t.server('POST', `/databases/${data.databaseId}/collections`, { collectionId: ID.unique(), name: 'Response Models', documentSecurity: true });
  t.eq(collection.status, 201);
  t.eq(collection.body.name, 'Response Models');
  const path = `/databases/${data.databaseId}/collections/${collection.body.$id}/attributes`;

  // kind, request, and what the create answer must hold beyond key/required/array.
  const specs = [
    ['string', { key: 'string', size: 16, required: false, default: 'default' }, { type: 'string', array: false, size: 16, default: 'default' }],
    ['email', { key: 'email', required: false, default: 'default@example.com' }, { type: 'string', array: false, format: 'email', default: 'default@example.com' }],
    ['enum', { key: 'enum', elements: ['yes', 'no', 'maybe'], required: false, default: 'maybe' }, { type: 'string', array: false, format: 'enum', default: 'maybe', elements: ['yes', 'no', 'maybe'] }],
    ['ip', { key: 'ip', required: false, default: '192.0.2.0' }, { type: 'string', array: false, format: 'ip', default: '192.0.2.0' }],
    ['url', { key: 'url', required: false, default: 'http://example.com' }, { type: 'string', array: false, format: 'url', default: 'http://example.com' }],
    ['integer', { key: 'integer', required: false, min: 1, max: 5, default: 3 }, { type: 'integer', array: false, min: 1, max: 5, default: 3 }],
    ['float', { key: 'float', required: false, min: 1.5, max: 5.5, default: 3.5 }, { type: 'double', array: false, min: 1.5, max: 5.5, default: 3.5 }],
    ['boolean', { key: 'boolean', required: false, default: true }, { type: 'boolean', array: false, default: true }],
    ['datetime', { key: 'datetime', required: false, default: null }, { type: 'datetime', array: false, default: null }],
    ['string', { key: 'names', size: 512, required: false, array: true }, { type: 'string', array: true, default: null }],
    ['integer', { key: 'numbers', required: false, array: true, min: 1, max: 999 }, { type: 'integer', array: true, min: 1, max: 999, default: null }],
  ];
  t.skip(9 + 10 + 9 + 9, 'relationship attribute (create, get, list and collection answers)');
  const created = [];
  for (const [kind, body] of specs) created.push(await t.server('POST', `${path}/${kind}`, body));
  specs.forEach(([, body, expected], i) => {
    const r = created[i];
    t.eq(r.status, 202, body.key);
    t.eq(r.body.key, body.key);
    t.eq(r.body.required, false);
    if (expected.array) t.eq(r.body.array, true);
    for (const [field, value] of Object.entries(expected)) if (field !== 'array' || !value) t.eq(r.body[field], value, `${body.key}.${field}`);
  });

  await t.settle();
  const fetched = [];
  for (const [, body] of specs) fetched.push(await t.server('GET', `${path}/${body.key}`));
  // The fields each kind's answer carries, compared between create, get, list and collection.
  const fieldsOf = (kind, i) => ['key', 'type', 'required', 'array', 'default',
    ...(kind === 'string' && i === 0 ? ['size'] : []),
    ...(['email', 'enum', 'ip', 'url'].includes(kind) ? ['format'] : []),
    ...(kind === 'enum' ? ['elements'] : []),
    ...(['integer', 'float'].includes(kind) ? ['min', 'max'] : [])];
  specs.forEach(([kind], i) => {
    const r = fetched[i];
    if (i >= 9) return; // the original checks the two array attributes' get answers only in the lists
    t.eq(r.status, 200, specs[i][1].key);
    t.eq(r.body.status, 'available');
    for (const field of fieldsOf(kind, i)) t.eq(r.body[field], created[i].body[field], `${specs[i][1].key}.${field}`);
    if (i === 0) t.eq(r.body.size, 16);
  });

  let list = await t.server('GET', path);
  t.eq(list.status, 200);
  t.eq(list.body.total, 11, '(12 in the original, with the relationship)');
  if (!t.tablesdb181) await listedWithoutTotal(t, path, 'attributes'); // not in TablesDB's twin

  const compareAll = (attributes, what) => {
    t.isType(attributes, 'array', what);
    t.count(attributes, 11, `${what} (12 in the original)`);
    specs.forEach(([kind], i) => {
      const expected = fetched[i].body;
      const actual = attributes?.[i] ?? {};
      for (const field of [...fieldsOf(kind, i), 'status']) t.eq(actual[field], expected[field], `${what}[${i}].${field}`);
    });
  };
  compareAll(list.body.attributes, 'list');
  const whole = await t.server('GET', `/databases/${data.databaseId}/collections/${collection.body.$id}`);
  t.eq(whole.status, 200);
  compareAll(whole.body.attributes, 'collection');

  const badEnum = await t.server('POST', `${path}/enum`, { key: 'enum', elements: ['yes', 'no', ''], required: false, default: 'maybe' });
  t.eq(badEnum.status, 400);
  t.eq(badEnum.body.message, 'Invalid `elements` param: Value must a valid array no longer than 100 items and Value must be a valid string and at least 1 chars and no longer than 255 chars');
  return data;
}, { depends: 'testCreateAttributes' });

/**
 * testCreateIndexes' four indexes on the movies (`index` creates one), each answer checked: its
 * key, type and attributes. Returns the answers.
 */
export async function movieIndexes(t, index) {
  const answers = [];
  for (const [key, type, attributes] of [
    ['titleIndex', 'fulltext', ['title']],
    ['releaseYear', 'key', ['releaseYear']],
    ['releaseYearDated', 'key', ['releaseYear', '$createdAt', '$updatedAt']],
    ['birthDay', 'key', ['birthDay']],
  ]) {
    const r = await index({ key, type, attributes });
    t.eq(r.status, 202, key);
    t.eq(r.body.key, key);
    t.eq(r.body.type, type);
    t.count(r.body.attributes, attributes.length);
    attributes.forEach((a, i) => t.eq(r.body.attributes?.[i], a));
    answers.push(r);
  }
  return answers;
}

/** Indexes every release refuses: no attributes, one twice, longer than MariaDB's 767 bytes. */
export async function refusedIndexes(t, index) {
  for (const [body, message] of [
    [{ key: 'none', type: 'key', attributes: [] }, 'No attributes provided for index'],
    [{ key: 'duplicate', type: 'fulltext', attributes: ['releaseYear', 'releaseYear'] }, 'Duplicate attributes provided'],
  ]) {
    const r = await index(body);
    t.eq(r.status, 400, body.key);
    t.eq(r.body.message, message);
  }
  const r = await index({ key: 'tooLong', type: 'key', attributes: ['description', 'tagline'] });
  t.eq(r.status, 400);
  t.contains(r.body.message, 'Index length is longer than the maximum');
}

const testCreateIndexes = def('testCreateIndexes', async (t, data) => {
  const index = (body) => t.server('POST', `${col(data)}/indexes`, body);
  const [titleIndex, releaseYearIndex, releaseWithDate1, releaseWithDate2] = await movieIndexes(t, index);

  let r = await index({ key: 'releaseYearDated', type: 'fulltext', attributes: ['releaseYear'] });
  t.eq(r.status, 400);
  t.eq(r.body.message, 'Attribute "releaseYear" cannot be part of a fulltext index, must be of type string');
  await refusedIndexes(t, index);
  r = await index({ key: 'ft', type: 'fulltext', attributes: ['actors'] });
  t.eq(r.status, 400);
  t.eq(r.body.message, '"Fulltext" index is forbidden on array attributes');
  t.eq((await index({ key: 'index-actors', type: 'key', attributes: ['actors'] })).status, 202);
  t.eq((await index({ key: 'index-ip-actors', type: 'key', attributes: ['releaseYear', 'actors'], orders: ['DESC', 'DESC'] })).status, 202);
  r = await index({ key: 'index-unknown', type: 'key', attributes: ['Unknown'] });
  t.eq(r.status, 400);
  t.eq(r.body.message, t.tablesdb
    ? 'Unknown column: Unknown. Verify the column name or create the column.'
    : 'Unknown attribute: Unknown. Verify the attribute name or create the attribute.');
  t.eq((await index({ key: 'integers-order', type: 'key', attributes: ['integers'], orders: ['DESC'] })).status, 202);
  t.eq((await index({ key: 'integers-size', type: 'key', attributes: ['integers'] })).status, 202);

  await t.settle();
  const movies = await t.server('GET', col(data));
  t.isType(movies.body.indexes, 'array');
  t.count(movies.body.indexes, 8);
  [titleIndex, releaseYearIndex, releaseWithDate1, releaseWithDate2].forEach((created, i) => t.eq(movies.body.indexes?.[i]?.key, created.body.key));
  // Only the collections API's original waits for every index to be available.
  if (!t.tablesdb181) for (const each of movies.body.indexes ?? []) t.eq(each.status, 'available', each.key);
  return data;
}, { depends: 'testCreateAttributes' });

const testGetIndexByKeyWithLengths = def('testGetIndexByKeyWithLengths', async (t, data) => {
  const create = (body) => t.server('POST', `${col(data)}/indexes`, body);
  t.eq((await create({ key: 'lengthTestIndex', type: 'key', attributes: ['title', 'description'], lengths: [128, 200] })).status, 202);
  let index = await t.server('GET', `${col(data)}/indexes/lengthTestIndex`);
  t.eq(index.status, 200);
  t.eq(index.body.key, 'lengthTestIndex');
  t.eq(index.body.lengths, [128, 200]);
  // A length on an array attribute is replaced by the array maximum (not in TablesDB's twin);
  // from 1.9 no index may hold an array attribute.
  if (t.atLeast('1.9.6')) {
    const refused = await create({ key: 'lengthOverrideTestIndex', type: 'key', attributes: ['actors'], lengths: [120] });
    t.eq(refused.status, 400);
    t.eq(refused.body.message, 'Creating indexes on array attributes is not currently supported.');
  } else if (!t.tablesdb181) {
    t.eq((await create({ key: 'lengthOverrideTestIndex', type: 'key', attributes: ['actors'], lengths: [120] })).status, 202);
    index = await t.server('GET', `${col(data)}/indexes/lengthOverrideTestIndex`);
    t.eq(index.body.lengths, [MAX_ARRAY_INDEX_LENGTH]);
  }
  t.eq((await create({ key: 'lengthCountExceededIndex', type: 'key', attributes: ['title'], lengths: [128, 128] })).status, 400);
  t.eq((await create({ key: 'lengthTooLargeIndex', type: 'key', attributes: ['title', 'description', 'tagline', 'actors'], lengths: [256, 256, 256, 20] })).status, 400);
  t.eq((await create({ key: 'negativeLengthIndex', type: 'key', attributes: ['title'], lengths: [-1] })).status, 400);
}, { depends: 'testCreateAttributes' });

const testListIndexes = def('testListIndexes', async (t, data) => {
  let response = await t.server('GET', `${col(data)}/indexes`, { queries: [Query.equal('type', ['key']), Query.limit(2)] });
  t.eq(response.status, 200);
  t.eq(response.body.indexes?.length, 2);
  response = await t.server('GET', `${col(data)}/indexes`, { queries: [Query.select(['key'])] });
  t.eq(response.body.type, 'general_argument_invalid');
  t.eq(response.status, 400);
}, { depends: 'testCreateIndexes' });

const testCreateDocument = def('testCreateDocument', async (t, data) => {
  const create = (fields) => t.side('POST', `${col(data)}/documents`, { documentId: ID.unique(), data: fields, permissions: userPerms(t) });
  const document1 = await create({ title: 'Captain America', releaseYear: 1944, birthDay: '1975-06-12 14:12:55+02:00', actors: ['Chris Evans', 'Samuel Jackson'] });
  const document2 = await create({ title: 'Spider-Man: Far From Home', releaseYear: 2019, birthDay: null, actors: ['Tom Holland', 'Zendaya Maree Stoermer', 'Samuel Jackson'], integers: [50, 60] });
  const document3 = await create({ title: 'Spider-Man: Homecoming', releaseYear: 2017, birthDay: '1975-06-12 14:12:55 America/New_York', duration: 65, actors: ['Tom Holland', 'Zendaya Maree Stoermer'], integers: [50] });
  const document4 = await create({ releaseYear: 2020 }); // no title: 400

  const common = (r, title, year, actors) => {
    t.eq(r.status, 201, title);
    t.eq(r.body.$collectionId, data.moviesId);
    t.lacks(r.body, '$collection');
    t.eq(r.body.$databaseId, data.databaseId);
    t.eq(r.body.title, title);
    t.eq(r.body.releaseYear, year);
    t.isType(r.body.$permissions, 'array');
    t.count(r.body.$permissions, 3);
    t.count(r.body.actors, actors.length);
    actors.forEach((a, i) => t.eq(r.body.actors?.[i], a));
  };
  common(document1, 'Captain America', 1944, ['Chris Evans', 'Samuel Jackson']);
  t.eq(document1.body.birthDay, '1975-06-12T12:12:55.000+00:00');
  t.ok('$sequence' in (document1.body ?? {}), '$sequence present');
  t.isType(document1.body.$sequence, t.atLeast('1.9.6') ? 'string' : 'int');
  common(document2, 'Spider-Man: Far From Home', 2019, ['Tom Holland', 'Zendaya Maree Stoermer', 'Samuel Jackson']);
  t.eq(document2.body.duration, null);
  t.eq(document2.body.birthDay, null);
  t.eq(document2.body.integers?.[0], 50);
  t.eq(document2.body.integers?.[1], 60);
  if (!t.tablesdb181) t.ok('$sequence' in (document2.body ?? {}), '$sequence present'); // not in TablesDB's twin
  common(document3, 'Spider-Man: Homecoming', 2017, ['Tom Holland', 'Zendaya Maree Stoermer']);
  t.eq(document3.body.duration, 65);
  t.eq(document3.body.birthDay, '1975-06-12T18:12:55.000+00:00'); // New York in UTC
  if (!t.tablesdb181) t.ok('$sequence' in (document3.body ?? {}), '$sequence present');
  t.eq(document4.status, 400);
  return data;
}, { depends: 'testCreateIndexes' });

const testUpsertDocument = def('testUpsertDocument', async (t, data) => {
  const path = (id) => `${col(data)}/documents/${id}`;
  const users = [Permission.read(Role.users()), Permission.update(Role.users()), Permission.delete(Role.users())];
  let documentId = ID.unique();
  let document = await t.side('PUT', path(documentId), { data: { title: 'Thor: Ragnarok', releaseYear: 2000 }, permissions: users });
  t.eq(document.status, 200);
  t.count(document.body.$permissions, 3);
  document = await t.side('GET', path(documentId));
  t.eq(document.body.title, 'Thor: Ragnarok');
  if (t.atLeast('1.9.6')) t.isType(document.body.$sequence, 'string');

  // The same document again: nothing to update. (The original also sends the relationship
  // `starringActors: []`, left out here with the relationship.)
  document = await t.side('PUT', path(documentId), {
    data: { title: 'Thor: Ragnarok', releaseYear: 2000, integers: [], birthDay: null, duration: null, actors: [], tagline: '', description: '' },
    permissions: users,
  });
  t.eq(document.status, 200);
  t.eq(document.body.title, 'Thor: Ragnarok');
  t.count(document.body.$permissions, 3);

  if (t.tablesdb181) {
    // TablesDB's twin: a list of rows is not a row's data.
    document = await t.side('PUT', path(documentId), { data: [{ title: 'Thor: Ragnarok 1' }, { title: 'Thor: Ragnarok 2' }], permissions: [Permission.read(Role.users())] });
    t.eq(document.status, 400);
  }

  document = await t.side('PUT', path(documentId), { data: { title: 'Thor: Love and Thunder', releaseYear: 2000 }, permissions: users });
  t.eq(document.status, 200);
  t.eq(document.body.title, 'Thor: Love and Thunder');
  document = await t.side('GET', path(documentId));
  t.eq(document.body.title, 'Thor: Love and Thunder');

  // Without read and delete permissions, the client can neither read nor delete it.
  await t.side('PUT', path(documentId), { data: { title: 'Thor: Love and Thunder', releaseYear: 2000 }, permissions: [Permission.update(Role.users())] });
  document = await t.side('GET', path(documentId));
  t.eq(document.status, t.isClient ? 404 : 200);
  document = await t.side('DELETE', path(documentId));
  if (t.isClient) t.eq(document.status, 401);
  await t.side('PUT', path(documentId), { data: { title: 'Thor: Love and Thunder', releaseYear: 2000 }, permissions: users });
  t.eq((await t.side('DELETE', path(documentId))).status, 204);

  t.skip(9, 'relationship upserts (person-upsert / library-upsert)');

  // Without permissions.
  document = await t.side('PUT', path(documentId), { data: { title: 'Thor: Ragnarok', releaseYear: 2000 } });
  t.eq(document.status, 200);
  t.eq(document.body.title, 'Thor: Ragnarok');
  t.eq((await t.side('GET', path(documentId))).status, 200);
  t.eq((await t.side('DELETE', path(documentId))).status, 204);

  if (t.isClient) {
    // A client's new document without permissions gets read/update/delete for its creator.
    document = await t.side('PUT', path(documentId), { data: { title: 'Thor: Ragnarok', releaseYear: 2000 } });
    t.eq(document.status, 200);
    t.eq(document.body.title, 'Thor: Ragnarok');
    t.count(document.body.$permissions, 3);
    const created = document.body.$permissions;
    t.eq([...(created ?? [])].sort(), userPerms(t).sort());
    t.eq((await t.side('GET', path(documentId))).status, 200);

    document = await t.side('PUT', path(documentId), { data: { title: 'Thor: Ragnarok', releaseYear: 2002 } });
    t.eq(document.status, 200);
    t.eq(document.body.title, 'Thor: Ragnarok');
    t.eq(document.body.releaseYear, 2002);
    t.count(document.body.$permissions, 3);
    t.eq(document.body.$permissions, created);

    document = await t.side('PUT', path(documentId), { data: { title: 'Thor: Ragnarok', releaseYear: 2002 }, permissions: [Permission.update(Role.user(t.user.$id))] });
    t.eq(document.status, 200);
    t.eq(document.body.title, 'Thor: Ragnarok');
    t.eq(document.body.releaseYear, 2002);
    t.count(document.body.$permissions, 1);
    t.eq((await t.side('DELETE', path(documentId))).status, 401);

    document = await t.side('PUT', path(documentId), {
      data: { title: 'Thor: Ragnarok', releaseYear: 2002 },
      permissions: [Permission.update(Role.user(t.user.$id)), Permission.delete(Role.user(t.user.$id))],
    });
    t.eq(document.status, 200);
    t.eq(document.body.title, 'Thor: Ragnarok');
    t.eq(document.body.releaseYear, 2002);
    t.count(document.body.$permissions, 2);
    t.eq((await t.side('DELETE', path(documentId))).status, 204);
    t.skip(22, 'relationship upserts without permissions, and read-only attributes through the relationship fixture');
  }
}, { depends: 'testCreateIndexes' });

/**
 * A list of the movies: from 1.9 the originals share their collection between methods and
 * narrow each list to the fixture's documents (`data.only`, an `equal('$id', …)`).
 */
const scopedList = (t, data) => (queries, scoped = true) => t.side('GET', `${col(data)}/documents`, {
  queries: [...(scoped ? data.only ?? [] : []), ...queries],
});

const testListDocuments = def('testListDocuments', async (t, data) => {
  const list = scopedList(t, data);
  let documents = await list([Query.orderAsc('releaseYear')]);
  t.eq(documents.status, 200);
  [1944, 2017, 2019].forEach((year, i) => t.eq(documents.body.documents?.[i]?.releaseYear, year));
  // TablesDB's twin checks that no `$internalId` leaks instead.
  if (t.tablesdb181) for (let i = 0; i < 3; i++) t.notOk('$internalId' in (documents.body.documents?.[i] ?? {}), `$internalId in row ${i}`);
  else for (let i = 0; i < 3; i++) t.ok('$sequence' in (documents.body.documents?.[i] ?? {}), `$sequence in document ${i}`);
  t.count(documents.body.documents, 3);
  for (const document of documents.body.documents ?? []) {
    t.eq(document.$collectionId, data.moviesId);
    t.lacks(document, '$collection');
    t.eq(document.$databaseId, data.databaseId);
  }
  documents = await list([Query.orderDesc('releaseYear')]);
  t.eq(documents.status, 200);
  [2019, 2017, 1944].forEach((year, i) => t.eq(documents.body.documents?.[i]?.releaseYear, year));
  t.count(documents.body.documents, 3);

  // description's default becomes null; a document without one, then a cursor on it ordered by
  // an attribute that does not exist: 400.
  await t.server('PATCH', `${col(data)}/attributes/string/description`, { default: null, required: false });
  const dummy = await t.side('POST', `${col(data)}/documents`, {
    documentId: ID.unique(), data: { title: 'Dummy', releaseYear: 1944, birthDay: '1975-06-12 14:12:55+02:00', actors: ['Dummy'] },
  });
  t.eq(dummy.status, 201);
  const paginated = await list([Query.orderAsc('dummy'), Query.cursorAfter(dummy.body.$id)], false);
  t.eq(paginated.status, 400);
  await t.side('DELETE', `${col(data)}/documents/${dummy.body.$id}`);
  return { documents: documents.body.documents, databaseId: data.databaseId };
}, { depends: 'testCreateDocument' });

const testGetDocument = def('testGetDocument', async (t, data) => {
  for (const document of data.documents ?? []) {
    const response = await t.side('GET', `/databases/${data.databaseId}/collections/${document.$collectionId}/documents/${document.$id}`);
    t.eq(response.status, 200);
    t.eq(response.body.$id, document.$id);
    t.eq(response.body.$collectionId, document.$collectionId);
    t.lacks(response.body, '$collection');
    t.eq(response.body.$databaseId, document.$databaseId);
    t.eq(response.body.title, document.title);
    t.eq(response.body.releaseYear, document.releaseYear);
    t.eq(response.body.$permissions, document.$permissions);
    t.eq(response.body.birthDay, document.birthDay);
    if (t.tablesdb181) t.notOk('$internalId' in (response.body ?? {}), '$internalId absent');
    else t.ok('$sequence' in (response.body ?? {}), '$sequence present');
    t.notOk('$tenant' in (response.body ?? {}), '$tenant absent');
  }
}, { depends: 'testListDocuments' });

const testGetDocumentWithQueries = def('testGetDocumentWithQueries', async (t, data) => {
  const document = data.documents?.[0] ?? {};
  const path = `/databases/${data.databaseId}/collections/${document.$collectionId}/documents/${document.$id}`;
  let response = await t.side('GET', path, { queries: [Query.select(['title', 'releaseYear', '$id'])] });
  t.eq(response.status, 200);
  t.eq(response.body.title, document.title);
  t.eq(response.body.releaseYear, document.releaseYear);
  t.lacks(response.body, 'birthDay');
  if (t.tablesdb181) return; // TablesDB's twin stops here
  // The original passes `Query::equal('$sequence', …)` without `toString()`; PHP's query
  // builder serialises that object to nothing, so the request carries no queries.
  response = await t.side('GET', path);
  t.eq(response.status, 200);
  t.eq(response.body.title, document.title);
  t.eq(response.body.releaseYear, document.releaseYear);
  t.ok('$sequence' in (response.body ?? {}), '$sequence present');
}, { depends: 'testListDocuments' });

/** Both cursor directions, ported from testListDocumentsAfterPagination / …BeforePagination. */
function cursorPagination(name, direction) {
  return def(name, async (t, data) => {
    const scoped = scopedList(t, data);
    const list = (queries = []) => scoped(queries);
    const cursor = (id) => (direction === 'after' ? Query.cursorAfter(id) : Query.cursorBefore(id));
    const ids = (r) => (r.body.documents ?? []).map((d) => d.$id);

    let base = await list();
    t.eq(base.status, 200);
    ['Captain America', 'Spider-Man: Far From Home', 'Spider-Man: Homecoming'].forEach((title, i) => t.eq(base.body.documents?.[i]?.title, title));
    t.count(base.body.documents, 3);
    const all = ids(base);
    let page = await list([cursor(direction === 'after' ? all[0] : all[2])]);
    t.eq(page.status, 200);
    const expected = direction === 'after' ? all.slice(1) : all.slice(0, 2);
    expected.forEach((id, i) => t.eq(ids(page)[i], id));
    t.count(page.body.documents, 2);
    page = await list([cursor(direction === 'after' ? all[2] : all[0])]);
    t.eq(page.status, 200);
    t.empty(page.body.documents);

    for (const order of ['asc', 'desc']) {
      const sort = order === 'asc' ? Query.orderAsc('releaseYear') : Query.orderDesc('releaseYear');
      base = await list([sort]);
      t.eq(base.status, 200);
      const years = order === 'asc' ? [1944, 2017, 2019] : [2019, 2017, 1944];
      years.forEach((year, i) => t.eq(base.body.documents?.[i]?.releaseYear, year));
      t.count(base.body.documents, 3);
      page = await list([cursor(ids(base)[1]), sort]);
      t.eq(page.status, 200);
      t.eq(ids(page)[0], ids(base)[direction === 'after' ? 2 : 0]);
      t.count(page.body.documents, 1);
    }
    if (direction === 'after') {
      t.eq((await scoped([Query.cursorAfter('unknown')], false)).status, 400);
      t.eq((await scoped(['{"method":"cursorAfter","values":[null]}'], false)).status, 400);
    }
    return {};
  }, { depends: 'testCreateDocument' });
}
const testListDocumentsAfterPagination = cursorPagination('testListDocumentsAfterPagination', 'after');
const testListDocumentsBeforePagination = cursorPagination('testListDocumentsBeforePagination', 'before');

const testListDocumentsLimitAndOffset = def('testListDocumentsLimitAndOffset', async (t, data) => {
  const list = scopedList(t, data);
  let documents = await list([Query.orderAsc('releaseYear'), Query.limit(1)]);
  t.eq(documents.status, 200);
  t.eq(documents.body.documents?.[0]?.releaseYear, 1944);
  t.count(documents.body.documents, 1);
  documents = await list([Query.orderAsc('releaseYear'), Query.limit(2), Query.offset(1)]);
  t.eq(documents.status, 200);
  t.eq(documents.body.documents?.[0]?.releaseYear, 2017);
  t.eq(documents.body.documents?.[1]?.releaseYear, 2019);
  t.count(documents.body.documents, 2);
  return {};
}, { depends: 'testCreateDocument' });

/** Appwrite's `APP_DATABASE_QUERY_MAX_VALUES`. */
const QUERY_MAX_VALUES = 500;

const testDocumentsListQueries = def('testDocumentsListQueries', async (t, data) => {
  const list = (...queries) => t.side('GET', `${col(data)}/documents`, { queries });
  // From 1.9 the movies collection is shared with other methods: the original then asks for at
  // least so many documents, and for some in any order.
  const shared = t.atLeast('1.9.6');
  const size = (documents, n, what) => (shared ? t.ok((documents ?? []).length >= n, `${what}: at least ${n}`) : t.count(documents, n, what));
  const total = (answer, n, what) => (shared ? t.ok(answer >= n, `${what}: a total of at least ${n}`) : t.eq(answer, n, what));
  let documents = await list(Query.search('title', 'Captain America'));
  t.eq(documents.status, 200);
  t.eq(documents.body.documents?.[0]?.releaseYear, 1944);
  size(documents.body.documents, 1, 'Captain America');
  documents = await list(Query.equal('$id', [documents.body.documents?.[0]?.$id]));
  t.eq(documents.status, 200);
  t.eq(documents.body.documents?.[0]?.releaseYear, 1944);
  t.count(documents.body.documents, 1);
  documents = await list(Query.search('title', 'Homecoming'));
  t.eq(documents.status, 200);
  t.eq(documents.body.documents?.[0]?.releaseYear, 2017);
  size(documents.body.documents, 1, 'Homecoming');
  documents = await list(Query.search('title', 'spider'));
  t.eq(documents.status, 200);
  if (shared) {
    size(documents.body.documents, 2, 'spider');
    const years = (documents.body.documents ?? []).map((d) => d.releaseYear);
    t.contains(years, 2019);
    t.contains(years, 2017);
  } else {
    t.eq(documents.body.documents?.[0]?.releaseYear, 2019);
    t.eq(documents.body.documents?.[1]?.releaseYear, 2017);
    t.count(documents.body.documents, 2);
  }
  documents = await list('{"method":"contains","attribute":"title","values":[bad]}');
  t.eq(documents.status, 400);
  t.eq(documents.body.message, 'Invalid query: Syntax error');
  documents = await list(Query.contains('title', ['spi'])); // a substring match on strings
  t.eq(documents.status, 200);
  total(documents.body.total, 2, 'contains spi');
  documents = await list(Query.equal('releaseYear', [1944]));
  size(documents.body.documents, 1, 'released in 1944');
  t.eq(documents.body.documents?.[0]?.title, 'Captain America');
  documents = await list(Query.notEqual('releaseYear', 1944));
  size(documents.body.documents, 2, 'not released in 1944');
  if (!shared) {
    t.eq(documents.body.documents?.[0]?.title, 'Spider-Man: Far From Home');
    t.eq(documents.body.documents?.[1]?.title, 'Spider-Man: Homecoming');
  }
  documents = await list(Query.greaterThan('$createdAt', '1976-06-12'));
  size(documents.body.documents, 3, 'created after 1976');
  documents = await list(Query.lessThan('$createdAt', '1976-06-12'));
  t.count(documents.body.documents, 0);
  documents = await list(Query.contains('actors', ['Tom Holland', 'Samuel Jackson']));
  t.eq(documents.status, 200);
  total(documents.body.total, 3, 'with either actor');
  documents = await list(Query.contains('actors', ['Tom'])); // whole elements on arrays
  t.eq(documents.status, 200);
  t.eq(documents.body.total, 0);
  documents = await list(Query.greaterThan('birthDay', '16/01/2024 12:00:00AM'));
  t.eq(documents.status, 400);
  t.eq(documents.body.message, 'Invalid query: Query value is invalid for attribute "birthDay"');
  documents = await list(Query.greaterThan('birthDay', '1960-01-01 10:10:10+02:30'));
  t.eq(documents.status, 200);
  if (shared) {
    size(documents.body.documents, 2, 'born after 1960');
    const birthDays = (documents.body.documents ?? []).map((d) => d.birthDay);
    t.contains(birthDays, '1975-06-12T12:12:55.000+00:00');
    t.contains(birthDays, '1975-06-12T18:12:55.000+00:00');
  } else {
    t.eq(documents.body.documents?.[0]?.birthDay, '1975-06-12T12:12:55.000+00:00');
    t.eq(documents.body.documents?.[1]?.birthDay, '1975-06-12T18:12:55.000+00:00');
    t.count(documents.body.documents, 2);
  }
  documents = await list(Query.isNull('integers'));
  t.eq(documents.status, 200);
  total(documents.body.total, 1, 'without integers');

  const values = Array.from({ length: QUERY_MAX_VALUES + 1 }, (_, i) => i);
  documents = await list(Query.equal('releaseYear', values));
  t.eq(documents.status, 400);
  t.eq(documents.body.message, `Invalid query: Query on attribute has greater than ${QUERY_MAX_VALUES} values: releaseYear`);
  // The original then searches with a 5 000-character value and asserts nothing (a TODO).
  return {};
}, { depends: 'testCreateDocument' });

const isDatetime = (value) => typeof value === 'string' && !Number.isNaN(Date.parse(value));

const testUpdateDocument = def('testUpdateDocument', async (t, data) => {
  let document = await t.side('POST', `${col(data)}/documents`, {
    documentId: ID.unique(),
    data: { title: 'Thor: Ragnaroc', releaseYear: 2017, birthDay: '1976-06-12 14:12:55', actors: [] },
    permissions: userPerms(t),
  });
  const id = document.body.$id;
  const path = `${col(data)}/documents/${id}`;
  const where = (r, title) => {
    t.eq(r.body.$collectionId, data.moviesId);
    t.lacks(r.body, '$collection');
    t.eq(r.body.$databaseId, data.databaseId);
    t.eq(r.body.title, title);
    t.eq(r.body.releaseYear, 2017);
  };
  t.eq(document.status, 201);
  where(document, 'Thor: Ragnaroc');
  t.ok(isDatetime(document.body.$createdAt), '$createdAt is a datetime');
  t.ok(isDatetime(document.body.birthDay), 'birthDay is a datetime');
  for (const p of userPerms(t)) t.contains(document.body.$permissions, p);

  const users = [Permission.read(Role.users()), Permission.update(Role.users()), Permission.delete(Role.users())];
  document = await t.side('PATCH', path, { data: { title: 'Thor: Ragnarok' }, permissions: users });
  t.eq(document.status, 200);
  t.eq(document.body.$id, id);
  where(document, 'Thor: Ragnarok');
  for (const p of users) t.contains(document.body.$permissions, p);

  document = await t.side('GET', path);
  t.eq(document.status, 200);
  where(document, 'Thor: Ragnarok');

  const now = { ...t.headers, 'x-appwrite-timestamp': new Date().toISOString().replace('Z', '+00:00') };
  let response = await t.call('PATCH', path, { data: { title: 'Thor: Ragnarok' } }, now);
  t.eq(response.status, 200);

  if (t.tablesdb181) {
    // TablesDB's twin tests the timestamp header's failures instead (its `Remote row is newer
    // than local.` / `row_update_conflict` reach here renamed, as every TablesDB error does).
    response = await t.call('PATCH', path, { data: { title: 'Thor: Ragnarok' } }, { ...t.headers, 'x-appwrite-timestamp': 'invalid' });
    t.eq(response.status, 400);
    t.eq(response.body.message, 'Invalid X-Appwrite-Timestamp header value');
    t.eq(response.body.type, 'general_argument_invalid');
    const past = new Date(Date.now() - 1_000_000).toISOString().replace('Z', '+00:00');
    response = await t.call('PATCH', path, { data: { title: 'Thor: Ragnarok' } }, { ...t.headers, 'x-appwrite-timestamp': past });
    t.eq(response.status, 409);
    t.eq(response.body.message, 'Remote document is newer than local.');
    t.eq(response.body.type, 'document_update_conflict');
    return {};
  }

  // Read-only attributes in the data are ignored, except that the key may set the timestamps.
  response = await t.call('PATCH', path, {
    data: {
      $id: 'newId', $sequence: 9999, $collectionId: 'newCollectionId', $databaseId: 'newDatabaseId',
      $createdAt: '2024-01-01T00:00:00.000+00:00', $updatedAt: '2024-01-01T00:00:00.000+00:00', title: 'Thor: Ragnarok',
    },
  }, { ...now, 'x-appwrite-timestamp': new Date().toISOString().replace('Z', '+00:00') });
  t.eq(response.status, 200);
  t.eq(response.body.$id, id);
  t.eq(response.body.$collectionId, data.moviesId);
  t.eq(response.body.$databaseId, data.databaseId);
  if (!t.atLeast('1.9.6')) t.ok(response.body.$sequence !== 9999, '$sequence unchanged');
  if (t.isClient) {
    t.ok(response.body.$createdAt !== '2024-01-01T00:00:00.000+00:00', '$createdAt kept');
    t.ok(response.body.$updatedAt !== '2024-01-01T00:00:00.000+00:00', '$updatedAt not taken from the data');
  } else {
    t.eq(response.body.$createdAt, '2024-01-01T00:00:00.000+00:00');
    t.eq(response.body.$updatedAt, '2024-01-01T00:00:00.000+00:00');
  }
  return {};
}, { depends: 'testCreateDocument' });

/** An operator as Appwrite's SDKs send it: the JSON text of `{method, values}`. */
const op = (method, ...values) => JSON.stringify({ method, attribute: '', values });

/** A database and collection with the attributes of the operator tests. */
async function operatorFixture(t, name, collectionPermissions, attributes) {
  const database = await t.server('POST', '/databases', { databaseId: ID.unique(), name });
  t.eq(database.status, 201);
  const collection = await t.server('POST', `/databases/${database.body.$id}/collections`, {
    collectionId: ID.unique(), name, documentSecurity: true, permissions: collectionPermissions,
  });
  t.eq(collection.status, 201);
  const path = `/databases/${database.body.$id}/collections/${collection.body.$id}`;
  for (const [kind, body] of attributes) await t.server('POST', `${path}/attributes/${kind}`, body);
  await t.settle();
  return path;
}

const testOperators = def('testOperators', async (t) => {
  const path = await operatorFixture(t, 'Test Database for Operators', [Permission.create(Role.user(t.user.$id))], [
    ['string', { key: 'title', size: 256, required: true }],
    ['integer', { key: 'releaseYear', required: true }],
    ['integer', { key: 'duration', required: false }],
    ['string', { key: 'actors', size: 256, required: false, array: true }],
    ['integer', { key: 'integers', required: false, array: true }],
    ['string', { key: 'tagline', size: 512, required: false }],
    ['datetime', { key: 'birthDay', required: false }],
  ]);
  const document = await t.side('POST', `${path}/documents`, {
    documentId: ID.unique(),
    data: { title: 'Operator Test', releaseYear: 2020, duration: 120, actors: ['Actor1', 'Actor2'], integers: [10, 20], tagline: 'Original', birthDay: '2020-01-01 12:00:00' },
    permissions: userPerms(t),
  });
  t.eq(document.status, 201);
  const update = (data) => t.side('PATCH', `${path}/documents/${document.body.$id}`, { data });

  let updated = await update({ releaseYear: op('increment', 5), duration: op('increment', 10) });
  t.eq(updated.status, 200);
  t.eq(updated.body.releaseYear, 2025);
  t.eq(updated.body.duration, 130);
  updated = await update({ releaseYear: op('decrement', 3) });
  t.eq(updated.status, 200);
  t.eq(updated.body.releaseYear, 2022);
  updated = await update({ actors: op('arrayAppend', 'Actor3') });
  t.eq(updated.status, 200);
  t.eq(updated.body.actors, ['Actor1', 'Actor2', 'Actor3']);
  updated = await update({ actors: op('arrayPrepend', 'Actor0') });
  t.eq(updated.status, 200);
  t.eq(updated.body.actors, ['Actor0', 'Actor1', 'Actor2', 'Actor3']);
  updated = await update({ tagline: op('stringConcat', ' Appended') });
  t.eq(updated.status, 200);
  t.eq(updated.body.tagline, 'Original Appended');
  updated = await update({ releaseYear: op('increment', 1), integers: op('arrayAppend', 30) });
  t.eq(updated.status, 200);
  t.eq(updated.body.releaseYear, 2023);
  t.eq(updated.body.integers, [10, 20, 30]);

  const upsertId = ID.unique();
  let upserted = await t.side('PUT', `${path}/documents/${upsertId}`, {
    data: { title: 'Upsert Test', releaseYear: 2020, actors: [], birthDay: '2020-01-01 12:00:00' }, permissions: userPerms(t),
  });
  t.eq(upserted.status, 200);
  upserted = await t.side('PUT', `${path}/documents/${upsertId}`, {
    data: { title: 'Upsert Test Updated', releaseYear: op('increment', 5), actors: [], birthDay: '2020-01-01 12:00:00' },
  });
  t.eq(upserted.status, 200);
  t.eq(upserted.body.releaseYear, 2025);
});

const testBulkOperators = def('testBulkOperators', async (t) => {
  const path = await operatorFixture(t, 'Test Database for Bulk Operators', [Permission.create(Role.users())], [
    ['string', { key: 'title', size: 256, required: true }],
    ['integer', { key: 'releaseYear', required: true }],
    ['string', { key: 'actors', size: 256, required: false, array: true }],
    ['datetime', { key: 'birthDay', required: false }],
  ]);
  const users = [Permission.read(Role.users()), Permission.update(Role.users()), Permission.delete(Role.users())];
  const create = (title, year, actor) => t.side('POST', `${path}/documents`, {
    documentId: ID.unique(), data: { title, releaseYear: year, actors: [actor], birthDay: '2020-01-01 12:00:00' }, permissions: users,
  });
  const document1 = await create('Bulk Test 1', 2020, 'Actor1');
  const document2 = await create('Bulk Test 2', 2021, 'Actor2');
  t.eq(document1.status, 201);
  t.eq(document2.status, 201);
  const bulk = await t.server('PATCH', `${path}/documents`, { data: { releaseYear: op('increment', 10) }, queries: [Query.startsWith('title', 'Bulk Test')] });
  t.eq(bulk.status, 200);
  t.ok(bulk.body.total >= 2, `total ${bulk.body.total} >= 2`);
  const verify1 = await t.side('GET', `${path}/documents/${document1.body.$id}`);
  t.eq(verify1.status, 200);
  t.eq(verify1.body.releaseYear, 2030);
  const verify2 = await t.side('GET', `${path}/documents/${document2.body.$id}`);
  t.eq(verify2.status, 200);
  t.eq(verify2.body.releaseYear, 2031);
});

const testDeleteDocument = def('testDeleteDocument', async (t, data) => {
  const document = await t.side('POST', `${col(data)}/documents`, {
    documentId: ID.unique(), data: { title: 'Thor: Ragnarok', releaseYear: 2017, birthDay: '1975-06-12 14:12:55', actors: [] }, permissions: userPerms(t),
  });
  const path = `${col(data)}/documents/${document.body.$id}`;
  t.eq(document.status, 201);
  t.eq((await t.side('GET', path)).status, 200);
  t.eq((await t.side('DELETE', path)).status, 204);
  t.eq((await t.side('GET', path)).status, 404);
  return data;
}, { depends: 'testCreateDocument' });

const testInvalidDocumentStructure = def('testInvalidDocumentStructure', async (t) => {
  const database = await t.server('POST', '/databases', { databaseId: ID.unique(), name: 'InvalidDocumentDatabase' });
  t.eq(database.status, 201);
  t.eq(database.body.name, 'InvalidDocumentDatabase');
  const collection = await t.server('POST', `/databases/${database.body.$id}/collections`, {
    collectionId: ID.unique(), name: 'invalidDocumentStructure', permissions: [Permission.create(Role.any()), Permission.read(Role.any())], documentSecurity: true,
  });
  t.eq(collection.status, 201);
  t.eq(collection.body.name, 'invalidDocumentStructure');
  const path = `/databases/${database.body.$id}/collections/${collection.body.$id}`;
  const attr = (kind, body) => t.server('POST', `${path}/attributes/${kind}`, body);

  const good = [
    await attr('email', { key: 'email', required: false }),
    await attr('ip', { key: 'ip', required: false }),
    await attr('url', { key: 'url', size: 256, required: false }),
    await attr('integer', { key: 'range', required: false, min: 1, max: 10 }),
    await attr('float', { key: 'floatRange', required: false, min: 1.1, max: 1.4 }),
    await attr('float', { key: 'probability', required: false, default: 0, min: 0, max: 1 }),
    await attr('integer', { key: 'upperBound', required: false, max: 10 }),
    await attr('integer', { key: 'lowerBound', required: false, min: 5 }),
    await attr('enum', { key: 'enum', elements: ['yes', 'no', 'maybe'], required: false }),
    await attr('datetime', { key: 'birthDay', required: false, default: null }),
  ];
  const invalidRange = await attr('integer', { key: 'invalidRange', required: false, min: 4, max: 3 });
  const defaultArray = await attr('integer', { key: 'defaultArray', required: false, default: 42, array: true });
  // These two name the attribute `attributeId` instead of `key` in the original.
  const defaultRequired = await attr('integer', { attributeId: 'defaultRequired', required: true, default: 12 });
  const enumDefault = await attr('enum', { attributeId: 'enumDefault', elements: ['north', 'west'], default: 'south' });
  const enumDefaultStrict = await attr('enum', { attributeId: 'enumDefault', elements: ['north', 'west'], default: 'NORTH' });
  const datetimeDefault = await attr('datetime', { key: 'badBirthDay', required: false, default: 'bad' });
  for (const r of good) t.eq(r.status, 202, r.body?.key ?? r.body?.message);
  for (const r of [invalidRange, defaultArray, defaultRequired, enumDefault, enumDefaultStrict]) t.eq(r.status, 400);
  t.eq(invalidRange.body.message, 'Minimum value must be lesser than maximum value');
  t.eq(defaultArray.body.message, `Cannot set default value for array ${t.tablesdb ? 'columns' : 'attributes'}`);
  t.eq(datetimeDefault.status, 400);

  await t.settle();
  const whole = await t.server('GET', path);
  t.count(whole.body.attributes, 10);

  const create = (data) => t.side('POST', `${path}/documents`, { documentId: ID.unique(), data, permissions: userPerms(t) });
  const accepted = [
    { email: 'user@example.com' }, { enum: 'yes' }, { ip: '1.1.1.1' }, { url: 'http://www.example.com' }, { range: 3 },
    { floatRange: 1.4 }, { probability: 0.99999 }, { upperBound: 8 }, { lowerBound: 8 },
  ];
  for (const data of accepted) t.eq((await create(data)).status, 201, JSON.stringify(data));

  const refused = [
    [{ email: 'user@@example.com' }, 'Attribute "email" has invalid format. Value must be a valid email address'],
    [{ enum: 'badEnum' }, 'Attribute "enum" has invalid format. Value must be one of (yes, no, maybe)'],
    [{ ip: '1.1.1.1.1' }, 'Attribute "ip" has invalid format. Value must be a valid IP address'],
    [{ url: 'example...com' }, 'Attribute "url" has invalid format. Value must be a valid URL'],
    [{ range: 11 }, 'Attribute "range" has invalid format. Value must be a valid range between 1 and 10'],
    // Appwrite rounds the float bounds in this message.
    [{ floatRange: 2.5 }, 'Attribute "floatRange" has invalid format. Value must be a valid range between 1 and 1'],
    [{ probability: 1.1 }, 'Attribute "probability" has invalid format. Value must be a valid range between 0 and 1'],
    [{ upperBound: 11 }, 'Attribute "upperBound" has invalid format. Value must be a valid range between -9,223,372,036,854,775,808 and 10'],
    [{ lowerBound: 3 }, 'Attribute "lowerBound" has invalid format. Value must be a valid range between 5 and 9,223,372,036,854,775,807'],
  ];
  const answers = [];
  for (const [data] of refused) answers.push(await create(data));
  const badTime = await t.side('POST', `${path}/documents`, {
    documentId: 'unique()', data: { birthDay: '2020-10-10 27:30:10+01:00' }, read: [`user:${t.user.$id}`], write: [`user:${t.user.$id}`],
  });
  for (const r of answers) t.eq(r.status, 400);
  t.eq(badTime.status, 400);
  refused.forEach(([, message], i) => t.eq(answers[i].body.message, `Invalid document structure: ${message}`));
});

const testDefaultPermissions = def('testDefaultPermissions', async (t, data) => {
  let document = await t.side('POST', `${col(data)}/documents`, { documentId: ID.unique(), data: { title: 'Captain America', releaseYear: 1944, actors: [] } });
  const id = document.body.$id;
  const path = `${col(data)}/documents/${id}`;
  t.eq(document.status, 201);
  t.eq(document.body.title, 'Captain America');
  t.eq(document.body.releaseYear, 1944);
  t.isType(document.body.$permissions, 'array');
  if (t.isClient) {
    t.count(document.body.$permissions, 3);
    for (const p of userPerms(t)) t.contains(document.body.$permissions, p);
  } else {
    t.count(document.body.$permissions, 0);
    t.eq(document.body.$permissions, []);
  }
  // Given permissions replace the document's; they are not merged with the old ones.
  const two = [Permission.read(Role.user(t.user.$id)), Permission.update(Role.user(t.user.$id))];
  document = await t.side('PATCH', path, { data: { title: 'Captain America 2', releaseYear: 1945, actors: [] }, permissions: two });
  for (let pass = 0; pass < 2; pass++) {
    t.eq(document.status, 200);
    t.eq(document.body.title, 'Captain America 2');
    t.eq(document.body.releaseYear, 1945);
    t.count(document.body.$permissions, 2);
    t.eq(document.body.$permissions, two);
    if (pass === 0) document = await t.side('GET', path);
  }
  document = await t.side('PATCH', path, { data: { title: 'Captain America 3', releaseYear: 1946, actors: [] }, permissions: [] });
  t.eq(document.status, 200);
  t.eq(document.body.title, 'Captain America 3');
  t.eq(document.body.releaseYear, 1946);
  t.count(document.body.$permissions, 0);
  t.eq(document.body.$permissions, []);
  document = await t.side('GET', path);
  t.eq(document.status, t.isClient ? 404 : 200);
  return data;
}, { depends: 'testDeleteDocument' });

/** testEnforceCollectionAndDocumentPermissions and testEnforceCollectionPermissions. */
function enforcePermissions(name, documentSecurity, other) {
  return def(name, async (t) => {
    const title = name.replace(/^test/, '');
    const database = await t.server('POST', '/databases', { databaseId: ID.unique(), name: title });
    t.eq(database.status, 201);
    t.eq(database.body.name, title);
    const user = t.user.$id;
    const label = title[0].toLowerCase() + title.slice(1);
    const collection = await t.server('POST', `/databases/${database.body.$id}/collections`, {
      collectionId: ID.unique(), name: label, ...(documentSecurity ? { documentSecurity: true } : {}),
      permissions: [Permission.read(Role.user(user)), Permission.create(Role.user(user)), Permission.update(Role.user(user)), Permission.delete(Role.user(user))],
    });
    t.eq(collection.status, 201);
    t.eq(collection.body.name, label);
    t.eq(collection.body.documentSecurity, documentSecurity);
    const path = `/databases/${database.body.$id}/collections/${collection.body.$id}`;
    await t.settle();
    const attribute = await t.server('POST', `${path}/attributes/string`, { key: 'attribute', size: 64, required: true });
    t.eq(attribute.status, 202);
    t.eq(attribute.body.key, 'attribute');
    await t.settle();
    const index = await t.server('POST', `${path}/indexes`, { key: 'key_attribute', type: 'key', attributes: ['attribute'] });
    t.eq(index.status, 202);
    t.eq(index.body.key, 'key_attribute');
    await t.settle();

    const document1 = await t.side('POST', `${path}/documents`, { documentId: ID.unique(), data: { attribute: 'one' }, permissions: [Permission.read(Role.user(user)), Permission.update(Role.user(user)), Permission.delete(Role.user(user))] });
    t.eq(document1.status, 201);
    const document2 = await t.side('POST', `${path}/documents`, { documentId: ID.unique(), data: { attribute: 'one' }, permissions: [Permission.update(Role.user(user)), Permission.delete(Role.user(user))] });
    t.eq(document2.status, 201);
    const document3 = await t.server('POST', `${path}/documents`, { documentId: ID.unique(), data: { attribute: 'one' }, permissions: [Permission.read(Role.user(other)), Permission.update(Role.user(other))] });
    t.eq(document3.status, 201);

    // The collection's read permission lets the user read every document.
    const documentsUser1 = await t.side('GET', `${path}/documents`);
    t.eq(documentsUser1.body.total, 3);
    t.count(documentsUser1.body.documents, 3);
    t.eq((await t.side('GET', `${path}/documents/${document3.body.$id}`)).status, 200);

    const session2 = await t.otherUser(other);
    const as2 = (p) => t.call('GET', p, {}, session2);
    if (documentSecurity) {
      t.eq((await as2(`${path}/documents/${document3.body.$id}`)).status, 200);
      t.eq((await as2(`${path}/documents/${document2.body.$id}`)).status, 404);
      const documentsUser2 = await as2(`${path}/documents`);
      t.eq(documentsUser2.body.total, 1);
      t.count(documentsUser2.body.documents, 1);
    } else {
      // Without document security, the document's own permissions do not count.
      t.eq((await as2(`${path}/documents/${document3.body.$id}`)).status, 404);
      t.eq((await as2(`${path}/documents`)).status, 401);
      await t.server('PUT', path, { name: collection.body.name, documentSecurity: true });
      const documentsUser2 = await as2(`${path}/documents`);
      t.eq(documentsUser2.body.total, 1);
      t.count(documentsUser2.body.documents, 1);
    }
  });
}
const testEnforceCollectionAndDocumentPermissions = enforcePermissions('testEnforceCollectionAndDocumentPermissions', true, 'other');
const testEnforceCollectionPermissions = enforcePermissions('testEnforceCollectionPermissions', false, 'other2');

const testUniqueIndexDuplicate = def('testUniqueIndexDuplicate', async (t, data) => {
  const uniqueIndex = await t.server('POST', `${col(data)}/indexes`, { key: 'unique_title', type: 'unique', attributes: ['title'] });
  t.eq(uniqueIndex.status, 202);
  await t.settle();
  const body = (title) => ({ data: { title, releaseYear: 1944, actors: ['Chris Evans', 'Samuel Jackson'] }, permissions: userPerms(t) });
  let duplicate = await t.side('POST', `${col(data)}/documents`, { documentId: ID.unique(), ...body('Captain America') });
  t.eq(duplicate.status, 409);
  const document = await t.side('POST', `${col(data)}/documents`, { documentId: ID.unique(), ...body('Captain America 5') });
  t.eq(document.status, 201);
  duplicate = await t.side('PATCH', `${col(data)}/documents/${document.body.$id}`, body('Captain America'));
  t.eq(duplicate.status, 409);
  return data;
}, { depends: 'testDefaultPermissions' });

const testPersistentCreatedAt = def('testPersistentCreatedAt', async (t, data) => {
  let document = await t.side('POST', `${col(data)}/documents`, { documentId: ID.unique(), data: { title: 'Creation Date Test', releaseYear: 2000 } });
  t.eq(document.body.title, 'Creation Date Test');
  const path = `${col(data)}/documents/${document.body.$id}`;
  const { $createdAt: createdAt, $updatedAt: updatedAt } = document.body;
  await sleepMs(1000);
  document = await t.side('PATCH', path, { data: { title: 'Updated Date Test' } });
  t.eq(document.body.title, 'Updated Date Test');
  t.eq(document.body.$createdAt, createdAt);
  t.ok(document.body.$updatedAt !== updatedAt, '$updatedAt moved');
  await sleepMs(1000);
  document = await t.side('PATCH', path, { data: { title: 'Again Updated Date Test', $createdAt: '2022-08-01 13:09:23.040', $updatedAt: '2022-08-01 13:09:23.050' } });
  if (!t.tablesdb181 || t.isClient) t.eq(document.body.title, 'Again Updated Date Test'); // TablesDB's 1.8.1 twin: client side only
  if (t.isClient) {
    t.ok(document.body.$createdAt !== '2022-08-01T13:09:23.040+00:00', 'a client cannot set $createdAt');
    t.ok(document.body.$updatedAt !== '2022-08-01T13:09:23.050+00:00', 'a client cannot set $updatedAt');
  } else {
    t.eq(document.body.$createdAt, '2022-08-01T13:09:23.040+00:00');
    t.eq(document.body.$updatedAt, '2022-08-01T13:09:23.050+00:00');
  }
  return data;
}, { depends: 'testUniqueIndexDuplicate' });

const testUpdatePermissionsWithEmptyPayload = def('testUpdatePermissionsWithEmptyPayload', async (t) => {
  const database = await t.server('POST', '/databases', { databaseId: ID.unique(), name: 'Empty Permissions' });
  t.eq(database.status, 201);
  const me = Role.user(t.user.$id);
  const movies = await t.server('POST', `/databases/${database.body.$id}/collections`, {
    collectionId: ID.unique(), name: 'Movies', documentSecurity: true,
    permissions: [Permission.create(me), Permission.read(me), Permission.update(me), Permission.delete(me)],
  });
  t.eq(movies.status, 201);
  t.eq(movies.body.name, 'Movies');
  const path = `/databases/${database.body.$id}/collections/${movies.body.$id}`;
  t.eq((await t.server('POST', `${path}/attributes/string`, { key: 'title', size: 256, required: true })).status, 202);
  await t.settle();
  const any = [Permission.read(Role.any()), Permission.update(Role.any()), Permission.delete(Role.any())];
  let document = await t.side('POST', `${path}/documents`, { documentId: ID.unique(), data: { title: 'Captain America' }, permissions: any });
  t.eq(document.status, 201);
  t.count(document.body.$permissions, 3);
  for (const p of any) t.contains(document.body.$permissions, p);
  const id = document.body.$id;
  document = await t.side('PATCH', `${path}/documents/${id}`, { permissions: [Permission.read(me)] });
  t.eq(document.status, 200);
  t.count(document.body.$permissions, 1);
  document = await t.side('PATCH', `${path}/documents/${id}`, { permissions: [Permission.update(me), Permission.delete(me)] });
  if (t.isServer) {
    t.eq(document.status, 200);
    t.count(document.body.$permissions, 2);
    t.contains(document.body.$permissions, Permission.update(me));
    t.contains(document.body.$permissions, Permission.delete(me));
  }
  await t.side('DELETE', path);
  return [];
});

const testAttributeBooleanDefault = def('testAttributeBooleanDefault', async (t, data) => {
  const collection = await t.server('POST', `/databases/${data.databaseId}/collections`, { collectionId: ID.unique(), name: 'Boolean' });
  t.eq(collection.status, 201);
  const path = `/databases/${data.databaseId}/collections/${collection.body.$id}/attributes/boolean`;
  t.eq((await t.server('POST', path, { key: 'true', required: false, default: true })).status, 202);
  t.eq((await t.server('POST', path, { key: 'false', required: false, default: false })).status, 202);
}, { depends: 'testCreateDatabase' });

const testOrQueries = def('testOrQueries', async (t) => {
  const database = await t.server('POST', '/databases', { databaseId: ID.unique(), name: 'Or queries' });
  t.notEmpty(database.body.$id);
  t.eq(database.status, 201);
  t.eq(database.body.name, 'Or queries');
  const presidents = await t.server('POST', `/databases/${database.body.$id}/collections`, {
    collectionId: ID.unique(), name: 'USA Presidents', documentSecurity: true, permissions: [Permission.create(Role.user(t.user.$id))],
  });
  t.eq(presidents.status, 201);
  t.eq(presidents.body.name, 'USA Presidents');
  const path = `/databases/${database.body.$id}/collections/${presidents.body.$id}`;
  t.eq((await t.server('POST', `${path}/attributes/string`, { key: 'first_name', size: 256, required: true })).status, 202);
  t.eq((await t.server('POST', `${path}/attributes/string`, { key: 'last_name', size: 256, required: true })).status, 202);
  await t.settle();
  for (const [first, last] of [['Donald', 'Trump'], ['George', 'Bush'], ['Joe', 'Biden']]) {
    const r = await t.side('POST', `${path}/documents`, { documentId: ID.unique(), data: { first_name: first, last_name: last }, permissions: [Permission.read(Role.user(t.user.$id))] });
    t.eq(r.status, 201);
  }
  const documents = await t.side('GET', `${path}/documents`, {
    queries: [
      Query.select(['first_name', 'last_name']),
      Query.or([Query.equal('first_name', ['Donald']), Query.equal('last_name', ['Bush'])]),
      Query.limit(999),
      Query.offset(0),
    ],
  });
  t.eq(documents.status, 200);
  t.count(documents.body.documents, 2);
});

/** A counter collection for testIncrementAttribute / testDecrementAttribute. */
async function counter(t, start) {
  const database = await t.server('POST', '/databases', { databaseId: ID.unique(), name: 'CounterDatabase' });
  const me = Role.user(t.user.$id);
  const collection = await t.server('POST', `/databases/${database.body.$id}/collections`, {
    collectionId: ID.unique(), name: 'CounterCollection', documentSecurity: true, permissions: [Permission.create(me), Permission.read(me)],
  });
  const path = `/databases/${database.body.$id}/collections/${collection.body.$id}`;
  await t.server('POST', `${path}/attributes/integer`, { key: 'count', required: true });
  await t.settle();
  const doc = await t.side('POST', `${path}/documents`, { documentId: ID.unique(), data: { count: start }, permissions: [Permission.read(Role.any()), Permission.update(Role.any())] });
  return { doc, path: `${path}/documents/${doc.body.$id}`, databaseId: database.body.$id, collectionId: collection.body.$id };
}

/** From 1.9 the counter routes' answers are checked to name their database and collection. */
function namesItsCollection(t, answer, { databaseId, collectionId }) {
  if (!t.atLeast('1.9.6')) return;
  t.eq(answer.body.$collectionId, collectionId);
  t.eq(answer.body.$databaseId, databaseId);
}

const testIncrementAttribute = def('testIncrementAttribute', async (t) => {
  const fixture = await counter(t, 5);
  const { doc, path } = fixture;
  t.eq(doc.status, 201);
  // The original calls these routes without credentials: the document lets anyone update it.
  const inc = (params) => t.call('PATCH', `${path}/count/increment`, params);
  let r = await inc({});
  t.eq(r.status, 200);
  t.eq(r.body.count, 6);
  namesItsCollection(t, r, fixture);
  t.eq((await t.side('GET', path)).body.count, 6);
  r = await inc({ value: 4 });
  t.eq(r.status, 200);
  t.eq(r.body.count, 10);
  t.eq((await t.side('GET', path)).body.count, 10);
  t.eq((await inc({ max: 8 })).status, 400);
  t.eq((await t.call('PATCH', `${path}/unknown/increment`, {})).status, 404);
  t.eq((await inc({ value: 0 })).status, 400);
});

const testDecrementAttribute = def('testDecrementAttribute', async (t) => {
  const fixture = await counter(t, 10);
  const { path } = fixture;
  const dec = (params) => t.call('PATCH', `${path}/count/decrement`, params);
  let r = await dec({});
  t.eq(r.status, 200);
  t.eq(r.body.count, 9);
  namesItsCollection(t, r, fixture);
  t.eq((await t.side('GET', path)).body.count, 9);
  r = await dec({ value: 3 });
  t.eq(r.status, 200);
  t.eq(r.body.count, 6);
  t.eq((await t.side('GET', path)).body.count, 6);
  t.eq((await dec({ min: 7 })).status, 400);
  if (!t.tablesdb181) { // TablesDB's twin has only the first of the limit cases
    t.eq((await dec({ value: 3, min: 5 })).status, 400);
    t.eq((await dec({ value: 10, min: 0 })).status, 400);
  }
  t.eq((await dec({ value: 'not-a-number' })).status, 400);
  // The collections API's original sends its zero to `increment` here; TablesDB's to `decrement`.
  t.eq((await t.call('PATCH', `${path}/count/${t.tablesdb181 ? 'decrement' : 'increment'}`, { value: 0 })).status, 400);
});

/** Methods of the original not ported, with the reason. */
export const outOfScope = {
  testOneToOneRelationship: 'relationships',
  testOneToManyRelationship: 'relationships',
  testManyToOneRelationship: 'relationships',
  testManyToManyRelationship: 'relationships',
  testValidateOperators: 'relationships (its fixture is testOneToManyRelationship)',
  testSelectQueries: 'relationships (its fixture is testOneToManyRelationship)',
  testUpdateWithExistingRelationships: 'relationships',
  testTimeout: "a MariaDB query outlasting x-appwrite-timeout over ten 100 MB texts (a resource file of Appwrite's)",
  testSpatialPointAttributes: 'spatial types',
  testSpatialLineAttributes: 'spatial types',
  testSpatialPolygonAttributes: 'spatial types',
  testSpatialAttributesMixedCollection: 'spatial types',
  testUpdateSpatialAttributes: 'spatial types',
  testSpatialQuery: 'spatial types',
  testSpatialRelationshipOneToOne: 'spatial types',
  testSpatialRelationshipOneToMany: 'spatial types',
  testSpatialRelationshipManyToOne: 'spatial types',
  testSpatialRelationshipManyToMany: 'spatial types',
  testSpatialIndex: 'spatial types',
  testSpatialDistanceInMeter: 'spatial types',
  testSpatialColCreateOnExistingData: 'spatial types',
  testSpatialColCreateOnExistingDataWithDefaults: 'spatial types',
};

/** The ported methods by name, for the 1.9.6 trait that runs many of them unchanged. */
export const byName = () => Object.fromEntries(methods.map((m) => [m.name, m]));

export const methods = [
  testCreateDatabase, testCreateCollection, testConsoleProject, testDisableCollection, testCreateAttributes,
  testListAttributes, testPatchAttribute, testUpdateAttributeEnum, testAttributeResponseModels, testCreateIndexes,
  testGetIndexByKeyWithLengths, testListIndexes, testCreateDocument, testUpsertDocument, testListDocuments,
  testGetDocument, testGetDocumentWithQueries, testListDocumentsAfterPagination, testListDocumentsBeforePagination,
  testListDocumentsLimitAndOffset, testDocumentsListQueries, testUpdateDocument, testOperators, testBulkOperators,
  testDeleteDocument, testInvalidDocumentStructure, testDefaultPermissions, testEnforceCollectionAndDocumentPermissions,
  testEnforceCollectionPermissions, testUniqueIndexDuplicate, testPersistentCreatedAt, testUpdatePermissionsWithEmptyPayload,
  testAttributeBooleanDefault, testOrQueries, testIncrementAttribute, testDecrementAttribute,
];
