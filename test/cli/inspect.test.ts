import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CookieCodec } from '../../src/codec/cookie-codec.js';
import { Keyring } from '../../src/keys/keyring.js';
import { inspectMain } from '../../src/cli/inspect.js';
import { newStoredKey, rotateKeys, writeKeyFile, type StoredKey } from '../../src/app/key-file.js';
import { memoryIo, spawnCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const T0 = 1_764_115_200_000; // 2025-11-26T00:00:00Z
const keyringOf = (keys: readonly StoredKey[]) => Keyring.create(keys.map(({ id, secret }) => ({ id, secret })));

async function setup(): Promise<{ dir: string; keysFile: string; keys: StoredKey[]; sealed: string; signed: string }> {
  const dir = tempDir();
  const keys = [newStoredKey()];
  writeKeyFile(dir, keys);
  const keyring = await keyringOf(keys);
  const now = () => T0;
  const sealed = await new CookieCodec({ keyring, mode: 'sealed', maxAge: 3600, now }).encode('__Host-session', { i: 'id', v: { visits: 2 } });
  const signed = await new CookieCodec({ keyring, mode: 'signed', maxAge: 3600, now }).encode('example', { user: 'demo' });
  return { dir, keysFile: join(dir, 'keys.json'), keys, sealed, signed };
}

/** Runs `fn` with the working directory in `dir` (this file's tests run one at a time). */
async function inDir<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const before = process.cwd();
  process.chdir(dir);
  try {
    return await fn();
  } finally {
    process.chdir(before);
  }
}

test('names every part of a sealed value and says it is unverified without keys', async () => {
  const { sealed } = await setup();
  const io = memoryIo({});
  // In a directory without .data/keys.json, which inspect would otherwise verify with.
  assert.equal(await inDir(tempDir(), () => inspectMain([sealed], io)), 0);
  for (const label of ['version', 'key id', 'issued at', 'expires at', 'IV', 'ciphertext', 'tag']) assert.match(io.stdout, new RegExp(`  ${label} `));
  assert.match(io.stdout, /sealed \(format v1\)/);
  assert.match(io.stdout, /2025-11-26T00:00:00Z/);
  assert.match(io.stdout, /verdict: not verified/);
  assert.match(io.stdout, /bound into the authentication: 1s\.k\w+\.1764115200\.1764118800\.__Host-session\n/);
});

test('verifies a value with the key file and prints its payload', async () => {
  const { sealed, keysFile } = await setup();
  const io = memoryIo({});
  assert.equal(await inspectMain([sealed, '--keys', keysFile, '--now', String(T0 / 1000 + 10)], io), 0);
  assert.match(io.stdout, /verdict: valid/);
  assert.match(io.stdout, /"visits": 2/);
});

test('calls a value made with a non-primary key stale, and one with a retired key unknown', async () => {
  const { dir, sealed, keys, keysFile } = await setup();
  writeKeyFile(dir, rotateKeys(keys));
  const stale = memoryIo({});
  assert.equal(await inspectMain([sealed, '--keys', keysFile, '--now', String(T0 / 1000)], stale), 0);
  assert.match(stale.stdout, /verdict: stale/);
  writeKeyFile(dir, [newStoredKey()]);
  const unknown = memoryIo({});
  assert.equal(await inspectMain([sealed, '--keys', keysFile, '--now', String(T0 / 1000)], unknown), 1);
  assert.match(unknown.stdout, /verdict: unknown key \(ERR_COOKIE_KEY_UNKNOWN\)/);
});

test('says a value is expired after its expiry time', async () => {
  const { sealed, keysFile } = await setup();
  const io = memoryIo({});
  assert.equal(await inspectMain([sealed, '--keys', keysFile, '--now', String(T0 / 1000 + 3600)], io), 1);
  assert.match(io.stdout, /verdict: expired \(ERR_COOKIE_EXPIRED\)/);
});

