// Drives the emulator's realtime endpoint with Appwrite's official web SDK: `appwrite` 27 (the
// `Realtime` service: subscribe/unsubscribe messages, events routed by `subscriptions`) and
// `appwrite` 21 (the deprecated `client.subscribe`: channels in the URL). Writes come from
// `node-appwrite`. Node has no browser globals, so the script provides `WebSocket` (from `ws`)
// and the bits of `window` the SDKs touch.
//
// Usage: node realtime.mjs [path/to/appwrite-emulator]

import { startEmulator } from './emulator.mjs';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { Client as ServerClient, Databases, Users, Permission, Role, Query } from 'node-appwrite';
import { Client, Realtime } from 'appwrite';
import { Client as LegacyClient } from 'appwrite-legacy';

globalThis.WebSocket = WebSocket;
globalThis.window = {
  setTimeout, clearTimeout, setInterval, clearInterval, console,
  localStorage: { getItem: () => null, setItem: () => {}, removeItem: () => {} },
};

const binary = process.argv[2] ?? new URL('../../target/debug/appwrite-emulator', import.meta.url).pathname;
const names = JSON.parse(readFileSync(new URL('../fixtures/event-names.json', import.meta.url)))['server_1.9.5_plus'];


const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, predicate) {
  for (let i = 0; i < 200; i++) {
    if (predicate()) return;
    await sleep(10);
  }
  assert.fail(`timed out waiting for ${what}`);
}

function expected(list, db, col, doc, action) {
  return list.map((s) => s.replaceAll('DB', db).replaceAll('COL', col).replaceAll('DOC', doc).replace(/\.create$/, `.${action}`)).sort();
}

let checks = 0;
const step = (name) => console.log(`ok ${++checks} - ${name}`);

