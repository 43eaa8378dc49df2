// The steps of a staged key rotation (add, promote, retire) and rotate, as pure functions over a
// key list, with fixed times: which key seals, which open, and when an old key may go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addKey, keyStatuses, newStoredKey, promoteKey, retireKey, rotateKeys, type StoredKey } from '../../src/app/key-states.js';

const T0 = new Date('2026-11-26T10:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const HOUR = 3_600_000;
const DAY = 86_400_000;
const states = (keys: readonly StoredKey[]) => keyStatuses(keys).map(({ id, state }) => `${id}:${state}`);
const primaryOnly = (): StoredKey[] => [{ ...newStoredKey(T0), state: 'primary' }];

test('add appends one pending key and leaves the primary sealing', () => {
  const start = primaryOnly();
  const added = addKey(start, T0);
  assert.equal(added.length, 2);
  assert.deepEqual(added[0], start[0]);
  assert.equal(added[1]!.state, 'pending');
  assert.equal(added[1]!.promotedAt, undefined);
  assert.deepEqual(states(added), [`${start[0]!.id}:primary`, `${added[1]!.id}:pending`]);
});

test('add marks the primary of a file without states, so the file says which key seals', () => {
  const [a, b] = [newStoredKey(T0), newStoredKey(T0)];
  const added = addKey([a, b], T0);
  assert.deepEqual(added.map((k) => k.state), ['primary', undefined, 'pending']);
  assert.deepEqual(added[0], { ...a, state: 'primary' });
});

test('add refuses a second pending key, naming the one to promote or retire first', () => {
  const added = addKey(primaryOnly(), T0);
  assert.throws(() => addKey(added, T0), { code: 'ERR_KEY_PENDING_EXISTS', message: new RegExp(`${added[1]!.id} is already pending`) });
});

test('promote makes the pending key primary with promotedAt, and the former primary old without a state', () => {
  const added = addKey(primaryOnly(), T0);
  const [former, pending] = added as [StoredKey, StoredKey];
  const promoted = promoteKey(added, pending.id, at(HOUR));
  assert.deepEqual(promoted, [
    { ...pending, state: 'primary', promotedAt: at(HOUR).toISOString() },
    { id: former.id, secret: former.secret, createdAt: former.createdAt },
  ]);
  assert.deepEqual(states(promoted), [`${pending.id}:primary`, `${former.id}:old`]);
});

test('promote of an old key is a rollback: it seals again and keeps every key', () => {
  const added = addKey(primaryOnly(), T0);
  const [first, second] = added as [StoredKey, StoredKey];
  const promoted = promoteKey(added, second.id, at(HOUR));
  const rolledBack = promoteKey(promoted, first.id, at(2 * HOUR));
  assert.deepEqual(states(rolledBack), [`${first.id}:primary`, `${second.id}:old`]);
  assert.equal(rolledBack[0]!.promotedAt, at(2 * HOUR).toISOString());
  // The key rolled away from keeps its own promotedAt: it says when it started sealing.
  assert.equal(rolledBack[1]!.promotedAt, at(HOUR).toISOString());
});

test('promote refuses the primary and an unknown id', () => {
  const keys = addKey(primaryOnly(), T0);
  assert.throws(() => promoteKey(keys, keys[0]!.id, T0), { code: 'ERR_KEY_IS_PRIMARY' });
  assert.throws(() => promoteKey(keys, 'nope', T0), { code: 'ERR_KEY_UNKNOWN' });
});

test('an old key is safe to retire the absolute timeout after the next key was promoted', () => {
  const added = addKey(primaryOnly(), T0);
  const promoted = promoteKey(added, added[1]!.id, at(HOUR));
  const old = keyStatuses(promoted, 3600).find((key) => key.state === 'old')!;
  assert.equal(old.safeToRetireAt?.toISOString(), at(2 * HOUR).toISOString());
  assert.equal(keyStatuses(promoted).find((key) => key.state === 'old')!.safeToRetireAt?.toISOString(), at(HOUR + DAY).toISOString());
});

test('an old key counts from the first promotion after its own, not a later one', () => {
  const added = addKey(primaryOnly(), T0);
  const on2 = promoteKey(added, added[1]!.id, at(HOUR));
  const withK3 = addKey(on2, at(HOUR));
  const on3 = promoteKey(withK3, withK3[2]!.id, at(2 * HOUR));
  const safe = Object.fromEntries(keyStatuses(on3, 3600).map((key) => [key.id, key.safeToRetireAt?.toISOString()]));
  assert.deepEqual(safe, { [withK3[2]!.id]: undefined, [added[1]!.id]: at(3 * HOUR).toISOString(), [added[0]!.id]: at(2 * HOUR).toISOString() });
  // Nor an earlier one: k2's promotion (1 h) came before k3's own (2 h), so k3 counts from k4's
  // (3 h). Above, the first key has no promotedAt, so "after its own" was never put to the test.
  const withK4 = addKey(on3, at(2 * HOUR));
  const on4 = promoteKey(withK4, withK4[3]!.id, at(3 * HOUR));
  const safe4 = Object.fromEntries(keyStatuses(on4, 3600).map((key) => [key.id, key.safeToRetireAt?.toISOString()]));
  assert.equal(safe4[withK3[2]!.id], at(4 * HOUR).toISOString());
  assert.equal(safe4[added[1]!.id], at(3 * HOUR).toISOString());
});

test('retire refuses an old key one millisecond before its safe time and takes it at that time', () => {
  const added = addKey(primaryOnly(), T0);
  const promoted = promoteKey(added, added[1]!.id, at(HOUR));
  const oldId = added[0]!.id;
  assert.throws(() => retireKey(promoted, oldId, { now: at(HOUR + DAY - 1) }), {
    code: 'ERR_KEY_RETIRE_TOO_EARLY',
    message: new RegExp(`not safe to retire before ${at(HOUR + DAY).toISOString().replaceAll('.', '\\.')}.*logs those users out.*--force`),
  });
  assert.deepEqual(retireKey(promoted, oldId, { now: at(HOUR + DAY) }).map((k) => k.id), [added[1]!.id]);
});

test('retire --force takes an old key before its safe time', () => {
  const added = addKey(primaryOnly(), T0);
  const promoted = promoteKey(added, added[1]!.id, at(HOUR));
  assert.deepEqual(retireKey(promoted, added[0]!.id, { now: at(HOUR), force: true }).map((k) => k.id), [added[1]!.id]);
});

test('retire counts the safe time with the absolute timeout it is given', () => {
  const added = addKey(primaryOnly(), T0);
  const promoted = promoteKey(added, added[1]!.id, at(HOUR));
  assert.throws(() => retireKey(promoted, added[0]!.id, { now: at(2 * HOUR - 1), absoluteTimeout: 3600 }), { code: 'ERR_KEY_RETIRE_TOO_EARLY' });
  assert.equal(retireKey(promoted, added[0]!.id, { now: at(2 * HOUR), absoluteTimeout: 3600 }).length, 1);
});

test('retire takes a pending key at once (an abandoned rollout) and refuses the primary even with force', () => {
  // After a promotion (here by rotate), so that a recorded promotion time exists to be misread.
  const added = addKey(rotateKeys([], T0), at(HOUR));
  assert.equal(keyStatuses(added)[1]!.safeToRetireAt, undefined);
  assert.deepEqual(retireKey(added, added[1]!.id, { now: at(HOUR) }), [added[0]]);
  assert.throws(() => retireKey(added, added[0]!.id, { now: at(365 * DAY), force: true }), { code: 'ERR_KEY_IS_PRIMARY' });
  assert.throws(() => retireKey(added, 'nope'), { code: 'ERR_KEY_UNKNOWN' });
});

test('a key of a file without states or promotion times has no known safe time and can be retired, as before', () => {
  const a = newStoredKey(T0);
  const b = newStoredKey(T0);
  const legacy = [a, b];
  assert.deepEqual(states(legacy), [`${a.id}:primary`, `${b.id}:old`]);
  assert.equal(keyStatuses(legacy)[1]!.safeToRetireAt, undefined);
  assert.deepEqual(retireKey(legacy, b.id, { now: T0 }), [a]);
});

test('an old key without promotedAt counts from the earliest promotion recorded, which it had stopped sealing by', () => {
  const [a, b] = [newStoredKey(T0), newStoredKey(T0)];
  // A file from before states: a seals, b is older. Then a staged rotation promotes c.
  const added = addKey([a, b], T0);
  const c = added[2]!;
  const promoted = promoteKey(added, c.id, at(HOUR));
  const safe = Object.fromEntries(keyStatuses(promoted).map((key) => [key.id, key.safeToRetireAt?.toISOString()]));
  assert.deepEqual(safe, { [c.id]: undefined, [a.id]: at(HOUR + DAY).toISOString(), [b.id]: at(HOUR + DAY).toISOString() });
});

test('after a rollback each old key counts from the promotion that followed its own', () => {
  const start = primaryOnly();
  const k1 = start[0]!;
  const withK2 = addKey(start, T0);
  const k2 = withK2[1]!;
  const on2 = promoteKey(withK2, k2.id, at(HOUR)); // k1 stops sealing at +1h
  const back = promoteKey(on2, k1.id, at(3 * HOUR)); // k2 stops sealing at +3h
  const safe = Object.fromEntries(keyStatuses(back, 3600).map((key) => [key.id, key.safeToRetireAt?.toISOString()]));
  assert.deepEqual(safe, { [k1.id]: undefined, [k2.id]: at(4 * HOUR).toISOString() });
});

test('rotate puts a fresh primary first at once, stamps promotedAt and keeps a pending key pending', () => {
  const added = addKey(primaryOnly(), T0);
  const rotated = rotateKeys(added, at(HOUR));
  assert.equal(rotated.length, 3);
  assert.equal(rotated[0]!.promotedAt, at(HOUR).toISOString());
  assert.deepEqual(states(rotated), [`${rotated[0]!.id}:primary`, `${added[0]!.id}:old`, `${added[1]!.id}:pending`]);
  assert.equal(keyStatuses(rotated)[1]!.safeToRetireAt?.toISOString(), at(HOUR + DAY).toISOString());
  const first = rotateKeys([], T0);
  assert.deepEqual(states(first), [`${first[0]!.id}:primary`]);
});

test('a new key is named k, its creation date as yymmdd and six hex characters, and records that time', () => {
  const key = newStoredKey(T0);
  assert.match(key.id, /^k261126[0-9a-f]{6}$/);
  assert.equal(key.createdAt, T0.toISOString());
  assert.equal(Buffer.from(key.secret, 'base64url').length, 32);
});

test('add and rotate draw again rather than reuse an id already in the list', (t) => {
  // The id's random part is 3 bytes: the first two draws give the same bytes, the third new ones.
  const draw = crypto.getRandomValues.bind(crypto);
  let short = 0;
  const fake = (array: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> => {
    if (array.length !== 3) return draw(array);
    array.fill(short < 2 ? 0xab : 0xcd);
    short++;
    return array;
  };
  t.mock.method(crypto, 'getRandomValues', fake as typeof crypto.getRandomValues);
  const first = rotateKeys([], T0);
  assert.equal(first[0]!.id, 'k261126ababab');
  const added = addKey(first, T0);
  assert.equal(added[1]!.id, 'k261126cdcdcd');
  short = 1;
  const rotated = rotateKeys(first, T0);
  assert.equal(rotated[0]!.id, 'k261126cdcdcd');
  assert.equal(short, 3);
});

test('an old key counts from the earliest later promotion, whatever the order of the list', () => {
  // A hand-edited file: the old keys are not newest first.
  const [p, a, b, c] = [newStoredKey(T0), newStoredKey(T0), newStoredKey(T0), newStoredKey(T0)];
  const keys: StoredKey[] = [
    { ...p, state: 'primary', promotedAt: at(3 * HOUR).toISOString() },
    a,
    { ...b, promotedAt: at(HOUR).toISOString() },
    { ...c, promotedAt: at(2 * HOUR).toISOString() },
  ];
  const safe = Object.fromEntries(keyStatuses(keys, 3600).map((key) => [key.id, key.safeToRetireAt?.toISOString()]));
  assert.deepEqual(safe, { [p.id]: undefined, [a.id]: at(2 * HOUR).toISOString(), [b.id]: at(3 * HOUR).toISOString(), [c.id]: at(4 * HOUR).toISOString() });
});

test('every step refuses a list without a primary, saying it is the key list', () => {
  const pendingOnly: StoredKey[] = [{ ...newStoredKey(T0), state: 'pending' }];
  const message = /^keys: every key is "pending", so none can seal cookies/;
  assert.throws(() => keyStatuses(pendingOnly), { message });
  assert.throws(() => addKey(pendingOnly, T0), { message });
  assert.throws(() => promoteKey(pendingOnly, pendingOnly[0]!.id, T0), { message });
  assert.throws(() => retireKey(pendingOnly, pendingOnly[0]!.id, { now: T0 }), { message });
});

test('a refused step is a KeyStepError whose message names the key', () => {
  const keys = addKey(primaryOnly(), T0);
  const primary = keys[0]!.id;
  assert.throws(() => promoteKey(keys, 'nope', T0), { name: 'KeyStepError', code: 'ERR_KEY_UNKNOWN', message: 'no key with id nope' });
  assert.throws(() => promoteKey(keys, primary, T0), { name: 'KeyStepError', code: 'ERR_KEY_IS_PRIMARY', message: `${primary} is already the primary key` });
  assert.throws(() => retireKey(keys, primary, { now: T0 }), { name: 'KeyStepError', message: new RegExp(`^${primary} is the primary key; promote another key first`) });
});
