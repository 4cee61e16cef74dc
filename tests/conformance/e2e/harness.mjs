// The runner for the ports of Appwrite's own end-to-end tests (tag 1.8.1).
//
// Appwrite's tests are PHPUnit methods that call the REST API through a thin HTTP client and
// assert on status codes and bodies; methods of a class share state through `@depends`. Here a
// *class* is a list of methods run in order against one fresh emulator (Appwrite gives each test
// class its own project), and a method is an async function receiving a `Case`:
// - `t.call(method, path, params, headers)` speaks HTTP the way Appwrite's test client does
//   (JSON bodies, PHP-style `a[0]=…` query strings for GET and DELETE);
// - `t.server` (the API key) and `t.side` (the key on the server side, a user's JWT on the client
//   side) are shorthands for it;
// - assertions do not throw: each one is counted, so one failing expectation does not hide the
//   others, and the report says per method how many failed;
// - `t.skip(n, why)` counts assertions of the original that are out of scope here
//   (relationships, spatial, transactions, …), so the report can say how much was left out.
//
// A run is compared with `expected-failures.json`: a method that fails more or fewer assertions
// than the ledger says fails the run, so the ledger always says exactly what is left to fix.

import { startEmulator as startProcess } from '../emulator.mjs';
import { isDeepStrictEqual, inspect } from 'node:util';
import WebSocket from 'ws';
import * as tablesdb from './tablesdb-dialect.mjs';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long the emulator's simulated attribute/index worker takes (`--attribute-delay-ms`). */
export const WORKER_DELAY_MS = 50;

/** A fresh emulator behaving as Appwrite `version`. */
export function startEmulator(binary, version) {
  return startProcess(binary, 'e2e', 'e2e-key', WORKER_DELAY_MS, ['--appwrite-version', version]);
}

/** PHP's `http_build_query`: nested keys as `a[0][b]`, booleans as 1/0, nulls left out. */
function phpQuery(params) {
  const pairs = [];
  const walk = (prefix, value) => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) value.forEach((v, i) => walk(`${prefix}[${i}]`, v));
    else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(`${prefix}[${k}]`, v);
    else pairs.push(`${encodeURIComponent(prefix)}=${encodeURIComponent(typeof value === 'boolean' ? (value ? 1 : 0) : value)}`);
  };
  for (const [k, v] of Object.entries(params)) walk(k, v);
  return pairs.join('&');
}

export class Failure extends Error {}

export class Case {
  constructor(env, side, label) {
    this.env = env;
    this.sideName = side;
    this.label = label;
    this.passed = 0;
    this.failures = [];
    this.skipped = 0;
    this.user = env.user;
    this.project = env.project;
  }

  /** Appwrite's test client: the raw HTTP call, the status and the decoded body. */
  async call(method, path, params = {}, headers = {}) {
    if (this.tablesdb && tablesdb.isDatabasesPath(path)) {
      const [tablesPath, tablesParams] = tablesdb.request(path, params);
      const response = await this.rawCall(method, tablesPath, tablesParams, headers);
      const [body, wrong] = tablesdb.answer(tablesPath, response.body);
      for (const what of wrong) this.failures.push(`${method} ${tablesPath}: the TablesDB answer has ${what}`);
      return { ...response, body };
    }
    return this.rawCall(method, path, params, headers);
  }

  /** `call` as it is, whatever the class's dialect. */
  async rawCall(method, path, params = {}, headers = {}) {
    const all = { 'content-type': 'application/json', 'x-appwrite-project': this.env.project, ...headers };
    for (const [k, v] of Object.entries(all)) if (v === undefined || v === null) delete all[k];
    let url = `${this.env.endpoint}${path}`;
    let body;
    if (method === 'GET' || method === 'HEAD' || (method === 'DELETE' && Object.keys(params).length === 0)) {
      const query = phpQuery(params);
      if (query) url += `?${query}`;
    } else {
      body = JSON.stringify(params);
    }
    const response = await fetch(url, { method, headers: all, body });
    const text = await response.text();
    let parsed = text;
    try { parsed = JSON.parse(text); } catch { /* keep the text, '' for no body */ }
    return { status: response.status, headers: Object.fromEntries(response.headers), body: parsed };
  }

  /** Whether the class ports Appwrite `version` or a later release (`'1.9.5'`). */
  atLeast(version) {
    const parts = (v) => v.split('.').map(Number);
    const [a, b] = [parts(this.env.version), parts(version)];
    for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
    return true;
  }