test('calls a changed value tampered and says which check failed', async () => {
  const { sealed, keysFile } = await setup();
  const parts = sealed.split('.');
  const ct = parts[5]!;
  parts[5] = (ct[0] === 'A' ? 'B' : 'A') + ct.slice(1);
  const io = memoryIo({});
  assert.equal(await inspectMain([parts.join('.'), '--keys', keysFile, '--now', String(T0 / 1000)], io), 1);
  assert.match(io.stdout, /verdict: tampered \(ERR_COOKIE_TAMPERED\)/);
  assert.match(io.stdout, /failed check: authentication failed/);
  const renamed = memoryIo({});
  assert.equal(await inspectMain([sealed, '--keys', keysFile, '--name', 'other', '--now', String(T0 / 1000)], renamed), 1);
  assert.match(renamed.stdout, /tampered/);
});

test('shows the readable payload of a signed value and accepts name=value', async () => {
  const { signed, keysFile } = await setup();
  const io = memoryIo({});
  assert.equal(await inspectMain([`example=${signed}`, '--keys', keysFile, '--now', String(T0 / 1000)], io), 0);
  assert.match(io.stdout, /signed \(format v1\)/);
  assert.match(io.stdout, /readable by anyone: \{"user":"demo"\}/);
  assert.match(io.stdout, /  MAC /);
  assert.match(io.stdout, /verdict: valid/);
});

test('recognises what is not a cachet value', async () => {
  const io = memoryIo({});
  assert.equal(await inspectMain(['hello'], io), 1);
  assert.match(io.stdout, /not a cachet value/);
  const future = memoryIo({});
  assert.equal(await inspectMain(['2s.k.1.2.a.b.c'], future), 1);
  assert.match(future.stdout, /unknown version or mode "2s"/);
});

test('explains its usage on --help and on bad arguments', async () => {
  const help = memoryIo({});
  assert.equal(await inspectMain(['--help'], help), 0);
  assert.match(help.stdout, /--keys FILE[\s\S]*--name NAME/);
  assert.match(help.stdout, /unsupported version \(a tag such as 2s\)/);
  assert.equal(await inspectMain([], memoryIo({})), 2);
  for (const bad of [['v', '--keys'], ['v', '--now', 'soon'], ['v', '--frob'], ['a', 'b']]) {
    const io = memoryIo({});
    assert.equal(await inspectMain(bad, io), 2, bad.join(' '));
    assert.notEqual(io.stderr, '');
  }
  assert.equal(await inspectMain(['1s.a.b', '--keys', '/nonexistent/keys.json'], memoryIo({})), 2);
});

test('runs as a spawned process', async () => {
  const { sealed, keysFile } = await setup();
  const run = await spawnCli('inspect', [sealed, '--keys', keysFile, '--now', String(T0 / 1000)], {});
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /verdict: valid/);
});

test('verifies with CACHET_KEYS or the keys.json of CACHET_DATA_DIR when no --keys is given', async () => {
  const { dir, sealed, keys } = await setup();
  const now = String(T0 / 1000);
  const fromDir = memoryIo({ CACHET_DATA_DIR: dir });
  assert.equal(await inspectMain([sealed, '--now', now], fromDir), 0);
  assert.match(fromDir.stdout, /keys: from .*keys\.json\nverdict: valid/);
  const fromEnv = memoryIo({ CACHET_KEYS: `${keys[0]!.id}:${keys[0]!.secret}`, CACHET_DATA_DIR: '/nonexistent' });
  assert.equal(await inspectMain([sealed, '--now', now], fromEnv), 0);
  assert.match(fromEnv.stdout, /keys: from CACHET_KEYS\nverdict: valid/);
  assert.equal(await inspectMain([sealed, '--now', now], memoryIo({ CACHET_DATA_DIR: tempDir() })), 2);
});

test('verifies with .data/keys.json by default, as the keys and users tools do', async () => {
  const { dir, sealed } = await setup();
  const project = tempDir();
  const keys = JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')) as { keys: StoredKey[] };
  writeKeyFile(join(project, '.data'), keys.keys);
  const io = memoryIo({});
  assert.equal(await inDir(project, () => inspectMain([sealed, '--now', String(T0 / 1000)], io)), 0);
  assert.match(io.stdout, /keys: from .*\.data\/keys\.json\nverdict: valid/);
});

