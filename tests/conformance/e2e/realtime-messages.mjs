// Port of Appwrite 1.9.6 `tests/e2e/Services/Realtime/RealtimeCustomClientQueryTestWithMessage.php`:
// sockets that connect without channels and subscribe with `subscribe` messages, as 1.9.5 and
// later speak. The emulator runs as 1.9.6 for this class. Most methods of the class and of
// `RealtimeQueryBase` (ported in realtime-query.mjs) that trigger account, files or console
// test-channel events are out of scope here (the account service, storage, the console project).

import { ID, Permission, Role, Query } from 'node-appwrite';
import { def } from './harness.mjs';
import * as query from './realtime-query.mjs';

const QUIET_MS = 600;

const { subscribe } = query;

/** A socket with no channels in its URL, connected as the test's user. */
async function bare(t) {
  const socket = t.socket([], { 'x-appwrite-jwt': t.env.jwt });
  const connected = await socket.receive();
  t.eq(connected?.type, 'connected');
  return { socket, connected };
}

const testSubscribeMessageUpsertCreateAndEdgeCases = def('testSubscribeMessageUpsertCreateAndEdgeCases', async (t) => {
  const { socket } = await bare(t);
  const status = (value) => [Query.equal('status', [value])];
  const initial = await subscribe(t, socket, [{ channels: ['documents'], queries: [Query.select(['*'])] }]);
  const id = initial.data?.subscriptions?.[0]?.subscriptionId ?? '';
  t.notEmpty(id);
  const subs = (r) => r.data?.subscriptions ?? [];

  const r1 = await subscribe(t, socket, [{ subscriptionId: id, channels: ['documents'], queries: status('q1') }]);
  t.count(subs(r1), 1);
  t.same(subs(r1)[0]?.subscriptionId, id);
  t.same(subs(r1)[0]?.queries, status('q1'));
  const r2 = await subscribe(t, socket, [{ subscriptionId: id, channels: ['documents'], queries: status('q2') }]);
  t.same(subs(r2)[0]?.subscriptionId, id);
  t.same(subs(r2)[0]?.queries, status('q2'));
  // Without an id the server mints one.
  const rOmit = await subscribe(t, socket, [{ channels: ['documents'], queries: status('omitted-slot') }]);
  const minted = subs(rOmit)[0]?.subscriptionId;
  t.ok(minted !== id, 'a new id');
  t.notEmpty(minted);
  const explicit = ID.unique();
  const rExplicit = await subscribe(t, socket, [{ subscriptionId: explicit, channels: ['documents'], queries: status('explicit') }]);
  t.same(subs(rExplicit)[0]?.subscriptionId, explicit);
  t.same(subs(rExplicit)[0]?.queries, status('explicit'));
  // The same id twice in one message: the last wins.
  const rDup = await subscribe(t, socket, [
    { subscriptionId: id, channels: ['documents'], queries: status('dup-a') },
    { subscriptionId: id, channels: ['documents'], queries: status('dup-b') },
  ]);
  t.count(subs(rDup), 2);
  t.same(subs(rDup)[0]?.subscriptionId, id);
  t.same(subs(rDup)[1]?.subscriptionId, id);
  t.same(subs(rDup)[1]?.queries, status('dup-b'));
  const rMixed = await subscribe(t, socket, [
    { subscriptionId: id, channels: ['documents'], queries: status('mixed-update') },
    { channels: ['documents'], queries: status('mixed-new') },
  ]);
  t.count(subs(rMixed), 2);
  t.same(subs(rMixed)[0]?.subscriptionId, id);
  t.ok(subs(rMixed)[1]?.subscriptionId !== id, 'a new id for the entry without one');
  t.notEmpty(subs(rMixed)[1]?.subscriptionId);
  const rSame = await subscribe(t, socket, [{ subscriptionId: id, channels: ['documents'], queries: status('idempotent') }]);
  const rSameAgain = await subscribe(t, socket, [{ subscriptionId: id, channels: ['documents'], queries: status('idempotent') }]);
  t.same(subs(rSame)[0]?.queries, subs(rSameAgain)[0]?.queries);
  const rEmpty = await subscribe(t, socket, [{ subscriptionId: id, channels: ['documents'], queries: [] }]);
  t.count(subs(rEmpty), 1);
  t.same(subs(rEmpty)[0]?.subscriptionId, id);
  socket.close();
});

const testInvalidQueryShouldNotSubscribe = def('testInvalidQueryShouldNotSubscribe', (t) =>
  query.refusesInvalidQueries(t, async (q) => {
    const { socket } = await bare(t);
    socket.send({ type: 'subscribe', data: [{ channels: ['documents'], queries: [q] }] });
    const response = await socket.receive();
    socket.close();
    return response;
  }));

const testQueryMessageFiltersEvents = def('testQueryMessageFiltersEvents', async (t) => {
  const { path } = await query.collectionWith(t, 'Query Message Test DB', [['status', 'string']], undefined, 'Query Message Test Collection');
  const target = ID.unique();
  const other = ID.unique();
  const { socket } = await bare(t);
  await subscribe(t, socket, [{ channels: ['documents'], queries: [Query.equal('$id', [target])] }]);
  const create = (documentId, status) => t.side('POST', `${path}/documents`, { documentId, data: { status }, permissions: [Permission.read(Role.any())] });
  await create(target, 'active');
  const event = await socket.receive();
  t.eq(event?.type, 'event');
  t.eq(event?.data?.payload?.$id, target);
  await create(other, 'inactive');
  t.ok(await socket.quiet(QUIET_MS), 'the event the query filters out does not come');
  socket.close();
});

const testProjectChannelWithHeaderOnly = def('testProjectChannelWithHeaderOnly', async (t) => {
  const headers = { 'x-appwrite-jwt': t.env.jwt, 'x-appwrite-project': t.env.project };
  for (let i = 0; i < 2; i++) {
    const socket = t.socket([], headers);
    t.same((await socket.receive())?.type, 'connected');
    const response = await subscribe(t, socket, [{ channels: ['project'], queries: [Query.select(['*'])] }]);
    t.count(response.data?.subscriptions, 1);
    t.same(response.data?.subscriptions?.[0]?.channels, ['project']);
    socket.close();
  }
});

export const methods = [
  testSubscribeMessageUpsertCreateAndEdgeCases, testInvalidQueryShouldNotSubscribe, testProjectChannelWithHeaderOnly,
  testQueryMessageFiltersEvents, ...query.messageMethods,
];
export const outOfScope = {
  testUpdateSubscriptionAndEdgeCases: 'account events (PATCH /account/name)',
  testUnsubscribeRemovesOnlyMatchingSubscription: 'account events (PATCH /account/name)',
  ...query.outOfScope,
};
