import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { keysMain } from '../../src/cli/keys.js';
import { readKeyFile } from '../../src/app/key-file.js';
import { memoryIo, spawnCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

test('generates, rotates, lists and force-retires keys in a spawned process honouring CACHET_DATA_DIR', async () => {
  const dir = join(tempDir(), 'data');
  const env = { CACHET_DATA_DIR: dir, CACHET_KEYS: '' };
  const generated = await spawnCli('keys', ['generate'], env);
  assert.equal(generated.code, 0, generated.stderr);
  assert.equal(statSync(join(dir, 'keys.json')).mode & 0o777, 0o600);
  const first = readKeyFile(dir)![0]!;
  assert.equal((await spawnCli('keys', ['rotate'], env)).code, 0);
  const keys = readKeyFile(dir)!;
  assert.equal(keys.length, 2);
  assert.equal(keys[1]!.id, first.id);
  const listed = await spawnCli('keys', ['list'], env);
  assert.match(listed.stdout, new RegExp(`${keys[0]!.id} .* primary `));
  assert.match(listed.stdout, new RegExp(`${first.id} .* old .*safe to retire from`));
  assert.doesNotMatch(listed.stdout, new RegExp(first.secret));
  const early = await spawnCli('keys', ['retire', first.id], env);
  assert.equal(early.code, 1);
  assert.match(early.stderr, /not safe to retire before/);
  const retired = await spawnCli('keys', ['retire', first.id, '--force'], env);
  assert.equal(retired.code, 0, retired.stderr);
  assert.deepEqual(readKeyFile(dir)!.map((k) => k.id), [keys[0]!.id]);
});

test('shows help with --help and fails on an unknown command', async () => {
  const help = memoryIo({});
  assert.equal(await keysMain(['--help'], help), 0);
  assert.match(help.stdout, /generate[\s\S]*add[\s\S]*promote ID[\s\S]*retire ID[\s\S]*rotate[\s\S]*list[\s\S]*CACHET_DATA_DIR/);
  assert.equal(await keysMain([], memoryIo({})), 1);
  const unknown = memoryIo({});
  assert.equal(await keysMain(['frobnicate'], unknown), 1);
  assert.match(unknown.stderr, /unknown command/);
});

test('refuses to overwrite keys.json, to retire the primary or an unknown key', async () => {
  const dir = tempDir();
  const env = { CACHET_DATA_DIR: dir };
  const missing = memoryIo(env);
  assert.equal(await keysMain(['list'], missing), 1);
  assert.equal(await keysMain(['retire', 'x'], memoryIo(env)), 1);
  assert.equal(await keysMain(['generate'], memoryIo(env)), 0);
  const again = memoryIo(env);
  assert.equal(await keysMain(['generate'], again), 1);
  assert.match(again.stderr, /already exists/);
  const primary = readKeyFile(dir)![0]!.id;
  const refusedPrimary = memoryIo(env);
  assert.equal(await keysMain(['retire', primary], refusedPrimary), 1);
  assert.match(refusedPrimary.stderr, /is the primary key; promote another key first/);
  const refusedUnknown = memoryIo(env);
  assert.equal(await keysMain(['retire', 'nope'], refusedUnknown), 1);
  assert.match(refusedUnknown.stderr, /no key with id nope/);
  assert.equal(await keysMain(['retire'], memoryIo(env)), 1);
  assert.match(readFileSync(join(dir, 'keys.json'), 'utf8'), new RegExp(primary));
});

test('prints a fresh id:secret pair for CACHET_KEYS without writing a file', async () => {
  const dir = tempDir();
  const io = memoryIo({ CACHET_DATA_DIR: dir, CACHET_KEYS: 'a:b' });
  assert.equal(await keysMain(['generate', '--print'], io), 0);
  assert.match(io.stdout, /^k\d{6}[0-9a-f]{6}:[A-Za-z0-9_-]{43}\n$/);
  assert.match(io.stderr, /CACHET_KEYS is set/);
  assert.equal(readKeyFile(dir), undefined);
});
