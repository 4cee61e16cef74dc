// Runs the ports of Appwrite's e2e tests against the emulator and compares the outcome with
// `expected-failures.json`.
//
// Usage: node e2e/run.mjs [path/to/appwrite-emulator] [--update] [--verbose] [--only Class]
//   --update   rewrites the ledger with this run's failures (review the diff before committing)
//   --verbose  prints every failing assertion

import { readFileSync, writeFileSync } from 'node:fs';
import { runClass, def } from './harness.mjs';
import * as base from './databases-base.mjs';
import * as server from './databases-server.mjs';
import * as client from './databases-client.mjs';
import * as permissions from './permissions.mjs';
import * as realtime from './realtime.mjs';
import * as realtimeMessages from './realtime-messages.mjs';
import * as realtimeQuery from './realtime-query.mjs';
import * as acid from './transactions-acid.mjs';
import * as transactions from './transactions.mjs';
import * as filterQueries from './filter-queries.mjs';
import * as tablesdbTransactions from './tablesdb-transactions.mjs';
import * as transactionPermissions from './transaction-permissions.mjs';
import * as arrayOperators from './transaction-array-operators.mjs';
import * as databases196 from './databases-196.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const binary = args.find((a) => !a.startsWith('--') && a !== only)
  ?? new URL('../../../target/debug/appwrite-emulator', import.meta.url).pathname;
const ledgerPath = new URL('./expected-failures.json', import.meta.url);

// A collections-API port run as its TablesDB twin (see `tablesdb-dialect.mjs`), its methods under
// the twin's names: Appwrite's TablesDB database classes name them after tables, rows and
// columns; its transaction classes keep the collections API's names.
const named = (rename) => (methods) => methods.map((m) => def(rename(m.name), (t, data) => m(t, data), { depends: m.depends && rename(m.depends) }));
const tablesNames = named((name) => ({ testUpsertDateOperations: 'testUpsertRowDateOperations' }[name]
  ?? name.replace('Collection', 'Table').replace('Document', 'Row').replace('Attribute', 'Column')));
const renamedOutOfScope = (skipped) => Object.fromEntries(Object.entries(skipped).map(([name, why]) => [name.replace('Collection', 'Table').replace('Document', 'Row').replace('Attribute', 'Column'), why]));

const tablesdbTransactionMethods = [...transactions.methods, ...tablesdbTransactions.methods, ...arrayOperators.methods];
// Appwrite 1.9.6 runs one trait per test family for every API; the TablesDB-only methods are
// skipped by the original itself for the collections API.
const skippedForLegacy = Object.fromEntries(tablesdbTransactions.methods.map((m) => [m.name, 'skipped by the original for the collections API (TablesDB only)']));

const newTypes = 'attribute types added in 1.9 (varchar, text, mediumtext, longtext, bigint, unsigned): the emulator models 1.8\'s';

