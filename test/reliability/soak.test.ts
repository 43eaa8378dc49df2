// The short soak (issue 7, "Load and soak"): scripts/soak.mjs --profile short against the built
// dist/server.js (npm test builds it first). The long run is documented in docs/security.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp-dir.js';

interface Report {
  served: number;
  byStatus: Record<string, number>;
  byKind: Record<string, number>;
  failures: string[];
  rss: { windowSamples: number };
}

test('the short soak serves mixed hostile traffic with no 5xx, no crash and no memory growth', async (t) => {
  const json = join(tempDir(), 'soak.json');
  const script = new URL('../../scripts/soak.mjs', import.meta.url).pathname;
  const child = spawn(process.execPath, [script, '--profile', 'short', '--json', json], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  t.diagnostic(output.split('\n').slice(0, 8).join('\n'));
  assert.equal(code, 0, output);

  const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
  assert.deepEqual(report.failures, []);
  assert.ok(Object.keys(report.byStatus).every((status) => Number(status) < 500));
  // Every part of the mix ran, and the hostile cookies were all refused (a 303 to /login).
  const kinds = Object.keys(report.byKind);
  for (const kind of ['home 200', 'login-post 303', 'tampered 303', 'expired 303', 'oversized 303', 'header-too-large 431', 'replay-after-logout 303']) {
    assert.ok(kinds.includes(kind), `the mix included "${kind}"`);
  }
  for (const prefix of ['tampered', 'expired', 'oversized', 'replay-after-logout']) {
    assert.deepEqual(kinds.filter((k) => k.startsWith(`${prefix} `)), [`${prefix} 303`], `${prefix} cookies only ever got 303`);
  }
  assert.ok(kinds.some((k) => k.startsWith('malformed 4')));
  assert.ok(kinds.some((k) => k.startsWith('slow-client ')));
  assert.ok(report.rss.windowSamples >= 5, 'enough RSS samples after warm-up to judge the trend');
});
