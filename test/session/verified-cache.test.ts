import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VerifiedCache } from '../../src/session/core/verified-cache.js';
import { SessionError } from '../../src/errors.js';
import fc from 'fast-check';
import { fuzzParameters } from '../fuzz/seed.js';

test('evicts the least recently used entry when full', () => {
  const cache = new VerifiedCache<number>({ maxEntries: 2 });
  cache.set('a', 1);
  cache.set('b', 2);
  assert.equal(cache.get('a'), 1);
  cache.set('c', 3);
  assert.equal(cache.get('b'), undefined);
  assert.equal(cache.get('a'), 1);
  assert.equal(cache.get('c'), 3);
  assert.equal(cache.size, 2);
});

test('overwriting a key does not evict another', () => {
  const cache = new VerifiedCache<number>({ maxEntries: 2 });
  cache.set('a', 1);
  cache.set('b', 2);
  cache.set('a', 10);
  assert.equal(cache.size, 2);
  assert.equal(cache.get('a'), 10);
  assert.equal(cache.get('b'), 2);
});

test('delete and clear remove entries', () => {
  const cache = new VerifiedCache<number>();
  assert.equal(cache.maxEntries, 5000);
  cache.set('a', 1);
  cache.set('b', 2);
  cache.delete('a');
  assert.equal(cache.get('a'), undefined);
  cache.clear();
  assert.equal(cache.size, 0);
});

test('sync empties the cache when the generation changes, and only then', () => {
  const cache = new VerifiedCache<number>();
  const keysA = {};
  cache.sync(keysA);
  cache.set('a', 1);
  cache.sync(keysA);
  assert.equal(cache.get('a'), 1);
  cache.sync({});
  assert.equal(cache.get('a'), undefined);
});

test('a value verified under a generation the cache has left is not stored', () => {
  const cache = new VerifiedCache<number>();
  const oldRing = {};
  const newRing = {};
  cache.sync(oldRing);
  cache.sync(newRing); // the ring was swapped while a decode under oldRing was in flight
  cache.set('a', 1, oldRing); // ...which then finishes
  assert.equal(cache.get('a'), undefined);
  cache.set('b', 2, newRing);
  assert.equal(cache.get('b'), 2);
});

test('rejects a bound that is not a positive integer', () => {
  for (const maxEntries of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => new VerifiedCache({ maxEntries }), (err: unknown) => err instanceof SessionError && err.code === 'ERR_OPTIONS_INVALID');
  }
});

test('when every entry was used, the oldest goes after a second chance round', () => {
  const cache = new VerifiedCache<number>({ maxEntries: 3 });
  cache.set('a', 1);
  cache.set('b', 2);
  cache.set('c', 3);
  cache.get('a');
  cache.get('b');
  cache.get('c');
  cache.set('d', 4);
  assert.equal(cache.size, 3);
  assert.equal(cache.get('a'), undefined);
  assert.deepEqual(['b', 'c', 'd'].map((k) => cache.get(k)), [2, 3, 4]);
});

test('the room of a deleted entry is reused before anything is evicted', () => {
  const cache = new VerifiedCache<number>({ maxEntries: 3 });
  cache.set('a', 1);
  cache.set('b', 2);
  cache.set('c', 3);
  cache.delete('b');
  cache.set('d', 4);
  assert.equal(cache.size, 3);
  assert.deepEqual(['a', 'c', 'd'].map((k) => cache.get(k)), [1, 3, 4]);
});

test('deleting a key whose tail matches another entry leaves that entry alone', () => {
  const cache = new VerifiedCache<number>();
  const tail = 'T'.repeat(32);
  cache.set(`x${tail}`, 1);
  cache.delete(`y${tail}`);
  assert.equal(cache.get(`x${tail}`), 1);
});

test('a key sharing the hashed tail of another replaces it: a miss for the first, never a wrong hit', () => {
  const cache = new VerifiedCache<number>();
  const tail = 'T'.repeat(32);
  cache.set(`x${tail}`, 1);
  cache.set(`y${tail}`, 2);
  assert.equal(cache.get(`x${tail}`), undefined);
  assert.equal(cache.get(`y${tail}`), 2);
  assert.equal(cache.size, 1);
});

