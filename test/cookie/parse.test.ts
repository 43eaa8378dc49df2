import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findCookie, parseCookies } from '../../src/cookie/parse.js';
import { SessionError } from '../../src/errors.js';
import { check } from './seed.js';

const plain = (o: Record<string, string>): Record<string, string> => ({ ...o });

test('returns an empty null-prototype map for a missing or empty header', () => {
  for (const header of [undefined, '', ';;', '   ', []]) {
    const cookies = parseCookies(header);
    assert.equal(Object.getPrototypeOf(cookies), null);
    assert.deepEqual(Object.keys(cookies), []);
  }
});

test('reads the pairs a browser sends, trimming spaces and tabs around names and values', () => {
  assert.deepEqual(plain(parseCookies('a=1; b=2;c=3 ;\td = 4\t')), { a: '1', b: '2', c: '3', d: '4' });
});

test('splits a pair at its first "=" so values may contain "="', () => {
  assert.deepEqual(plain(parseCookies('token=abc==; x==y')), { token: 'abc==', x: '=y' });
});

test('keeps the first of duplicate names, which the browser lists first for the most specific path', () => {
  assert.deepEqual(plain(parseCookies('sid=specific; sid=general; other=1; sid=third')), { sid: 'specific', other: '1' });
});

test('keeps the double quotes of a quoted value, as RFC 6265bis makes them part of the value', () => {
  assert.deepEqual(plain(parseCookies('a="x y"; b=""; c="')), { a: '"x y"', b: '""', c: '"' });
});

test('keeps empty values and skips pairs without "=" or with an empty name', () => {
  assert.deepEqual(plain(parseCookies('empty=; nameless; =novalue; = ; ok=1')), { empty: '', ok: '1' });
});

test('skips a pair with a control character, which no browser would have stored', () => {
  assert.deepEqual(plain(parseCookies('a=1\u0001; b\u007f=2; c=3\t4; d=4')), { c: '3\t4', d: '4' });
});

test('does not percent-decode values unless a decode function is given', () => {
  assert.deepEqual(plain(parseCookies('p=%41%20b')), { p: '%41%20b' });
  assert.deepEqual(plain(parseCookies('p=%41%20b', { decode: decodeURIComponent })), { p: 'A b' });
});

test('keeps the raw value when the decode function throws on a bad escape', () => {
  const cookies = parseCookies('a=%E0%A4%A; b=%; c=%41', { decode: decodeURIComponent });
  assert.deepEqual(plain(cookies), { a: '%E0%A4%A', b: '%', c: 'A' });
  const weird = parseCookies('a=1', { decode: (() => 42) as unknown as (v: string) => string });
  assert.equal(weird['a'], '1');
});

test('keeps the raw value when decode returns undefined, and the first pair of a name still wins', () => {
  const decode = ((v: string) => (v === 'first' ? undefined : v.toUpperCase())) as unknown as (v: string) => string;
  assert.deepEqual(plain(parseCookies('a=first; a=second; b=x', { decode })), { a: 'first', b: 'X' });
  assert.equal(findCookie('a=first; a=second', 'a', { decode }), 'first');
});

test('stores "__proto__" and "constructor" as plain entries without touching any prototype', () => {
  const cookies = parseCookies('__proto__=x; constructor=y; toString=z');
  assert.equal(Object.getPrototypeOf(cookies), null);
  assert.equal(cookies['__proto__'], 'x');
  assert.equal(cookies['constructor'], 'y');
  assert.equal(({} as Record<string, unknown>)['x'], undefined);
  assert.deepEqual(Object.keys(cookies), ['__proto__', 'constructor', 'toString']);
});

test('tolerates several Cookie headers as if joined by "; "', () => {
  assert.deepEqual(plain(parseCookies(['a=1; b=2', 'c=3', '', 'a=4'])), { a: '1', b: '2', c: '3' });
  const junk = ['a=1', 7, null, 'b=2'] as unknown as string[];
  assert.deepEqual(plain(parseCookies(junk)), { a: '1', b: '2' });
});

test('ignores every pair past maxPairs', () => {
  const header = Array.from({ length: 10 }, (_, i) => `k${i}=${i}`).join('; ');
  assert.deepEqual(Object.keys(parseCookies(header, { maxPairs: 3 })), ['k0', 'k1', 'k2']);
  assert.equal(Object.keys(parseCookies(header)).length, 10);
  const many = Array.from({ length: 500 }, (_, i) => `k${i}=1`).join(';');
  assert.equal(Object.keys(parseCookies(many)).length, 180);
  // duplicates and skipped pairs still count: the cap bounds the work, not just the map
  assert.deepEqual(Object.keys(parseCookies('a=1; a=2; b=3', { maxPairs: 2 })), ['a']);
});