const { child, endpoint, project, key } = await startEmulator(binary, 'live', 'live-key', 0);
const closers = [];
try {
  const admin = new ServerClient().setEndpoint(endpoint).setProject(project).setKey(key);
  const databases = new Databases(admin);
  const users = new Users(admin);
  const db = 'live';
  const col = 'notes';
  await databases.create({ databaseId: db, name: 'Live' });
  await databases.createCollection({ databaseId: db, collectionId: col, name: 'Notes', permissions: [], documentSecurity: true });
  await databases.createStringAttribute({ databaseId: db, collectionId: col, key: 'text', size: 100, required: true });
  await databases.createIntegerAttribute({ databaseId: db, collectionId: col, key: 'n', required: false });
  for (;;) {
    const { attributes } = await databases.listAttributes({ databaseId: db, collectionId: col });
    if (attributes.every((a) => a.status === 'available')) break;
    await sleep(10);
  }
  await users.create({ userId: 'alice' });
  const { jwt } = await users.createJWT({ userId: 'alice' });
  const base = { databaseId: db, collectionId: col };
  const collectionChannel = `databases.${db}.collections.${col}.documents`;

  // appwrite 27: the Realtime service, authenticated with a JWT.
  const aliceClient = new Client().setEndpoint(endpoint).setProject(project).setJWT(jwt);
  const realtime = new Realtime(aliceClient);
  const collectionEvents = [];
  const documentEvents = [];
  const bigEvents = [];
  const collectionSub = await realtime.subscribe(collectionChannel, (e) => collectionEvents.push(e));
  const documentSub = await realtime.subscribe(`${collectionChannel}.doc1`, (e) => documentEvents.push(e));
  const bigSub = await realtime.subscribe(collectionChannel, (e) => bigEvents.push(e), [Query.greaterThan('n', 10)]);
  closers.push(() => realtime.disconnect?.());

  // A guest socket through the same SDK, and a guest through the deprecated URL-channel path.
  const guestRealtime = new Realtime(new Client().setEndpoint(endpoint).setProject(project));
  const guestEvents = [];
  await guestRealtime.subscribe(collectionChannel, (e) => guestEvents.push(e));
  const legacyClient = new LegacyClient().setEndpoint(endpoint).setProject(project);
  const legacyEvents = [];
  const legacyUnsubscribe = legacyClient.subscribe([collectionChannel, 'documents'], (e) => legacyEvents.push(e));
  closers.push(legacyUnsubscribe);
  await sleep(300); // let every socket connect and subscribe
  step('three sockets connected: JWT message protocol, guest message protocol, guest URL channels');

  const alice = [Permission.read(Role.user('alice'))];
  await databases.createDocument({ ...base, documentId: 'doc1', data: { text: 'first', n: 1 }, permissions: alice });
  await databases.updateDocument({ ...base, documentId: 'doc1', data: { text: 'second', n: 20 } });
  await databases.createDocument({ ...base, documentId: 'doc2', data: { text: 'other', n: 30 }, permissions: alice });
  await databases.deleteDocument({ ...base, documentId: 'doc1' });
  await databases.createDocument({ ...base, documentId: 'public', data: { text: 'for all' }, permissions: [Permission.read(Role.any())] });
  await until('collection events', () => collectionEvents.length === 5 && legacyEvents.length === 1 && guestEvents.length === 1);

  const seen = collectionEvents.map((e) => [e.payload.$id, e.events[0].split('.').pop()]);
  assert.deepEqual(seen, [['doc1', 'create'], ['doc1', 'update'], ['doc2', 'create'], ['doc1', 'delete'], ['public', 'create']]);
  for (const event of collectionEvents) {
    const action = event.events[0].split('.').pop();
    assert.deepEqual([...event.events].sort(), expected(names.events, db, col, event.payload.$id, action));
    assert.deepEqual([...event.channels].sort(), expected(names.channels, db, col, event.payload.$id, action));
    assert.match(event.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/);
    assert.equal(event.payload.$collectionId, col);
  }
  assert.equal(collectionEvents[1].payload.text, 'second');
  assert.equal(collectionEvents[3].payload.text, 'second', 'a delete carries the document as it was');
  step('create, update and delete events with the exact 1.9.6 events and channels, in commit order');

  assert.deepEqual(documentEvents.map((e) => [e.payload.$id, e.events[0].split('.').pop()]), [['doc1', 'create'], ['doc1', 'update'], ['doc1', 'delete']]);
  // Each event names every subscription of the socket it matched: collection, document and query.
  assert.deepEqual(collectionEvents.map((e) => e.subscriptions.length), [2, 3, 2, 3, 1]);
  assert.equal(new Set(collectionEvents.flatMap((e) => e.subscriptions)).size, 3);
  assert.deepEqual(bigEvents.map((e) => e.payload.$id), ['doc1', 'doc2', 'doc1'], 'a subscription query filters events');
  step('document channel and subscription queries route events by subscriptions');

  assert.deepEqual(guestEvents.map((e) => e.payload.$id), ['public']);
  assert.deepEqual(legacyEvents.map((e) => e.payload.$id), ['public']);
  step('guests receive only the public document, on both protocols');

  await collectionSub.unsubscribe();
  await documentSub.unsubscribe();
  await bigSub.unsubscribe();
  const before = collectionEvents.length;
  const afterUnsubscribe = [];
  const probe = await realtime.subscribe(`${collectionChannel}.doc2`, (e) => afterUnsubscribe.push(e));
  await sleep(100);
  await databases.updateDocument({ ...base, documentId: 'doc2', data: { text: 'changed' } });
  await until('probe event', () => afterUnsubscribe.length === 1);
  await sleep(100);
  assert.equal(collectionEvents.length, before, 'an unsubscribed subscription receives nothing');
  assert.equal(afterUnsubscribe[0].payload.text, 'changed');
  await probe.unsubscribe();
  step('unsubscribe stops delivery while the socket stays open');

  // The raw protocol: ping, malformed frames, unknown types.
  const raw = new WebSocket(`${endpoint.replace('http', 'ws')}/realtime?project=${project}`);
  const frames = [];
  raw.on('message', (m) => frames.push(JSON.parse(m.toString())));
  await new Promise((r) => raw.on('open', r));
  await until('connected', () => frames.length === 1);
  assert.equal(frames[0].type, 'connected');
  raw.send(JSON.stringify({ type: 'ping' }));
  raw.send('not json');
  raw.send(JSON.stringify({ type: 'dance', data: {} }));
  await until('replies', () => frames.length === 4);
  assert.deepEqual(frames[1], { type: 'pong' });
  assert.deepEqual(frames[2], { type: 'error', data: { code: 1003, message: 'Message format is not valid.' } });
  assert.deepEqual(frames[3], { type: 'error', data: { code: 1003, message: 'Message type is not valid.' } });
  raw.send('x'.repeat(64_001));
  await until('too big', () => frames.length === 5);
  assert.equal(frames[4].type, 'error');
  await new Promise((r) => (raw.readyState === WebSocket.CLOSED ? r() : raw.on('close', r)));
  const unknown = new WebSocket(`${endpoint.replace('http', 'ws')}/realtime?project=nope`);
  const refusal = await new Promise((r) => unknown.on('message', (m) => r(JSON.parse(m.toString()))));
  assert.deepEqual(refusal, { type: 'error', data: { code: 1008, message: 'Missing or unknown project ID' } });
  step('ping/pong, malformed and unknown frames, oversized frames and unknown projects');

  console.log(`all ${checks} realtime conformance steps passed`);
} finally {
  for (const close of closers) {
    try { close(); } catch {}
  }
  child.kill('SIGTERM');
  setTimeout(() => process.exit(process.exitCode ?? 0), 100);
}