  /** Whether the class is a TablesDB twin (see `tablesdb-dialect.mjs`). */
  get tablesdb() { return this.env.dialect === 'tablesdb'; }
  /**
   * Whether the class is 1.8.1's TablesDB twin, whose methods differ from the collections API's
   * here and there; from 1.9 one trait serves both APIs.
   */
  get tablesdb181() { return this.tablesdb && !this.atLeast('1.9.0'); }

  /** The API key's headers, which Appwrite's tests send for every schema call. */
  get keyHeaders() { return { 'x-appwrite-key': this.env.key }; }
  /** `getHeaders()` of the side: the key on the server side, the user's JWT on the client side. */
  get headers() { return this.sideName === 'server' ? this.keyHeaders : { 'x-appwrite-jwt': this.env.jwt }; }
  get isServer() { return this.sideName === 'server'; }
  get isClient() { return this.sideName === 'client'; }

  server(method, path, params) { return this.call(method, path, params, this.keyHeaders); }
  side(method, path, params) { return this.call(method, path, params, this.headers); }

  /** Another user (Appwrite's tests sign one up and log in): the headers of a JWT of theirs. */
  async otherUser(userId) {
    const user = await this.server('POST', '/users', { userId, email: `${userId}-${Date.now()}@localhost.test`, password: 'password', name: 'User Name' });
    const jwt = await this.server('POST', `/users/${user.body.$id}/jwts`, {});
    return { 'x-appwrite-jwt': jwt.body.jwt };
  }

  /**
   * A realtime socket as Appwrite's tests open one: channels in the URL, credentials in the
   * headers (a JWT here for their session cookie), `project` overridable (`null` leaves it
   * out), and `extra` query parameters (a channel's queries, `{ documents: [[q1, q2]] }`).
   */
  socket(channels, headers = {}, project = this.env.project, extra = {}) {
    const query = phpQuery({ project, channels, ...extra });
    const url = `${this.env.endpoint.replace(/^http/, 'ws')}/realtime?${query}`;
    return new Socket(url, headers);
  }

  /** Waits for the emulator's attribute and index worker, where Appwrite's tests `sleep`. */
  settle() { return sleep(WORKER_DELAY_MS * 4); }

  record(ok, what) {
    if (ok) this.passed++;
    else this.failures.push(what);
    return ok;
  }
  eq(actual, expected, what = '') {
    // PHPUnit's assertEquals is loose: 1 == 1.0 == '1', [] == [] regardless of key order.
    const ok = isDeepStrictEqual(actual, expected) || loose(actual, expected);
    return this.record(ok, `${what} expected ${inspect(expected, { depth: 4 })}, got ${inspect(actual, { depth: 4 })}`);
  }
  same(actual, expected, what = '') {
    return this.record(isDeepStrictEqual(actual, expected), `${what} expected exactly ${inspect(expected)}, got ${inspect(actual)}`);
  }
  ok(value, what = 'expected true') { return this.record(value === true || (value && value !== 0), what); }
  notOk(value, what = 'expected false') { return this.record(!value, what); }
  count(list, n, what = '') { return this.record(Array.isArray(list) && list.length === n, `${what} expected ${n} items, got ${Array.isArray(list) ? list.length : inspect(list)}`); }
  has(obj, key, what = '') { return this.record(obj !== null && typeof obj === 'object' && key in obj, `${what} expected key ${key} in ${inspect(obj, { depth: 1 })}`); }
  lacks(obj, key, what = '') { return this.record(obj !== null && typeof obj === 'object' && !(key in obj), `${what} expected no key ${key} in ${inspect(obj, { depth: 1 })}`); }
  notEmpty(value, what = 'expected a non-empty value') { return this.record(!(value === undefined || value === null || value === '' || value === 0 || value === false || (Array.isArray(value) && value.length === 0)), what); }
  empty(value, what = 'expected an empty value') { return this.record(value === undefined || value === null || value === '' || value === 0 || value === false || (Array.isArray(value) && value.length === 0) || (typeof value === 'object' && Object.keys(value).length === 0), what); }
  contains(haystack, needle, what = '') {
    const ok = typeof haystack === 'string' ? haystack.includes(needle) : Array.isArray(haystack) && haystack.some((x) => isDeepStrictEqual(x, needle));
    return this.record(ok, `${what} expected ${inspect(haystack)} to contain ${inspect(needle)}`);
  }
  notContains(haystack, needle, what = '') {
    const ok = typeof haystack === 'string' ? !haystack.includes(needle) : Array.isArray(haystack) && !haystack.some((x) => isDeepStrictEqual(x, needle));
    return this.record(ok, `${what} expected ${inspect(haystack)} not to contain ${inspect(needle)}`);
  }
  isType(value, type, what = '') {
    const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : Number.isInteger(value) && type === 'int' ? 'int' : typeof value;
    const wanted = { int: 'int', string: 'string', array: 'array', bool: 'boolean', float: 'number', object: 'object' }[type] ?? type;
    return this.record(actual === wanted || (wanted === 'number' && typeof value === 'number'), `${what} expected a ${type}, got ${inspect(value)}`);
  }
  /** An error answer: the status and, when given, Appwrite's error type. */
  error(response, status, type, what = '') {
    this.eq(response.status, status, `${what} status (${inspect(response.body?.message)})`);
    if (type !== undefined) this.eq(response.body?.type, type, `${what} type`);
  }
  /** Assertions of the original that are not ported because their subject is out of scope. */
  skip(n, why) { this.skipped += n; this.skipReasons = [...(this.skipReasons ?? []), why]; }
}

