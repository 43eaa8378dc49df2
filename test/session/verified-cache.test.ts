import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VerifiedCache } from '../../src/session/verified-cache.js';
import { SessionError } from '../../src/errors.js';

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
