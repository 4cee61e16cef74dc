// How fast Appwrite's official web SDK (`appwrite` 27, `Realtime` service, Node 20 + `ws`) takes
// in realtime events. Used by appwrite-orm's realtime benchmark, which starts the emulator,
// waits for this script to print `subscribed`, pushes N event frames and reads the result line.
//
// Usage: node throughput.mjs <endpoint> <project> <channel> <count>

import WebSocket from 'ws';
import { Client, Realtime } from 'appwrite';

globalThis.WebSocket = WebSocket;
globalThis.window = {
  setTimeout, clearTimeout, setInterval, clearInterval, console,
  localStorage: { getItem: () => null, setItem: () => {}, removeItem: () => {} },
};

const [endpoint, project, channel, countText] = process.argv.slice(2);
const count = Number(countText);
const realtime = new Realtime(new Client().setEndpoint(endpoint).setProject(project));
let received = 0;
let first = 0;
await realtime.subscribe(channel, (event) => {
  if (received === 0) first = performance.now();
  // Touch the payload the way an application would.
  if (typeof event.payload.$id !== 'string') throw new Error('no payload');
  received += 1;
  if (received === count) {
    const seconds = (performance.now() - first) / 1000;
    console.log(`done ${count} ${seconds}`);
    process.exit(0);
  }
});
setTimeout(() => console.log('subscribed'), 300);