test('drops the pair that crosses maxBytes and everything after it, keeping complete pairs before it', () => {
  assert.deepEqual(plain(parseCookies('a=1; b=22; c=3', { maxBytes: 8 })), { a: '1' });
  assert.deepEqual(plain(parseCookies('a=1; b=22; c=3', { maxBytes: 9 })), { a: '1', b: '22' }); // ends exactly at the limit
  assert.deepEqual(plain(parseCookies('a=1; b=22; c=3', { maxBytes: 10 })), { a: '1', b: '22' });
  assert.deepEqual(plain(parseCookies('a=1; b=22; c=3', { maxBytes: 14 })), { a: '1', b: '22', c: '3' });
  assert.deepEqual(plain(parseCookies('a=1', { maxBytes: 0 })), {});
  const big = `a=1; big=${'x'.repeat(20000)}; c=3`;
  assert.deepEqual(plain(parseCookies(big)), { a: '1' });
  assert.deepEqual(plain(parseCookies(['a=1', `b=${'x'.repeat(20000)}`, 'c=3'])), { a: '1' });
});

test('rejects invalid options with ERR_OPTIONS_INVALID, saying which option and what it must be', () => {
  const cases: [object, RegExp][] = [
    [{ maxPairs: -1 }, /^parseCookies: maxPairs must be a non-negative integer, got -1$/],
    [{ maxPairs: 1.5 }, /^parseCookies: maxPairs .*got 1\.5$/],
    [{ maxBytes: Number.NaN }, /^parseCookies: maxBytes must be a non-negative integer, got NaN$/],
    [{ decode: 'yes' }, /^parseCookies: decode must be a function/],
  ];
  for (const [options, message] of cases) {
    assert.throws(
      () => parseCookies('a=1', options as never),
      (err: unknown) => err instanceof SessionError && err.code === 'ERR_OPTIONS_INVALID' && err.kind === 'usage' && message.test(err.message),
    );
  }
});

test('refuses an unknown option, naming parseCookies and the option', () => {
  assert.throws(
    () => parseCookies('a=1', { maxpairs: 3 } as never),
    (err: unknown) => err instanceof SessionError && err.code === 'ERR_OPTIONS_UNKNOWN' && /^parseCookies: unknown option "maxpairs"/.test(err.message),
  );
});

test('counts maxBytes over several headers joined by "; ", exactly as over the one joined header', () => {
  // 'a=1; b=2' is 8 characters: b ends exactly at the limit of 8, and crosses a limit of 7.
  assert.deepEqual(plain(parseCookies(['a=1', 'b=2'], { maxBytes: 8 })), { a: '1', b: '2' });
  assert.deepEqual(plain(parseCookies(['a=1', 'b=2'], { maxBytes: 7 })), { a: '1' });
  assert.deepEqual(plain(parseCookies(['a=1'], { maxBytes: 3 })), { a: '1' });
  assert.equal(findCookie(['a=1', 'b=2'], 'b', { maxBytes: 8 }), '2');
  assert.equal(findCookie(['a=1', 'b=2'], 'b', { maxBytes: 7 }), undefined);
});

test('property: never throws on arbitrary strings and returns only trimmed, separator-free entries', () => {
  const header = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.array(fc.constantFrom('a', 'b', '=', ';', ' ', '\t', '"', '%', '\u0000', '\u00e9', '__proto__'), { maxLength: 80 }).map((a) => a.join('')),
  );
  check(
    fc.property(fc.oneof(header, fc.array(header, { maxLength: 4 })), fc.option(fc.nat(50), { nil: undefined }), fc.boolean(), (input, maxPairs, decode) => {
      const cookies = parseCookies(input, { ...(maxPairs === undefined ? {} : { maxPairs }), ...(decode ? { decode: decodeURIComponent } : {}) });
      assert.equal(Object.getPrototypeOf(cookies), null);
      const names = Object.keys(cookies);
      assert.ok(names.length <= (maxPairs ?? 180));
      for (const name of names) {
        assert.ok(name.length > 0 && !name.includes(';') && !name.includes('='));
        assert.ok(!/^[ \t]|[ \t]$/.test(name));
        if (!decode) assert.ok(!cookies[name]!.includes(';') && !/^[ \t]|[ \t]$/.test(cookies[name]!));
      }
    }),
    400,
  );
});

test('property: reads back every distinct name=value pair joined the way browsers join them', () => {
  const name = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
  const value = fc.stringMatching(/^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]{0,20}$/);
  check(
    fc.property(fc.uniqueArray(fc.tuple(name, value), { selector: ([n]) => n, maxLength: 20 }), (pairs) => {
      const cookies = parseCookies(pairs.map(([n, v]) => `${n}=${v}`).join('; '));
      assert.deepEqual(plain(cookies), Object.fromEntries(pairs));
    }),
  );
});
