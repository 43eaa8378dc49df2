import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
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

test('keys list says, on stderr, that the server runs with CACHET_KEYS and not with the file it lists', async () => {
  const dir = tempDir();
  assert.equal(await keysMain(['generate'], memoryIo({ CACHET_DATA_DIR: dir, CACHET_KEYS: '' })), 0);
  const io = memoryIo({ CACHET_DATA_DIR: dir, CACHET_KEYS: 'k1:q8Vt1Q2mF0yJx4d7nR9sLk3WcZp6bHe5uTa8gNiXo1E' });
  assert.equal(await keysMain(['list'], io), 0);
  assert.match(io.stdout, /primary/);
  assert.equal(io.stderr, 'note: CACHET_KEYS is set, so the server runs with the keys it holds, not with the keys.json listed here\n');
  const quiet = memoryIo({ CACHET_DATA_DIR: dir, CACHET_KEYS: '' });
  assert.equal(await keysMain(['list'], quiet), 0);
  assert.equal(quiet.stderr, '');
});

// A keys tool run at a time the test sets.
function clockedIo(env: NodeJS.ProcessEnv, clock: { t: number }) {
  return Object.assign(memoryIo(env), { now: () => clock.t });
}
const T0 = Date.parse('2026-11-26T10:00:00.000Z');
const HOUR = 3_600_000;
const iso = (ms: number): string => new Date(ms).toISOString();

