// keys.json and CACHET_KEYS with key states: what an old file means, what order the keys come
// back in (the keyring seals with the first), and how a malformed state is reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadKeys, parseKeysEnv, readKeyFile, writeKeyFile } from '../../src/app/key-file.js';
import { keyStatuses, newStoredKey, type StoredKey } from '../../src/app/key-states.js';
import { SERVER_HELP } from '../../src/app/config.js';
import { tempDir } from '../helpers/temp-dir.js';

const fileWith = (keys: unknown): string => {
  const dir = tempDir();
  writeFileSync(join(dir, 'keys.json'), JSON.stringify({ keys }), { mode: 0o600 });
  return dir;
};
const labels = (keys: readonly StoredKey[]) => keyStatuses(keys).map(({ id, state }) => `${id}:${state}`);

test('reads a keys.json without states as before: first key primary, the others old, in file order', () => {
  const [a, b, c] = [newStoredKey(), newStoredKey(), newStoredKey()];
  const keys = readKeyFile(fileWith([a, b, c]))!;
  assert.deepEqual(keys, [a, b, c]);
  assert.deepEqual(labels(keys), [`${a.id}:primary`, `${b.id}:old`, `${c.id}:old`]);
});

test('returns the key marked primary first, whatever its place in the file', () => {
  const [a, b, c] = [newStoredKey(), { ...newStoredKey(), state: 'primary' as const }, { ...newStoredKey(), state: 'pending' as const }];
  const keys = readKeyFile(fileWith([c, a, b]))!;
  assert.deepEqual(keys.map((k) => k.id), [b.id, c.id, a.id]);
  assert.deepEqual(labels(keys), [`${b.id}:primary`, `${c.id}:pending`, `${a.id}:old`]);
});

test('takes the first key not marked pending as the primary when none is marked', () => {
  const [p, a] = [{ ...newStoredKey(), state: 'pending' as const }, newStoredKey()];
  assert.deepEqual(labels(readKeyFile(fileWith([p, a]))!), [`${a.id}:primary`, `${p.id}:pending`]);
});

test('writes the primary first, so a cachet that ignores states still seals with it', () => {
  const dir = tempDir();
  const [old, pending, primary] = [newStoredKey(), { ...newStoredKey(), state: 'pending' as const }, { ...newStoredKey(), state: 'primary' as const, promotedAt: '2026-11-26T10:00:00.000Z' }];
  writeKeyFile(dir, [old, pending, primary]);
  const raw = JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')) as { keys: StoredKey[] };
  assert.deepEqual(raw.keys, [primary, old, pending]);
  assert.deepEqual(readKeyFile(dir), [primary, old, pending]);
});

test('marks the key made on first start as primary', () => {
  const dir = tempDir();
  const { keys } = loadKeys(dir, {});
  assert.equal(keys[0]!.state, 'primary');
  assert.deepEqual(readKeyFile(dir), keys);
});

test('refuses a keys.json with two primaries or only pending keys, naming the file', () => {
  const two = fileWith([{ ...newStoredKey(), state: 'primary' }, newStoredKey(), { ...newStoredKey(), state: 'primary' }]);
  assert.throws(() => readKeyFile(two), new RegExp(`^Error: ${join(two, 'keys.json')}: keys \\S+ and \\S+ are marked "primary"; exactly one key may be$`));
  const none = fileWith([{ ...newStoredKey(), state: 'pending' }]);
  assert.throws(() => readKeyFile(none), new RegExp(`^Error: ${join(none, 'keys.json')}: every key is "pending", so none can seal cookies`));
  assert.throws(() => loadKeys(none, {}), /every key is "pending"/);
});

test('refuses an unknown state and a promotedAt that is not an ISO time, naming the key', () => {
  const key = newStoredKey();
  for (const state of ['old', 'Primary', '', 1, null]) {
    assert.throws(() => readKeyFile(fileWith([{ ...key, state }])), new RegExp(`key ${key.id} has state .*a state is "primary" or "pending"`), String(state));
  }
  for (const promotedAt of ['yesterday', '2026-11-26', '2026-11-26T10:00:00+01:00', '2026-13-01T10:00:00.000Z', 1_764_151_200_000, null]) {
    assert.throws(() => readKeyFile(fileWith([{ ...key, promotedAt }])), new RegExp(`key ${key.id} has a promotedAt that is not an ISO time`), String(promotedAt));
  }
  assert.equal(readKeyFile(fileWith([{ ...key, promotedAt: '2026-11-26T10:00:00Z' }]))![0]!.promotedAt, '2026-11-26T10:00:00Z');
});

