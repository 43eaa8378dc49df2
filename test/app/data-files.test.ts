import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dataDirFromEnv, ensureDataDir, readJsonFile, writeFileAtomic } from '../../src/app/data-dir.js';
import { loadKeys, newStoredKey, parseKeysEnv, readKeyFile, retireKey, rotateKeys, writeKeyFile } from '../../src/app/key-file.js';
import { addUser, ensureDemoUser, findUser, readUsers, removeUser } from '../../src/app/user-file.js';
import { verifyPassword } from '../../src/app/passwords.js';
import { tempDir } from '../helpers/temp-dir.js';

const weak = { iterations: 1000, unsafeAllowWeakIterationsForTests: true } as const;
const mode = (path: string): number => statSync(path).mode & 0o777;

test('resolves the data directory from CACHET_DATA_DIR with .data as the default', () => {
  assert.equal(dataDirFromEnv({}), resolve('.data'));
  assert.equal(dataDirFromEnv({ CACHET_DATA_DIR: '' }), resolve('.data'));
  assert.equal(dataDirFromEnv({ CACHET_DATA_DIR: '/tmp/x' }), '/tmp/x');
});

test('creates the data directory 0700 and tightens a looser one', () => {
  const dir = join(tempDir(), 'data');
  ensureDataDir(dir);
  assert.equal(mode(dir), 0o700);
  chmodSync(dir, 0o755);
  ensureDataDir(dir);
  assert.equal(mode(dir), 0o700);
});

test('keeps a data directory it creates out of git with a .gitignore of *', () => {
  const dir = join(tempDir(), 'project', '.data');
  ensureDataDir(dir);
  assert.deepEqual(readdirSync(dir), ['.gitignore']);
  assert.deepEqual(readFileSync(join(dir, '.gitignore'), 'utf8').split('\n').filter((line) => line !== '' && !line.startsWith('#')), ['*']);
  const fresh = join(tempDir(), 'fresh');
  assert.equal(loadKeys(fresh, {}).created, true);
  assert.deepEqual(readdirSync(fresh).sort(), ['.gitignore', 'keys.json']);
});

test('adds no .gitignore to a data directory that already exists', () => {
  const dir = tempDir();
  ensureDataDir(dir);
  assert.deepEqual(readdirSync(dir), []);
});

test('writes files atomically with mode 0600 and leaves no temporary file', () => {
  const dir = tempDir();
  const path = join(dir, 'x.json');
  writeFileAtomic(path, '{"a":1}');
  writeFileAtomic(path, '{"a":2}');
  assert.deepEqual(readJsonFile(path), { a: 2 });
  assert.equal(mode(path), 0o600);
  assert.deepEqual(readdirSync(dir), ['x.json']);
});

test('reads a missing JSON file as undefined and names a corrupt one', () => {
  const dir = tempDir();
  assert.equal(readJsonFile(join(dir, 'none.json')), undefined);
  writeFileSync(join(dir, 'bad.json'), '{');
  assert.throws(() => readJsonFile(join(dir, 'bad.json')), /bad\.json is not valid JSON/);
  assert.throws(() => readJsonFile(dir), /EISDIR/);
});

test('creates keys.json with one fresh key on first start and reuses it afterwards', () => {
  const dir = join(tempDir(), 'data');
  const first = loadKeys(dir, {});
  assert.equal(first.created, true);
  assert.equal(first.keys.length, 1);
  assert.equal(Buffer.from(first.keys[0]!.secret, 'base64url').length, 32);
  assert.equal(mode(join(dir, 'keys.json')), 0o600);
  assert.equal(mode(dir), 0o700);
  const second = loadKeys(dir, {});
  assert.equal(second.created, false);
  assert.deepEqual(second.keys, first.keys);
});

test('lets CACHET_KEYS override the key file, as JSON or id:secret pairs', () => {
  const dir = tempDir();
  const a = newStoredKey();
  const b = newStoredKey();
  const env = loadKeys(dir, { CACHET_KEYS: `${a.id}:${a.secret}, ${b.id}:${b.secret}` });
  assert.equal(env.source, 'env');
  assert.deepEqual(env.keys.map((k) => k.id), [a.id, b.id]);
  assert.equal(readKeyFile(dir), undefined);
  assert.deepEqual(parseKeysEnv(JSON.stringify({ keys: [a] })), [a]);
  assert.deepEqual(parseKeysEnv(JSON.stringify([{ id: b.id, secret: b.secret }])), [{ id: b.id, secret: b.secret }]);
});