async function run(args: string[], env: NodeJS.ProcessEnv, clock: { t: number }) {
  const io = clockedIo(env, clock);
  const code = await keysMain(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** A fresh data directory after `generate` then `add` at T0: its primary key, a pending one, and the clock the test moves. */
async function primaryAndPending() {
  const dir = tempDir();
  const env = { CACHET_DATA_DIR: dir };
  const clock = { t: T0 };
  await run(['generate'], env, clock);
  await run(['add'], env, clock);
  const [primaryId, pendingId] = readKeyFile(dir)!.map((k) => k.id) as [string, string];
  return { dir, env, clock, primaryId, pendingId };
}

test('walks a staged rotation: add a pending key, promote it, refuse to retire the old one early, retire it at its safe time', async () => {
  const dir = tempDir();
  const env = { CACHET_DATA_DIR: dir };
  const clock = { t: T0 };
  assert.equal((await run(['generate'], env, clock)).code, 0);
  const oldId = readKeyFile(dir)![0]!.id;

  const added = await run(['add'], env, clock);
  assert.equal(added.code, 0, added.stderr);
  const newId = readKeyFile(dir)![1]!.id;
  assert.equal(readKeyFile(dir)![1]!.state, 'pending');
  assert.match(added.stdout, new RegExp(`added pending key ${newId}: it opens cookies but seals none yet`));
  assert.match(added.stdout, new RegExp(`lists ${newId} as "pending", run: npm run keys -- promote ${newId}`));
  const second = await run(['add'], env, clock);
  assert.equal(second.code, 1);
  assert.match(second.stderr, new RegExp(`${newId} is already pending`));
  assert.equal(readKeyFile(dir)!.length, 2);

  clock.t = T0 + HOUR;
  const promoted = await run(['promote', newId], env, clock);
  assert.equal(promoted.code, 0, promoted.stderr);
  assert.match(promoted.stdout, new RegExp(`promoted ${newId} to primary; ${oldId} is now old and opens only`));
  assert.match(promoted.stdout, new RegExp(`${oldId} is safe to retire from ${iso(T0 + HOUR + 24 * HOUR)}`));
  assert.deepEqual(readKeyFile(dir)!.map((k) => [k.id, k.state, k.promotedAt]), [[newId, 'primary', iso(T0 + HOUR)], [oldId, undefined, undefined]]);

  clock.t = T0 + HOUR + 24 * HOUR - 1;
  const early = await run(['retire', oldId], env, clock);
  assert.equal(early.code, 1);
  assert.match(early.stderr, new RegExp(`${oldId} is not safe to retire before ${iso(T0 + 25 * HOUR)}.*logs those users out.*--force`));
  assert.equal(readKeyFile(dir)!.length, 2, 'the refused retire wrote nothing');

  clock.t = T0 + 25 * HOUR;
  const retired = await run(['retire', oldId], env, clock);
  assert.equal(retired.code, 0, retired.stderr);
  assert.match(retired.stdout, /every session it sealed has passed the absolute timeout, so no session is lost/);
  assert.deepEqual(readKeyFile(dir)!.map((k) => k.id), [newId]);
});

test('lists each key with its state and when an old key is safe to retire, never a secret', async () => {
  const { dir, env, clock, primaryId: k1, pendingId: k2 } = await primaryAndPending();
  clock.t = T0 + HOUR;
  await run(['promote', k2], env, clock);
  await run(['add'], env, clock);
  const k3 = readKeyFile(dir)![2]!.id;
  clock.t = T0 + 3 * HOUR;
  const listed = await run(['list'], env, clock);
  assert.equal(listed.code, 0);
  const w = k1.length;
  assert.equal(
    listed.stdout,
    `${'ID'.padEnd(w)}  CREATED                   STATE    NOTE\n` +
      `${k2}  ${iso(T0)}  primary  seals new cookies\n` +
      `${k1}  ${iso(T0)}  old      opens only; safe to retire from ${iso(T0 + 25 * HOUR)} (in 22 hours)\n` +
      `${k3}  ${iso(T0 + HOUR)}  pending  opens only; promote it once every instance lists it (GET /healthz)\n`,
  );
  for (const key of readKeyFile(dir)!) assert.doesNotMatch(listed.stdout, new RegExp(key.secret));
  clock.t = T0 + 25 * HOUR;
  assert.match((await run(['list'], env, clock)).stdout, new RegExp(`${k1} .* old      opens only; safe to retire now \\(since ${iso(T0 + 25 * HOUR)}\\)`));
});

test('counts the safe time with --absolute-timeout, else CACHET_ABSOLUTE_TIMEOUT, else one day', async () => {
  const { dir, clock, primaryId: oldId, pendingId: newId } = await primaryAndPending();
  await run(['promote', newId], { CACHET_DATA_DIR: dir }, clock);
  const safeFrom = async (args: string[], env: NodeJS.ProcessEnv) => /safe to retire from (\S+)/.exec((await run(['list', ...args], { CACHET_DATA_DIR: dir, ...env }, clock)).stdout)?.[1];
  assert.equal(await safeFrom([], {}), iso(T0 + 24 * HOUR));
  assert.equal(await safeFrom([], { CACHET_ABSOLUTE_TIMEOUT: '7200' }), iso(T0 + 2 * HOUR));
  assert.equal(await safeFrom(['--absolute-timeout', '3600'], { CACHET_ABSOLUTE_TIMEOUT: '7200' }), iso(T0 + HOUR));
  assert.equal(await safeFrom(['--absolute-timeout=60'], {}), iso(T0 + 60_000));
  clock.t = T0 + HOUR;
  assert.equal((await run(['retire', oldId, '--absolute-timeout', '7200'], { CACHET_DATA_DIR: dir }, clock)).code, 1);
  assert.equal((await run(['retire', oldId], { CACHET_DATA_DIR: dir, CACHET_ABSOLUTE_TIMEOUT: '3600' }, clock)).code, 0);
});

test('retires an old key early only with --force, saying that its sessions are logged out', async () => {
  const { dir, env, clock, primaryId: oldId, pendingId: newId } = await primaryAndPending();
  await run(['promote', newId], env, clock);
  const forced = await run(['retire', '--force', oldId], env, clock);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stdout, new RegExp(`retired key ${oldId} before ${iso(T0 + 24 * HOUR)} \\(--force\\): sessions still sealed with it are logged out once instances reload`));
  assert.deepEqual(readKeyFile(dir)!.map((k) => k.id), [newId]);
});

test('retires a pending key at once, saying that no cookie was sealed with it', async () => {
  const { dir, env, clock, pendingId } = await primaryAndPending();
  const retired = await run(['retire', pendingId], env, clock);
  assert.equal(retired.code, 0, retired.stderr);
  assert.match(retired.stdout, new RegExp(`retired pending key ${pendingId}; it never sealed a cookie, so no session is lost`));
  assert.equal(readKeyFile(dir)!.length, 1);
});

test('rolls back by promoting an old key, and refuses to promote the primary or an unknown key', async () => {
  const { dir, env, clock, primaryId: oldId, pendingId: newId } = await primaryAndPending();
  await run(['promote', newId], env, clock);
  assert.match((await run(['promote', newId], env, clock)).stderr, new RegExp(`keys promote: ${newId} is already the primary key`));
  assert.match((await run(['promote', 'nope'], env, clock)).stderr, /keys promote: no key with id nope/);
  const back = await run(['promote', oldId], env, clock);
  assert.equal(back.code, 0, back.stderr);
  assert.match(back.stdout, new RegExp(`promoted ${oldId} to primary \\(a rollback: it was an old key\\); ${newId} is now old`));
  assert.deepEqual(readKeyFile(dir)!.map((k) => k.id), [oldId, newId]);
});

test('says in rotate\'s output and in the help what rotate does to a fleet, and names the staged steps', async () => {
  const dir = tempDir();
  const clock = { t: T0 };
  await run(['generate'], { CACHET_DATA_DIR: dir }, clock);
  const rotated = await run(['rotate'], { CACHET_DATA_DIR: dir }, clock);
  assert.equal(rotated.code, 0);
  assert.match(rotated.stdout, /on several instances this logs users out during a rolling restart.*use "npm run keys -- add", then promote, then retire, instead/);
  assert.equal(readKeyFile(dir)![0]!.promotedAt, iso(T0));
  const help = memoryIo({});
  await keysMain(['--help'], help);
  assert.match(help.stdout, /rotate {12}make a fresh key the primary at once: for a single machine\.\s+On a fleet it logs users out during a rolling restart/);
  assert.match(help.stdout, /1\. npm run keys -- add[\s\S]*2\. once GET \/healthz on every instance lists the new key as "pending":\s+npm run keys -- promote ID[\s\S]*3\. once the absolute timeout[\s\S]*npm run keys -- retire OLD-ID/);
});

test('refuses arguments a command does not take, without touching the file', async () => {
  const dir = tempDir();
  const env = { CACHET_DATA_DIR: dir };
  const clock = { t: T0 };
  await run(['generate'], env, clock);
  const before = readFileSync(join(dir, 'keys.json'), 'utf8');
  const id = readKeyFile(dir)![0]!.id;
  for (const args of [['add', id], ['add', '--force'], ['promote'], ['promote', id, id], ['promote', id, '--force'], ['retire'], ['retire', id, '--now'], ['retire', id, '--absolute-timeout'], ['retire', id, '--force=yes'], ['list', '--force'], ['rotate', '--force'], ['generate', '--force']]) {
    const refused = await run(args, env, clock);
    assert.equal(refused.code, 1, args.join(' '));
    assert.match(refused.stderr, /unexpected arguments .*; usage: npm run keys -- /, args.join(' '));
  }
  for (const value of ['0', '-5', '1.5', 'day', '31536001']) {
    const refused = await run(['list', '--absolute-timeout', value], env, clock);
    assert.equal(refused.code, 1, value);
    assert.match(refused.stderr, /absolute timeout must be a whole number of seconds from 1 to 31536000/);
    assert.equal((await run(['list'], { ...env, CACHET_ABSOLUTE_TIMEOUT: value }, clock)).code, 1, value);
  }
  assert.equal(readFileSync(join(dir, 'keys.json'), 'utf8'), before);
});

test('a key command run while another holds keys.json.lock waits for it and keeps the other command\'s key', async () => {
  // The race an operator hits with two key commands at once: both read the same file, and the
  // later write drops the earlier one's key. Here another process (a plain node child, standing
  // in for a second `keys add`) takes the lock, writes a file with one more key 300 ms later and
  // releases it; the rotation started meanwhile must build on that file, not on the one before.
  const dir = tempDir();
  const env = { CACHET_DATA_DIR: dir, CACHET_KEYS: '' };
  assert.equal(await keysMain(['generate'], memoryIo(env)), 0);
  const first = readKeyFile(dir)![0]!;
  const other = { id: 'kother', secret: 'A'.repeat(43), createdAt: new Date().toISOString(), state: 'pending' };
  const holder = spawn(process.execPath, ['-e', `
    const fs = require('node:fs');
    const [path, text] = process.argv.slice(1);
    fs.closeSync(fs.openSync(path + '.lock', 'wx', 0o600));
    process.stdout.write('held\\n');
    setTimeout(() => {
      fs.writeFileSync(path + '.tmp', text, { mode: 0o600 });
      fs.renameSync(path + '.tmp', path);
      fs.rmSync(path + '.lock');
    }, 300);
  `, join(dir, 'keys.json'), JSON.stringify({ keys: [first, other] })], { stdio: ['ignore', 'pipe', 'inherit'] });
  await once(holder.stdout, 'data');
  const rotated = memoryIo(env);
  assert.equal(await keysMain(['rotate'], rotated), 0, rotated.stderr);
  await once(holder, 'exit');
  const keys = readKeyFile(dir)!;
  assert.deepEqual(keys.map((k) => k.id).slice(1).sort(), [first.id, 'kother'].sort());
  assert.match(rotated.stdout, new RegExp(`new primary key ${keys[0]!.id}; 2 older key`));
});
