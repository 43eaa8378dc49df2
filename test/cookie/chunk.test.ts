import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { splitCookieValue, joinCookieChunks, staleChunkNames, chunkCookieName } from '../../src/cookie/chunk.js';
import { parseCookies } from '../../src/cookie/parse.js';
import { serializeCookie } from '../../src/cookie/serialize.js';
import { SessionError, type SessionErrorCode } from '../../src/errors.js';
import { check } from './seed.js';

function throwsCode(fn: () => unknown, code: SessionErrorCode): void {
  assert.throws(fn, (err: unknown) => err instanceof SessionError && err.code === code && err.kind === 'usage');
}
const map = (entries: Record<string, string>): Record<string, string> => Object.assign(Object.create(null) as Record<string, string>, entries);

test('names chunks name.0 … name.N-1 and keeps the prefix', () => {
  assert.equal(chunkCookieName('__Host-s', 0), '__Host-s.0');
  assert.equal(chunkCookieName('s', 12), 's.12');
});

test('splits a value into full chunks that each fit in one cookie, and an empty value into one empty chunk', () => {
  const name = '__Host-session';
  const value = 'a'.repeat(10000);
  const chunks = splitCookieValue(name, value);
  assert.equal(chunks.length, 3);
  assert.equal(chunks.join(''), value);
  chunks.forEach((part, i) => {
    const cookie = serializeCookie(chunkCookieName(name, i), part, { secure: true, path: '/' });
    assert.ok(cookie.length > 0);
    if (i < chunks.length - 1) assert.equal(chunkCookieName(name, 2).length + part.length, 4096);
  });
  assert.deepEqual(splitCookieValue('s', ''), ['']);
  assert.deepEqual(splitCookieValue('s', 'abc'), ['abc']);
  assert.deepEqual(splitCookieValue('s', 'abcdefgh', { maxCookieBytes: 64, maxChunks: 2 }), ['abcdefgh']);
});

test('refuses a value that needs more than maxChunks chunks', () => {
  throwsCode(() => splitCookieValue('s', 'x'.repeat(3 * 4093 + 1)), 'ERR_COOKIE_TOO_LARGE');
  assert.equal(splitCookieValue('s', 'x'.repeat(3 * 4093)).length, 3);
  assert.equal(splitCookieValue('s', 'x'.repeat(3 * 4093 + 1), { maxChunks: 4 }).length, 4);
});

test('refuses a name or value a cookie cannot carry, and invalid options', () => {
  throwsCode(() => splitCookieValue('a b', 'v'), 'ERR_COOKIE_NAME_INVALID');
  throwsCode(() => splitCookieValue('s', 'a b'), 'ERR_COOKIE_VALUE_INVALID');
  throwsCode(() => splitCookieValue('s', '"quoted"'), 'ERR_COOKIE_VALUE_INVALID');
  throwsCode(() => splitCookieValue('s', 5 as unknown as string), 'ERR_COOKIE_VALUE_INVALID');
  for (const options of [{ maxChunks: 0 }, { maxChunks: 51 }, { maxChunks: 1.5 }, { maxCookieBytes: 63 }, { maxCookieBytes: 4097 }]) {
    throwsCode(() => splitCookieValue('s', 'v', options), 'ERR_OPTIONS_INVALID');
    throwsCode(() => joinCookieChunks(map({}), 's', options), 'ERR_OPTIONS_INVALID');
  }
  throwsCode(() => splitCookieValue('n'.repeat(80), 'v', { maxCookieBytes: 64 }), 'ERR_OPTIONS_INVALID');
  // At the edge: a 61-character name leaves one character per chunk ("n….2" is 63 bytes), 62 none.
  assert.deepEqual(splitCookieValue('n'.repeat(61), 'ab', { maxCookieBytes: 64 }), ['a', 'b']);
  for (const value of ['v', '']) throwsCode(() => splitCookieValue('n'.repeat(62), value, { maxCookieBytes: 64 }), 'ERR_OPTIONS_INVALID');
});

// With maxCookieBytes 64 and 3 chunks, name "s" leaves 64 - "s.2".length = 61 characters per chunk.
const small = { maxCookieBytes: 64 };
const full = (c: string): string => c.repeat(61);

test('joins the chunks found in a parsed Cookie header', () => {
  const cookies = parseCookies(`s.1=${full('b')}; other=1; s.0=${full('a')}; s.2=g; sx.3=no`);
  assert.equal(joinCookieChunks(cookies, 's', small), `${full('a')}${full('b')}g`);
  assert.equal(joinCookieChunks(map({ 's.0': '' }), 's'), '');
  assert.equal(joinCookieChunks(map({ 's.0': 'abc' }), 's'), 'abc');
});