// The classes of Appwrite's suite, as [name, side, methods, methods left out with the reason,
// version, dialect]. PHPUnit runs a class's own methods before those of the traits it uses. The
// emulator behaves as the release a class comes from (1.8.1 unless the entry names another).
const classes = [
  ['DatabasesCustomServerTest', 'server', [...server.methods, ...base.methods], { ...base.outOfScope, ...server.outOfScope }],
  ['DatabasesCustomClientTest', 'client', [...client.methods, ...base.methods], { ...base.outOfScope, ...client.outOfScope }],
  ['DatabasesPermissionsGuestTest', 'client', permissions.guestMethods, {}],
  ['DatabasesPermissionsMemberTest', 'client', permissions.memberMethods, {}],
  ['DatabasesPermissionsTeamTest', 'client', [], permissions.teamOutOfScope],
  ['RealtimeCustomClientTest', 'client', realtime.methods, realtime.outOfScope],
  ['RealtimeConsoleClientTest', 'client', [], { '*': 'the console project (its realtime serves the Appwrite console)' }],
  ['Legacy\\Transactions\\ACIDTest', 'client', acid.legacyMethods, {}],
  ['Legacy\\Transactions\\TransactionsCustomServerTest', 'server', transactions.methods, {}],
  ['Legacy\\Transactions\\TransactionsCustomClientTest', 'client', transactions.methods, {}],
  ['Legacy\\Transactions\\TransactionsConsoleClientTest', 'client', [], { '*': 'the console project' }],
  ['TablesDB\\DatabasesCustomServerTest', 'server', [...tablesNames([...server.methods, ...base.methods]), ...filterQueries.methods], renamedOutOfScope({ ...base.outOfScope, ...server.outOfScope }), '1.8.1', 'tablesdb'],
  ['TablesDB\\DatabasesCustomClientTest', 'client', [...tablesNames([...client.methods, ...base.methods]), ...filterQueries.methods], renamedOutOfScope({ ...base.outOfScope, ...client.outOfScope }), '1.8.1', 'tablesdb'],
  ['TablesDB\\DatabasesPermissionsGuestTest', 'client', tablesNames(permissions.guestMethods), {}, '1.8.1', 'tablesdb'],
  ['TablesDB\\DatabasesPermissionsMemberTest', 'client', tablesNames(permissions.memberMethods), {}, '1.8.1', 'tablesdb'],
  ['TablesDB\\DatabasesPermissionsTeamTest', 'client', [], permissions.teamOutOfScope],
  ['TablesDB\\DatabasesConsoleClientTest', 'client', [], { '*': 'the console project' }],
  ['TablesDB\\Transactions\\TransactionsCustomServerTest', 'server', tablesdbTransactionMethods, {}, '1.8.1', 'tablesdb'],
  ['TablesDB\\Transactions\\TransactionsCustomClientTest', 'client', tablesdbTransactionMethods, {}, '1.8.1', 'tablesdb'],
  ['TablesDB\\Transactions\\TransactionsConsoleClientTest', 'client', [], { '*': 'the console project' }],
  ['TablesDB\\Transactions\\PermissionsCustomClientTest', 'client', transactionPermissions.methods, {}, '1.8.1', 'tablesdb'],
  ['TablesDB\\Transactions\\ACIDTest', 'client', acid.tablesdbMethods, {}],
  // From Appwrite 1.9.6, with the emulator behaving as that release.
  ['LegacyCustomServerTest@1.9.6', 'server', databases196.methods, databases196.outOfScope, '1.9.6'],
  ['LegacyCustomClientTest@1.9.6', 'client', databases196.methods, databases196.outOfScope, '1.9.6'],
  ['LegacyConsoleClientTest@1.9.6', 'client', [], { '*': 'the console project' }],
  ['TablesDBCustomServerTest@1.9.6', 'server', databases196.methods, databases196.outOfScope, '1.9.6', 'tablesdb'],
  ['TablesDBCustomClientTest@1.9.6', 'client', databases196.methods, databases196.outOfScope, '1.9.6', 'tablesdb'],
  ['TablesDBConsoleClientTest@1.9.6', 'client', [], { '*': 'the console project' }],
  ['Legacy\\DatabasesStringTypesTest@1.9.6', 'server', [], { '*': newTypes }],
  ['TablesDB\\DatabasesStringTypesTest@1.9.6', 'server', [], { '*': newTypes }],
  ['TablesDB\\DatabasesNumericTypesTest@1.9.6', 'server', [], { '*': newTypes }],
  ['LegacyPermissionsGuestTest@1.9.6', 'client', permissions.guestMethods, {}, '1.9.6'],
  ['LegacyPermissionsMemberTest@1.9.6', 'client', permissions.memberMethods196, {}, '1.9.6'],
  ['LegacyPermissionsTeamTest@1.9.6', 'client', [], permissions.teamOutOfScope],
  ['TablesDBPermissionsGuestTest@1.9.6', 'client', permissions.guestMethods, {}, '1.9.6', 'tablesdb'],
  ['TablesDBPermissionsMemberTest@1.9.6', 'client', permissions.memberMethods196, {}, '1.9.6', 'tablesdb'],
  ['TablesDBPermissionsTeamTest@1.9.6', 'client', [], permissions.teamOutOfScope],
  ['LegacyTransactionsCustomServerTest@1.9.6', 'server', [...transactions.methods, ...arrayOperators.methods], skippedForLegacy, '1.9.6'],
  ['LegacyTransactionsCustomClientTest@1.9.6', 'client', [...transactions.methods, ...arrayOperators.methods], skippedForLegacy, '1.9.6'],
  ['LegacyTransactionsConsoleClientTest@1.9.6', 'client', [], { '*': 'the console project' }],
  ['LegacyTransactionPermissionsCustomClientTest@1.9.6', 'client', transactionPermissions.methods, {}, '1.9.6'],
  ['LegacyACIDTest@1.9.6', 'client', acid.legacyMethods, {}, '1.9.6'],
  ['TablesDBTransactionsCustomServerTest@1.9.6', 'server', tablesdbTransactionMethods, {}, '1.9.6', 'tablesdb'],
  ['TablesDBTransactionsCustomClientTest@1.9.6', 'client', tablesdbTransactionMethods, {}, '1.9.6', 'tablesdb'],
  ['TablesDBTransactionsConsoleClientTest@1.9.6', 'client', [], { '*': 'the console project' }],
  ['TablesDBTransactionPermissionsCustomClientTest@1.9.6', 'client', transactionPermissions.methods, {}, '1.9.6', 'tablesdb'],
  ['TablesDBACIDTest@1.9.6', 'client', acid.tablesdbMethods, {}, '1.9.6'],
  ['RealtimeCustomClientTest@1.9.6', 'client', realtime.methods196, { ...realtime.outOfScope, ...realtime.outOfScope196 }, '1.9.6'],
  ['RealtimeCustomClientQueryTestWithMessage', 'client', realtimeMessages.methods, realtimeMessages.outOfScope, '1.9.6'],
  ['RealtimeCustomClientQueryTest', 'client', realtimeQuery.urlMethods, realtimeQuery.outOfScope, '1.9.6'],
  // Appwrite 1.9.0's version of the class, against the 1.9.0–1.9.4 line (URL queries only).
  ['RealtimeCustomClientQueryTest@1.9.4', 'client', realtimeQuery.urlMethods190, realtimeQuery.outOfScope, '1.9.4'],
];