test('reports a value that is not a cachet value as such, not as tampered, even with keys', async () => {
  const { keysFile } = await setup();
  const io = memoryIo({});
  assert.equal(await inspectMain(['hello', '--keys', keysFile], io), 1);
  assert.match(io.stdout, /verdict: not a cachet value\n/);
  assert.doesNotMatch(io.stdout, /tampered/);
});

test('reports a missing --keys file before printing any breakdown', async () => {
  const { sealed } = await setup();
  const io = memoryIo({});
  assert.equal(await inspectMain([sealed, '--keys', '/missing.json'], io), 2);
  assert.equal(io.stdout, '');
  assert.equal(io.stderr, 'no key file at /missing.json\n');
});

test('says how long ago a value expired in human units, not milliseconds', async () => {
  const { sealed, keysFile } = await setup();
  const io = memoryIo({});
  const later = T0 / 1000 + 3600 + 365 * 86_400 + 8 * 86_400 + 5;
  assert.equal(await inspectMain([sealed, '--keys', keysFile, '--now', String(later)], io), 1);
  assert.match(io.stdout, /failed check: expired 1 year 8 days ago \(at 2025-11-26T01:00:00\.000Z\)\n/);
  assert.doesNotMatch(io.stdout, / ms ago/);
});

test('says a value whose issue time is over 400 days old expired at issued-at plus 400 days, not at its later expires-at', async () => {
  const { sealed, keysFile } = await setup();
  // The issue time edited 500 days back: the codec refuses it on the claimed times, since
  // issued-at + 400 days has passed, although the claimed expires-at is still an hour ahead.
  const issued = T0 / 1000 - 500 * 86_400;
  const edited = sealed.replace(`.${T0 / 1000}.`, `.${issued}.`);
  const io = memoryIo({});
  assert.equal(await inspectMain([edited, '--keys', keysFile, '--now', String(T0 / 1000)], io), 1);
  assert.match(io.stdout, /verdict: expired \(ERR_COOKIE_EXPIRED\)/);
  const at = new Date((issued + 400 * 86_400) * 1000).toISOString();
  assert.ok(io.stdout.includes(`failed check: expired 100 days ago (at ${at}: issued-at plus the 400-day limit, before the claimed expires-at)\n`), io.stdout);
});

test('calls a value with another version tag an unsupported version, as the codec does, and checks nothing after the tag', async () => {
  const { sealed, keysFile } = await setup();
  const io = memoryIo({});
  assert.equal(await inspectMain([`2s${sealed.slice(2)}`, '--keys', keysFile, '--now', String(T0 / 1000)], io), 1);
  assert.match(io.stdout, /characters, version tag "2s", not one this build reads\n/);
  assert.match(io.stdout, /verdict: unsupported version \(ERR_COOKIE_VERSION\)\n/);
  assert.match(io.stdout, /failed check: tag "2s"; this build reads 1s \(sealed\) and 1m \(signed\)\n/);
  assert.doesNotMatch(io.stdout, /not a cachet value|base64url/);
});

test('verifies the joined value of a chunked session, which is more than one cookie holds, under the cookie\'s own name', async () => {
  const { keysFile, keys } = await setup();
  // What a CookieStore with chunking seals: one value, over 4096 bytes, split only on the wire.
  const codec = new CookieCodec({ keyring: await keyringOf(keys), mode: 'sealed', maxAge: 3600, now: () => T0, maxBytes: 3 * 4096 });
  const joined = await codec.encode('__Host-session', { i: 'id', c: T0, v: { big: 'x'.repeat(5000) } });
  const io = memoryIo({});
  assert.equal(await inspectMain([joined, '--keys', keysFile, '--now', String(T0 / 1000)], io), 0);
  assert.match(io.stdout, /size: \d+ bytes with the name, more than one cookie holds \(4096\): read as the joined value of chunk cookies __Host-session\.0, __Host-session\.1 …/);
  assert.match(io.stdout, /verdict: valid\n/);
  assert.match(io.stdout, /"big": "xxxx/);
});
