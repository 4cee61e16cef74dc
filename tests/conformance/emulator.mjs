// Starts the appwrite-emulator binary on a free port and resolves with what its startup line
// says. Shared by the conformance scripts.

import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { AppwriteException } from 'node-appwrite';

export function startEmulator(binary, project, key, delayMs, extraArgs = []) {
  const args = ['--port', '0', '--attribute-delay-ms', String(delayMs), '--project', project, '--api-key', key, ...extraArgs];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const match = buffered.match(/endpoint=(\S+) project=(\S+) api_key=(\S+)/);
      if (match) resolve({ child, endpoint: match[1], project: match[2], key: match[3] });
    });
    child.on('exit', (code) => reject(new Error(`emulator exited early with ${code}`)));
  });
}

/** Awaits `promise`, which must fail with an Appwrite error of this status and type. */
export async function expectError(promise, code, type) {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof AppwriteException, `expected an AppwriteException, got ${err}`);
    assert.equal(err.code, code, `${err.message}`);
    assert.equal(err.type, type, `${err.message}`);
    return err;
  }
  assert.fail(`expected ${code} ${type}`);
}
