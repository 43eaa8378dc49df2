// The short soak's leak detector, checked against a planted leak (issue #14: the 30 s soak caught
// a planted 0.3 MB/s leak in only one run of three). The server keeps 300 bytes per request; the
// short profile must fail it on the per-response rule, whatever pace this machine manages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp-dir.js';

test('the short soak fails a server that keeps 300 bytes per request, on the per-response live-heap rule', async () => {
  const json = join(tempDir(), 'soak.json');
  const script = new URL('../../scripts/soak.mjs', import.meta.url).pathname;
  const leak = new URL('./fixtures/leak.mjs', import.meta.url).href;
  const child = spawn(process.execPath, [script, '--profile', 'short', '--node-flags', `--import ${leak}`, '--json', json], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LEAK_BYTES: '300' },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 1, output);
  const report = JSON.parse(readFileSync(json, 'utf8')) as { failures: string[]; liveHeap: { bytesPerRequest: number } };
  assert.ok(report.failures.some((f) => f.startsWith('the live heap grows with the traffic')), report.failures.join('\n'));
  // Only the leak: the run itself was clean (no 5xx, no crash, sockets back to idle).
  assert.ok(report.failures.every((f) => f.startsWith('the live heap')), report.failures.join('\n'));
  assert.ok(report.liveHeap.bytesPerRequest > 150);
});
