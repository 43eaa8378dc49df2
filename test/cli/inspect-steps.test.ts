// `inspect --steps`: the decode trace in the terminal, plain unless stdout is a terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CookieCodec } from '../../src/codec/cookie-codec.js';
import { Keyring } from '../../src/keys/keyring.js';
import { inspectMain } from '../../src/cli/inspect.js';
import { newStoredKey, writeKeyFile } from '../../src/app/key-file.js';
import { memoryIo, spawnCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const T0 = 1_764_115_200_000; // 2025-11-26T00:00:00Z
const NOW = String(T0 / 1000 + 10);

async function setup(): Promise<{ keysFile: string; sealed: string }> {
  const dir = tempDir();
  const keys = [newStoredKey()];
  writeKeyFile(dir, keys);
  const keyring = await Keyring.create(keys.map(({ id, secret }) => ({ id, secret })));
  const sealed = await new CookieCodec({ keyring, mode: 'sealed', maxAge: 3600, now: () => T0 }).encode('__Host-session', { i: 'id' });
  return { keysFile: join(dir, 'keys.json'), sealed };
}

/** The step lines: [number, 'pass' | 'FAIL' | 'not reached']. */
function stepLines(stdout: string): [number, string][] {
  return [...stdout.matchAll(/^ {2}(\d)\. [\w /-]+?\s+(pass|FAIL|not reached)/gm)].map((m) => [Number(m[1]), m[2]!]);
}

test('--steps prints the nine steps of a valid value, each passing, with the parts each read', async () => {
  const { sealed, keysFile } = await setup();
  const io = memoryIo({});
  assert.equal(await inspectMain([sealed, '--keys', keysFile, '--now', NOW, '--steps'], io), 0);
  assert.deepEqual(stepLines(io.stdout), [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => [n, 'pass']));
  assert.match(io.stdout, /2\. version tag +pass .*\n +read: version\/mode\n/);
  assert.match(io.stdout, /4\. time format +pass .*\n +read: issued-at, expires-at\n/);
  assert.match(io.stdout, /8\. tag \/ MAC +pass .*\n +read: the whole value and the cookie name __Host-session\n/);
  assert.match(io.stdout, /verdict: valid/);
  assert.doesNotMatch(io.stdout, /\x1b\[/);
});

test('--steps shows a flipped expiry digit failing at step 8 and the payload step not reached', async () => {
  const { sealed, keysFile } = await setup();
  const parts = sealed.split('.');
  parts[3] = parts[3]!.slice(0, -1) + String((Number(parts[3]!.at(-1)) + 1) % 10);
  const io = memoryIo({});
  assert.equal(await inspectMain([parts.join('.'), '--keys', keysFile, '--now', NOW, '--steps'], io), 1);
  assert.deepEqual(stepLines(io.stdout), [[1, 'pass'], [2, 'pass'], [3, 'pass'], [4, 'pass'], [5, 'pass'], [6, 'pass'], [7, 'pass'], [8, 'FAIL'], [9, 'not reached']]);
  assert.match(io.stdout, /8\. tag \/ MAC +FAIL +ERR_COOKIE_TAMPERED: authentication failed.*\n +checks: the GCM tag or the HMAC matches/);
});

test('--steps colours pass and FAIL only when the io says its output is a terminal', async () => {
  const { sealed, keysFile } = await setup();
  const coloured = Object.assign(memoryIo({}), { colour: true });
  const parts = sealed.split('.');
  parts[6] = (parts[6]![0] === 'A' ? 'B' : 'A') + parts[6]!.slice(1);
  assert.equal(await inspectMain([parts.join('.'), '--keys', keysFile, '--now', NOW, '--steps'], coloured), 1);
  assert.match(coloured.stdout, /\x1b\[32mpass\x1b\[0m/);
  assert.match(coloured.stdout, /\x1b\[31;1mFAIL\x1b\[0m/);
});

test('--steps without keys says the steps need them', async () => {
  const { sealed } = await setup();
  const io = memoryIo({ CACHET_DATA_DIR: '' });
  const dir = tempDir();
  const before = process.cwd();
  process.chdir(dir);
  try {
    assert.equal(await inspectMain([sealed, '--steps'], io), 0);
  } finally {
    process.chdir(before);
  }
  assert.match(io.stdout, /steps: not run; they need the keys/);
  assert.deepEqual(stepLines(io.stdout), []);
});

test('--steps piped from a spawned process prints no colour codes', async () => {
  const { sealed, keysFile } = await setup();
  const run = await spawnCli('inspect', [sealed, '--keys', keysFile, '--now', NOW, '--steps'], { NO_COLOR: '' });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(stepLines(run.stdout).length, 9);
  assert.doesNotMatch(run.stdout, /\x1b\[/);
});