test('reads CACHET_KEYS entries with a third field: pending opens only, primary seals wherever it stands', () => {
  const [a, b, c] = [newStoredKey(), newStoredKey(), newStoredKey()];
  assert.deepEqual(labels(parseKeysEnv(`${a.id}:${a.secret}:pending,${b.id}:${b.secret}`)), [`${b.id}:primary`, `${a.id}:pending`]);
  assert.deepEqual(labels(parseKeysEnv(`${a.id}:${a.secret}, ${b.id}:${b.secret}:primary ,${c.id}:${c.secret}:pending`)), [`${b.id}:primary`, `${a.id}:old`, `${c.id}:pending`]);
  assert.deepEqual(labels(parseKeysEnv(`${a.id}:${a.secret},${b.id}:${b.secret}`)), [`${a.id}:primary`, `${b.id}:old`]);
  assert.deepEqual(parseKeysEnv(`${a.id}:${a.secret}:pending,${b.id}:${b.secret}`), [{ id: b.id, secret: b.secret }, { id: a.id, secret: a.secret, state: 'pending' }]);
});

test('reads CACHET_KEYS JSON with the same state field as keys.json', () => {
  const [a, b] = [newStoredKey(), newStoredKey()];
  const keys = parseKeysEnv(JSON.stringify({ keys: [{ ...a, state: 'pending' }, { ...b, state: 'primary' }] }));
  assert.deepEqual(labels(keys), [`${b.id}:primary`, `${a.id}:pending`]);
});

test('refuses CACHET_KEYS with an unknown state, a fourth field, two primaries or no primary', () => {
  const [a, b] = [newStoredKey(), newStoredKey()];
  assert.throws(() => parseKeysEnv(`${a.id}:${a.secret}:old`), /^Error: CACHET_KEYS: key \S+ has state "old"/);
  assert.throws(() => parseKeysEnv(`${a.id}:${a.secret}:pending:x`), /^Error: CACHET_KEYS: entry 1 is not "id:secret" or "id:secret:state"/);
  assert.throws(() => parseKeysEnv(`${a.id}:${a.secret}:primary,${b.id}:${b.secret}:primary`), /^Error: CACHET_KEYS: keys \S+ and \S+ are marked "primary"/);
  assert.throws(() => parseKeysEnv(`${a.id}:${a.secret}:pending`), /^Error: CACHET_KEYS: every key is "pending"/);
  // The secret never appears in a message about its entry.
  for (const text of [`${a.id}:${a.secret}:old`, `${a.id}:${a.secret}:pending:x`, `${a.id}:${a.secret}:pending`]) {
    assert.throws(() => parseKeysEnv(text), (err: Error) => !err.message.includes(a.secret));
  }
});

test('the server\'s --help shows the CACHET_KEYS states', () => {
  assert.match(SERVER_HELP, /CACHET_KEYS {3}cookie keys, overriding keys\.json: "id:secret,id:secret" \(primary\s+first\)[\s\S]*"id:secret:pending" opens cookies but seals none[\s\S]*"id:secret:primary" seals wherever it stands/);
});

test('refuses an id longer than 16 characters and a secret with characters outside base64url, at either end', () => {
  const key = newStoredKey();
  assert.throws(() => parseKeysEnv(`${'a'.repeat(17)}:${key.secret}`), /^Error: CACHET_KEYS: key 0 has an invalid id/);
  assert.equal(parseKeysEnv(`${'a'.repeat(16)}:${key.secret}`)[0]!.id, 'a'.repeat(16));
  for (const secret of [`${key.secret}=`, `+${key.secret}`]) {
    assert.throws(() => readKeyFile(fileWith([{ ...key, secret }])), new RegExp(`key ${key.id} needs a base64url secret`));
  }
});

test('refuses a promotedAt with an expanded year, which Date.parse would read', () => {
  const key = newStoredKey();
  assert.throws(() => readKeyFile(fileWith([{ ...key, promotedAt: '+002026-11-26T10:00:00.000Z' }])), /has a promotedAt that is not an ISO time/);
});

test('reads CACHET_KEYS JSON with blanks around it, and names CACHET_KEYS when that JSON is refused', () => {
  const a = newStoredKey();
  assert.deepEqual(parseKeysEnv(`\n  ${JSON.stringify({ keys: [a] })}\n`), [a]);
  assert.throws(() => parseKeysEnv('{"keys":[]}'), /^Error: CACHET_KEYS: expected a non-empty "keys" list$/);
});

test('refuses a CACHET_KEYS entry without a secret as not "id:secret"', () => {
  assert.throws(() => parseKeysEnv('k1'), /^Error: CACHET_KEYS: entry 1 is not "id:secret"/);
});

test('refuses to write a list without a primary, saying it is the key list', () => {
  assert.throws(() => writeKeyFile(tempDir(), [{ ...newStoredKey(), state: 'pending' }]), /^Error: keys: every key is "pending"/);
});

test('uses the key file when CACHET_KEYS is only blanks, and creates nothing when CACHET_KEYS is set', () => {
  const dir = tempDir();
  const key = newStoredKey();
  writeKeyFile(dir, [key]);
  assert.deepEqual(loadKeys(dir, { CACHET_KEYS: ' \n' }), { keys: [key], source: 'file', created: false });
  assert.deepEqual(loadKeys(tempDir(), { CACHET_KEYS: `${key.id}:${key.secret}` }), { keys: [{ id: key.id, secret: key.secret }], source: 'env', created: false });
});