/** A realtime client: frames are queued as they arrive and taken in order. */
export class Socket {
  constructor(url, headers) {
    this.frames = [];
    this.waiting = null;
    this.closed = false;
    this.ws = new WebSocket(url, { headers });
    this.ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()));
      this.waiting?.();
    });
    this.ws.on('close', () => { this.closed = true; this.waiting?.(); });
    this.ws.on('error', () => { this.closed = true; this.waiting?.(); });
  }

  /** The next frame, or `undefined` after `ms` without one (Appwrite's tests time out too). */
  async receive(ms = 5000) {
    const deadline = Date.now() + ms;
    while (this.frames.length === 0 && !this.closed && Date.now() < deadline) {
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiting = () => { clearTimeout(timer); resolve(); };
      });
      this.waiting = null;
    }
    return this.frames.shift();
  }

  send(message) { this.ws.send(JSON.stringify(message)); }

  /** Whether nothing arrives for `ms` while the socket stays open (a closed socket is no proof). */
  async quiet(ms) {
    return (await this.receive(ms)) === undefined && !this.closed;
  }

  /** Whether the server closed the socket within `ms`. */
  async closedWithin(ms) {
    const deadline = Date.now() + ms;
    while (!this.closed && Date.now() < deadline) await sleep(20);
    return this.closed;
  }

  close() { this.ws.close(); }
}

function loose(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if ((typeof a === 'number' && typeof b === 'string') || (typeof a === 'string' && typeof b === 'number')) return String(a) === String(b) && a !== '';
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return isDeepStrictEqual(ka, kb) && ka.every((k) => isDeepStrictEqual(a[k], b[k]) || loose(a[k], b[k]));
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => isDeepStrictEqual(x, b[i]) || loose(x, b[i]));
  return false;
}

/** The user a client-side class acts as, with a JWT for its requests. */
async function makeUser(env) {
  const admin = { 'content-type': 'application/json', 'x-appwrite-project': env.project, 'x-appwrite-key': env.key };
  const post = async (path, body) => {
    const r = await fetch(`${env.endpoint}${path}`, { method: 'POST', headers: admin, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  const user = await post('/users', { userId: 'unique()', email: `user-${Date.now()}@localhost.test`, password: 'password-1234', name: 'E2E User' });
  const { jwt } = await post(`/users/${user.$id}/jwts`, {});
  return { user, jwt };
}

/**
 * Runs one ported class: `methods` in order against a fresh emulator behaving as Appwrite
 * `version`, on `side` ('server' or 'client'), speaking `dialect` ('collections' or 'tablesdb'). A method receives the `Case` and the value the
 * method it depends on returned.
 */
export async function runClass(binary, name, side, methods, version, dialect = 'collections') {
  if (methods.length === 0) return [];
  const { child, endpoint, project, key } = await startEmulator(binary, version);
  const env = { endpoint: `${endpoint}`, project, key, version, dialect };
  const results = [];
  try {
    Object.assign(env, await makeUser(env));
    const returned = new Map();
    for (const method of methods) {
      const t = new Case(env, side, `${name}::${method.name}`);
      const input = method.depends ? returned.get(method.depends) : undefined;
      if (method.depends && input === undefined) {
        t.failures.push(`depends on ${method.depends}, which returned nothing`);
      } else {
        try {
          returned.set(method.name, (await method(t, input)) ?? null);
        } catch (err) {
          t.failures.push(`threw: ${err?.stack ?? err}`);
        }
      }
      results.push(t);
    }
  } finally {
    child.kill('SIGKILL');
  }
  return results;
}

/** Declares a ported method: `def('testX', async (t, data) => …, { depends: 'testY' })`. */
export function def(name, fn, options = {}) {
  Object.defineProperty(fn, 'name', { value: name });
  fn.depends = options.depends;
  fn.sides = options.sides;
  return fn;
}