// Classes run side by side, each against its own emulator (most of their time is spent
// waiting out events that must not come); results are reported in the list's order.
const chosen = classes.filter(([name]) => !only || name === only);
const perClass = await Promise.all(chosen.map(([name, side, methods, , version = '1.8.1', dialect]) => runClass(binary, name, side, methods, version, dialect)));
const results = perClass.flat();
const leftOut = chosen.flatMap(([name, , , skipped]) => Object.entries(skipped).map(([method, why]) => `${name}::${method} (${why})`));

const ledger = JSON.parse(readFileSync(ledgerPath, 'utf8'));
let passed = 0, failed = 0, skipped = 0;
const mismatches = [];
const actual = {};
for (const t of results) {
  passed += t.passed;
  failed += t.failures.length;
  skipped += t.skipped;
  if (t.failures.length) actual[t.label] = t.failures.length;
  const expected = ledger.failures[t.label] ?? 0;
  const mark = t.failures.length === 0 ? 'ok  ' : 'FAIL';
  console.log(`${mark} ${t.label}: ${t.passed} passed, ${t.failures.length} failed${t.skipped ? `, ${t.skipped} out of scope` : ''}`);
  if (flag('--verbose') || t.failures.length !== expected) for (const f of t.failures) console.log(`       - ${f}`);
  if (t.failures.length !== expected) mismatches.push(`${t.label}: ${t.failures.length} failing, the ledger says ${expected}`);
}
for (const label of Object.keys(ledger.failures)) {
  if (!results.some((t) => t.label === label) && !only) mismatches.push(`${label}: in the ledger but not run`);
}
console.log(`\nmethods left out as out of scope: ${leftOut.length}`);
for (const line of leftOut) console.log(`  - ${line}`);
console.log(`\n${passed} assertions passed, ${failed} failed, ${skipped} more out of scope inside ported methods (${results.length} methods ported)`);

if (flag('--update')) {
  const sorted = Object.fromEntries(Object.entries(actual).sort());
  writeFileSync(ledgerPath, `${JSON.stringify({ ...ledger, failures: sorted }, null, 2)}\n`);
  console.log('ledger updated');
} else if (mismatches.length) {
  console.log(`\nthe run does not match expected-failures.json:\n  ${mismatches.join('\n  ')}`);
  process.exit(1);
}
