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
});

test('joins the chunks found in a parsed Cookie header', () => {
  const cookies = parseCookies('s.1=def; other=1; s.0=abc; s.2=g; sx.3=no');
  assert.equal(joinCookieChunks(cookies, 's'), 'abcdefg');
  assert.equal(joinCookieChunks(map({ 's.0': '' }), 's'), '');
});

test('returns undefined for absent, missing, extra or oddly numbered chunks instead of throwing', () => {
  assert.equal(joinCookieChunks(map({}), 's'), undefined);
  assert.equal(joinCookieChunks(map({ s: 'plain' }), 's'), undefined);
  assert.equal(joinCookieChunks(map({ 's.1': 'b' }), 's'), undefined);
  assert.equal(joinCookieChunks(map({ 's.0': 'a', 's.2': 'c' }), 's'), undefined);
  assert.equal(joinCookieChunks(map({ 's.0': 'a', 's.1': 'b', 's.2': 'c', 's.3': 'd' }), 's'), undefined);
  assert.equal(joinCookieChunks(map({ 's.0': 'a', 's.1': 'b', 's.2': 'c', 's.3': 'd' }), 's', { maxChunks: 4 }), 'abcd');
  // non-canonical suffixes are not chunks, so they neither count nor break the join
  assert.equal(joinCookieChunks(map({ 's.0': 'a', 's.01': 'x', 's.+1': 'y', 's.': 'z', 's.1000': 'w', 's.1x': 'v' }), 's'), 'a');
});

test('lists the stale chunks to delete when a value shrinks or goes away', () => {
  const cookies = map({ 's.0': 'a', 's.1': 'b', 's.2': 'c', 's.10': 'j', 's.01': 'x', 'other.3': 'o' });
  assert.deepEqual(staleChunkNames(cookies, 's', 1), ['s.1', 's.2', 's.10']);
  assert.deepEqual(staleChunkNames(cookies, 's', 0), ['s.0', 's.1', 's.2', 's.10']);
  assert.deepEqual(staleChunkNames(cookies, 's', 11), []);
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