test('accepts only the layout the writer produces: full chunks, then a non-empty last one', () => {
  const value = `${full('a')}${full('b')}g`;
  assert.deepEqual(splitCookieValue('s', value, small), [full('a'), full('b'), 'g']);
  const join = (entries: Record<string, string>, options: { maxCookieBytes?: number; maxChunks?: number } = small) => joinCookieChunks(map(entries), 's', options);
  // The case: the whole value in .0 and an empty .1.
  assert.equal(join({ 's.0': 'abc', 's.1': '' }, {}), undefined);
  assert.equal(join({ 's.0': full('a'), 's.1': '' }), undefined);
  assert.equal(join({ 's.0': value, 's.1': '' }), undefined);
  // A short chunk before the last, or a long one anywhere.
  assert.equal(join({ 's.0': 'abc', 's.1': 'def' }), undefined);
  assert.equal(join({ 's.0': full('a').slice(1), 's.1': full('b') + 'x', 's.2': 'g' }), undefined);
  assert.equal(join({ 's.0': full('a'), 's.1': full('b'), 's.2': full('c') + 'x' }), undefined);
  assert.equal(join({ 's.0': full('a') + 'x' }), undefined);
  // The room is the writer's for these options: maxChunks 10 makes the longest name "s.9"; 11 makes "s.10".
  assert.equal(join({ 's.0': full('a'), 's.1': 'g' }, { maxCookieBytes: 64, maxChunks: 10 }), `${full('a')}g`);
  assert.equal(join({ 's.0': full('a'), 's.1': 'g' }, { maxCookieBytes: 64, maxChunks: 11 }), undefined);
  assert.equal(join({ 's.0': full('a').slice(1), 's.1': 'g' }, { maxCookieBytes: 64, maxChunks: 11 }), `${full('a').slice(1)}g`);
  // What the writer produces is accepted.
  assert.equal(join({ 's.0': full('a'), 's.1': full('b'), 's.2': full('c') }), full('a') + full('b') + full('c'));
  assert.equal(join({ 's.0': full('a'), 's.1': 'b' }), `${full('a')}b`);
});

test('property: a join gives a value exactly when re-splitting it reproduces the chunks', () => {
  const part = fc.oneof(fc.constant(''), fc.stringMatching(/^[a-z]{1,3}$/), fc.constant(full('a')), fc.constant(full('a') + 'x'), fc.constant(full('a').slice(1)));
  check(
    fc.property(fc.array(part, { minLength: 1, maxLength: 3 }), (parts) => {
      const cookies = map(Object.fromEntries(parts.map((p, i) => [chunkCookieName('s', i), p])));
      const joined = joinCookieChunks(cookies, 's', small);
      let canonical: boolean;
      try {
        canonical = JSON.stringify(splitCookieValue('s', parts.join(''), small)) === JSON.stringify(parts);
      } catch {
        canonical = false; // more than maxChunks chunks: the writer refuses it
      }
      assert.equal(joined, canonical ? parts.join('') : undefined, JSON.stringify(parts));
    }),
    300,
  );
});

test('returns undefined for absent, missing, extra or oddly numbered chunks instead of throwing', () => {
  assert.equal(joinCookieChunks(map({}), 's'), undefined);
  assert.equal(joinCookieChunks(map({ s: 'plain' }), 's'), undefined);
  assert.equal(joinCookieChunks(map({ 's.1': 'b' }), 's'), undefined);
  assert.equal(joinCookieChunks(map({ 's.0': 'a', 's.2': 'c' }), 's'), undefined);
  assert.equal(joinCookieChunks(map({ 's.0': 'a', 's.1': 'b', 's.2': 'c', 's.3': 'd' }), 's'), undefined);
  const four = { 's.0': full('a'), 's.1': full('b'), 's.2': full('c'), 's.3': 'd' };
  assert.equal(joinCookieChunks(map(four), 's', small), undefined);
  assert.equal(joinCookieChunks(map(four), 's', { ...small, maxChunks: 4 }), `${full('a')}${full('b')}${full('c')}d`);
  // non-canonical suffixes are not chunks, so they neither count nor break the join
  assert.equal(joinCookieChunks(map({ 's.0': 'a', 's.01': 'x', 's.+1': 'y', 's.': 'z', 's.1000': 'w', 's.1x': 'v' }), 's'), 'a');
});

test('lists the stale chunks to delete when a value shrinks or goes away', () => {
  const cookies = map({ 's.0': 'a', 's.1': 'b', 's.2': 'c', 's.10': 'j', 's.01': 'x', 'other.3': 'o' });
  assert.deepEqual(staleChunkNames(cookies, 's', 1), ['s.1', 's.2', 's.10']);
  assert.deepEqual(staleChunkNames(cookies, 's', 0), ['s.0', 's.1', 's.2', 's.10']);
  assert.deepEqual(staleChunkNames(cookies, 's', 11), []);
});

test('lists no stale chunk at index 50 or past it: no configuration writes one, and forged ones would swell the response', () => {
  const forged = map(Object.fromEntries(Array.from({ length: 180 }, (_, i) => [`s.${i}`, 'x'])));
  const stale = staleChunkNames(forged, 's', 0);
  assert.equal(stale.length, 50);
  assert.equal(stale.at(-1), 's.49');
  assert.deepEqual(staleChunkNames(forged, 's', 49), ['s.49']);
  assert.deepEqual(staleChunkNames(forged, 's', 50), []);
});

test('property: split then serialize, parse and join gives the value back', () => {
  const value = fc.stringMatching(/^[A-Za-z0-9_.-]{0,200}$/).chain((v) => fc.integer({ min: 1, max: 60 }).map((k) => v.repeat(k)));
  check(
    fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/), value, fc.integer({ min: 64, max: 4096 }), (name, v, maxCookieBytes) => {
      const options = { maxChunks: 50, maxCookieBytes };
      let chunks: string[];
      try {
        chunks = splitCookieValue(name, v, options);
      } catch (err) {
        assert.ok(err instanceof SessionError && err.code === 'ERR_COOKIE_TOO_LARGE');
        return;
      }
      const header = chunks
        .map((part, i) => serializeCookie(chunkCookieName(name, i), part).split(';')[0])
        .reverse()
        .join('; ');
      assert.equal(joinCookieChunks(parseCookies(header, { maxBytes: 1 << 20 }), name, options), v);
      assert.deepEqual(staleChunkNames(parseCookies(header, { maxBytes: 1 << 20 }), name, chunks.length), []);
    }),
    150,
  );
});
