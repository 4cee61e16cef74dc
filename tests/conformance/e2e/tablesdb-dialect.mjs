// Runs a port of the collections API's tests as its TablesDB twin.
//
// Appwrite 1.8.1's `TablesDB/*` test classes are the `Legacy/*` ones with the API's names swapped
// (paths, keys, error types), except in the methods each port marks with `t.tablesdb`. So a class
// can run in the TablesDB dialect: every request is renamed into TablesDB's routes and keys
// before it is sent, and every answer is checked to speak TablesDB only — a collections name
// anywhere in it is a failure of its own — before it is renamed back for the port's
// expectations. The renaming is exact (tables of names, not word replacement): a message the
// tables below do not know reaches the port as it came, so a wrong wording fails there.

import { readFileSync } from 'node:fs';

const { errors } = JSON.parse(readFileSync(new URL('./tablesdb-errors.json', import.meta.url), 'utf8'));

// [collections API, TablesDB]
const SEGMENTS = { 1: [['collections', 'tables']], 3: [['attributes', 'columns'], ['documents', 'rows']] };
const BODY_KEYS = [
  ['collectionId', 'tableId'], ['documentId', 'rowId'], ['documentSecurity', 'rowSecurity'],
  ['documents', 'rows'], ['attributes', 'columns'], ['relatedCollectionId', 'relatedTableId'],
];
const OPERATION_KEYS = [['collectionId', 'tableId'], ['documentId', 'rowId']];
// The data of a staged increment or decrement names its column.
const COUNTER_KEYS = [['attribute', 'column']];
// Keys of TablesDB's models (Table, Row, ColumnIndex, ColumnRelationship, the lists).
const ANSWER_KEYS = [
  ['$collectionId', '$tableId'], ['$collection', '$table'], ['documentSecurity', 'rowSecurity'], ['relatedCollection', 'relatedTable'],
  ['collections', 'tables'], ['documents', 'rows'], ['attributes', 'columns'],
];

const renameKeys = (object, pairs, from, to) => {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) return object;
  const out = {};
  for (const [key, value] of Object.entries(object)) {
    const pair = pairs.find((p) => p[from] === key);
    out[pair ? pair[to] : key] = value;
  }
  return out;
};

/** Whether a request goes to the databases API (the only one with a TablesDB twin). */
export const isDatabasesPath = (path) => path === '/databases' || path.startsWith('/databases/') || path.startsWith('/databases?');

/** The TablesDB request for a collections-API one: path and parameters renamed. */
export function request(path, params) {
  const [route, query] = path.split('?');
  const parts = route.split('/').slice(2); // after '/databases'
  const renamed = parts.map((part, i) => (SEGMENTS[i] ?? []).find(([c]) => c === part)?.[1] ?? part);
  const tablesPath = `/tablesdb${renamed.length ? `/${renamed.join('/')}` : ''}${query === undefined ? '' : `?${query}`}`;
  let body = renameKeys(params, BODY_KEYS, 0, 1);
  const operation = (o) => {
    const renamed = renameKeys(o, OPERATION_KEYS, 0, 1);
    if (['increment', 'decrement'].includes(renamed?.action)) renamed.data = renameKeys(renamed.data, COUNTER_KEYS, 0, 1);
    return renamed;
  };
  if (Array.isArray(body?.operations)) body = { ...body, operations: body.operations.map(operation) };
  return [tablesPath, body];
}

/**
 * The collections-API answer for a TablesDB one (to `path`), and the places where the TablesDB
 * answer used a collections name (each one a failure).
 */
export function answer(path, body) {
  // Appwrite 1.8.1's transaction endpoints are one implementation for both APIs and throw the
  // collections API's errors (`Transactions/Operations/Create.php`, `Transactions/Update.php`).
  const ownErrors = !path.startsWith('/tablesdb/transactions');
  const wrong = [];
  const walk = (value, at) => {
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${at}[${i}]`));
    if (value === null || typeof value !== 'object') return value;
    for (const [collections] of ANSWER_KEYS) if (collections in value) wrong.push(`${at}.${collections}`);
    const renamed = renameKeys(value, ANSWER_KEYS, 1, 0);
    for (const key of Object.keys(renamed)) renamed[key] = walk(renamed[key], `${at}.${key}`);
    return renamed;
  };
  const out = walk(body, 'answer');
  if (ownErrors && out && typeof out === 'object' && typeof out.type === 'string') {
    const tables = errors.find(([type]) => type === out.type);
    const collections = errors.find(([, type]) => type === out.type);
    if (tables) out.type = tables[1];
    else if (collections) wrong.push(`error type ${out.type} (TablesDB names it ${collections[0]})`);
    if (typeof out.message === 'string') {
      const byTables = errors.find(([, , message]) => message === out.message);
      const byCollections = errors.find(([, , tablesMessage, message]) => message === out.message && message !== tablesMessage);
      if (byTables) out.message = byTables[3];
      else if (byCollections) wrong.push(`message "${out.message}" (TablesDB says "${byCollections[2]}")`);
    }
  }
  return [out, wrong];
}