// Planted-bug guard: the cache is keyed by a hash of a value's last 24 characters (its tag or
// MAC), and only the full-key comparison on a hit stops a forged value that copies a cached
// value's tag but changes its body from being answered as verified. The keys here are longer than
// the hashed tail and share it, so they always land on the same entry.
test('a key that shares the hashed tail of a cached key but differs before it is never a hit', () => {
  const cache = new VerifiedCache<string>();
  const tag = 'Qm9ndXNUYWdUaGF0SXNMb25n'; // 24 characters, the hashed tail
  cache.set(`1s.k.1.2.iv.genuine-body.${tag}`, 'verified');
  assert.equal(cache.get(`1s.k.1.2.iv.forged--body.${tag}`), undefined);
  assert.equal(cache.get(`1s.k.1.2.iv.genuine-body.${tag}`), 'verified', 'the genuine value still hits');
});

test('property: for keys sharing any tail of 24+ characters, only the exact key that was set is a hit', () => {
  fc.assert(
    fc.property(
      fc.string({ minLength: 24, maxLength: 40 }),
      fc.string({ maxLength: 20 }),
      fc.string({ maxLength: 20 }),
      (tail, a, b) => {
        fc.pre(a !== b);
        const cache = new VerifiedCache<string>();
        cache.set(a + tail, 'a');
        if (cache.get(b + tail) !== undefined) return false;
        return cache.get(a + tail) === 'a';
      },
    ),
    fuzzParameters(500),
  );
});

test('under a stream of one-off entries, an entry that keeps being hit is never evicted', () => {
  // The session-write pattern: every response adds a value that is never seen again, while the
  // cookie of a busy client is hit on every request.
  const cache = new VerifiedCache<number>({ maxEntries: 50 });
  cache.set('hot', 0);
  for (let i = 1; i <= 5000; i++) {
    assert.equal(cache.get('hot'), 0, `after ${i - 1} one-off entries`);
    cache.set(`cold-${i}`, i);
    assert.ok(cache.size <= 50);
  }
  // and the one-off entries go oldest first: the last 49 are all still there
  for (let i = 5000 - 48; i <= 5000; i++) assert.equal(cache.get(`cold-${i}`), i);
  assert.equal(cache.get('cold-1'), undefined);
});

test('after clear() the cache fills and evicts as a new one', () => {
  const cache = new VerifiedCache<number>({ maxEntries: 2 });
  cache.set('a', 1);
  cache.set('b', 2);
  cache.set('c', 3);
  cache.clear();
  cache.set('d', 4);
  cache.set('e', 5);
  cache.set('f', 6);
  assert.equal(cache.size, 2);
  assert.deepEqual(['d', 'e', 'f'].map((k) => cache.get(k)), [undefined, 5, 6]);
});

test('writing a key again takes no second slot: a full cache of two still holds it next to another key', () => {
  // A re-set that took a fresh slot would leave the old one behind, and evicting that stale slot
  // would drop the live entry that shares its hash.
  const cache = new VerifiedCache<number>({ maxEntries: 2 });
  cache.set('a', 1);
  cache.set('a', 2);
  cache.set('b', 3);
  assert.equal(cache.get('a'), 2);
  assert.equal(cache.get('b'), 3);
});

test('an entry just written again counts as used: the next eviction passes it over', () => {
  const cache = new VerifiedCache<number>({ maxEntries: 2 });
  cache.set('a', 1);
  cache.set('b', 2);
  cache.set('a', 10);
  cache.set('c', 3);
  assert.equal(cache.get('a'), 10);
  assert.equal(cache.get('b'), undefined);
  assert.equal(cache.get('c'), 3);
});

test('long keys that differ in their last characters are cached side by side', () => {
  // Session cookie values are hundreds of characters: the hash must read their tail, not skip it.
  const cache = new VerifiedCache<number>({ maxEntries: 10 });
  const stem = 'x'.repeat(200);
  cache.set(`${stem}-first`, 1);
  cache.set(`${stem}-second`, 2);
  assert.equal(cache.get(`${stem}-first`), 1);
  assert.equal(cache.get(`${stem}-second`), 2);
});

test('refuses an unknown cache option, naming the cache and the bound in its errors', () => {
  assert.throws(
    () => new VerifiedCache<number>({ maxEntrys: 10 } as never),
    (err: unknown) => err instanceof SessionError && err.code === 'ERR_OPTIONS_UNKNOWN' && /^cache: /.test(err.message) && /maxEntrys/.test(err.message),
  );
  assert.throws(
    () => new VerifiedCache<number>({ maxEntries: 0 }),
    (err: unknown) => err instanceof SessionError && err.code === 'ERR_OPTIONS_INVALID' && /cache\.maxEntries must be a positive integer \(got 0\)/.test(err.message),
  );
});