test('refuses malformed key lists with a message naming the problem', () => {
  const a = newStoredKey();
  assert.throws(() => parseKeysEnv('{'), /not valid JSON/);
  assert.throws(() => parseKeysEnv('[]'), /non-empty/);
  assert.throws(() => parseKeysEnv('bad id!:' + a.secret), /invalid id/);
  assert.throws(() => parseKeysEnv('k1:short'), /at least 32 bytes/);
  assert.throws(() => parseKeysEnv(`k1:${a.secret},k1:${a.secret}`), /appears twice/);
  assert.throws(() => parseKeysEnv('[null]'), /invalid id/);
});

test('rotates to a new primary, keeps the old keys and retires only non-primary ones', () => {
  const dir = tempDir();
  const { keys } = loadKeys(dir, {});
  const rotated = rotateKeys(keys);
  assert.equal(rotated.length, 2);
  assert.equal(rotated[1]!.id, keys[0]!.id);
  writeKeyFile(dir, rotated);
  assert.deepEqual(readKeyFile(dir), rotated);
  assert.throws(() => retireKey(rotated, rotated[0]!.id), { code: 'ERR_KEY_IS_PRIMARY' });
  assert.throws(() => retireKey(rotated, 'nope'), { code: 'ERR_KEY_UNKNOWN' });
  const dayLater = new Date(Date.parse(rotated[0]!.promotedAt!) + 86_400_000);
  assert.deepEqual(retireKey(rotated, keys[0]!.id, { now: dayLater }), [rotated[0]]);
});

test('creates the demo user once with a random password that verifies', async () => {
  const dir = tempDir();
  const password = await ensureDemoUser(dir, weak);
  assert.ok(password !== undefined && password.length >= 16);
  assert.equal(await ensureDemoUser(dir, weak), undefined);
  const demo = findUser(dir, 'demo');
  assert.ok(demo);
  assert.equal(await verifyPassword(password, demo.passwordHash), true);
  assert.equal(mode(join(dir, 'users.json')), 0o600);
  assert.doesNotMatch(readFileSync(join(dir, 'users.json'), 'utf8'), new RegExp(password));
});

test('adds, updates, lists and removes users', async () => {
  const dir = tempDir();
  assert.deepEqual(readUsers(dir), []);
  assert.equal(await addUser(dir, 'alice', 'one', weak), 'added');
  assert.equal(await addUser(dir, 'alice', 'two', weak), 'updated');
  assert.equal(await verifyPassword('two', findUser(dir, 'alice')!.passwordHash), true);
  await assert.rejects(addUser(dir, 'bad name', 'x', weak), /invalid user name/);
  await assert.rejects(addUser(dir, 'bob', '', weak), /empty/);
  assert.equal(removeUser(dir, 'alice'), true);
  assert.equal(removeUser(dir, 'alice'), false);
  writeFileSync(join(dir, 'users.json'), '{"users":[{"name":"<x>"}]}');
  assert.throws(() => readUsers(dir), /needs a valid/);
  writeFileSync(join(dir, 'users.json'), '{}');
  assert.throws(() => readUsers(dir), /"users" list/);
});

test('refuses a keys.json that group or others can access, naming the file, its mode and the chmod', () => {
  for (const loose of [0o640, 0o604, 0o660, 0o644, 0o601]) {
    const dir = tempDir();
    writeKeyFile(dir, [newStoredKey()]);
    const path = join(dir, 'keys.json');
    chmodSync(path, loose);
    const expected = `${path} has mode 0${loose.toString(8)}, so group or others can access it: a key others can read is refused, as ssh does. Fix it with: chmod 600 ${path} (and, if others could read it, rotate the keys)`;
    assert.throws(() => readKeyFile(dir), { message: expected });
    assert.throws(() => loadKeys(dir, {}), { message: expected });
  }
});

test('accepts a keys.json of mode 0600 or 0400, and CACHET_KEYS whatever the file mode', () => {
  const dir = tempDir();
  const key = newStoredKey();
  writeKeyFile(dir, [key]);
  const path = join(dir, 'keys.json');
  assert.equal(mode(path), 0o600);
  assert.deepEqual(readKeyFile(dir), [key]);
  chmodSync(path, 0o400);
  assert.deepEqual(readKeyFile(dir), [key]);
  chmodSync(path, 0o644);
  assert.equal(loadKeys(dir, { CACHET_KEYS: `${key.id}:${key.secret}` }).source, 'env');
});

test('still reads the other data files whatever their mode (only keys.json is a secret)', () => {
  const dir = tempDir();
  const path = join(dir, 'x.json');
  writeFileSync(path, '{"a":1}');
  chmodSync(path, 0o644);
  assert.deepEqual(readJsonFile(path), { a: 1 });
  assert.throws(() => readJsonFile(path, { secret: true }), /chmod 600/);
});
