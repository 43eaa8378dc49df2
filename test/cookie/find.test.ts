// findCookie must give exactly parseCookies(header, options)[name]: the examples pin the cases a
// targeted search gets wrong most easily, the property checks the rest against the map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findCookie, findCookieUnchecked, parseCookies } from '../../src/cookie/parse.js';
import { SessionError } from '../../src/errors.js';
import { check } from './seed.js';

test('finds a cookie among others, trimming spaces and tabs as parseCookies does', () => {
  assert.equal(findCookie('theme=dark; __Host-session=abc; x=1', '__Host-session'), 'abc');
  assert.equal(findCookie(' \t__Host-session \t= abc \t;x=1', '__Host-session'), 'abc');
  assert.equal(findCookie('a=1;b=', 'b'), '');
  assert.equal(findCookie(undefined, 'a'), undefined);
  assert.equal(findCookie('', 'a'), undefined);
});

test('does not take the name inside another cookie, or a longer name, for the cookie', () => {
  assert.equal(findCookie('x=__Host-session=evil', '__Host-session'), undefined);
  assert.equal(findCookie('x=__Host-session=evil; __Host-session=real', '__Host-session'), 'real');
  assert.equal(findCookie('__Host-sessionX=1; __Host-session=2', '__Host-session'), '2');
  assert.equal(findCookie('X__Host-session=1', '__Host-session'), undefined);
  assert.equal(findCookie('session; session=2', 'session'), '2');
  assert.equal(findCookie('session', 'session'), undefined);
});

test('keeps the first valid pair of a name, skipping one with a control character', () => {
  assert.equal(findCookie('sid=first; sid=second', 'sid'), 'first');
  assert.equal(findCookie('sid=bad\u0001; sid=good', 'sid'), 'good');
  assert.equal(findCookie('sid=tab\tinside', 'sid'), 'tab\tinside');
});

test('ignores a pair past maxPairs, counting nameless and duplicate pairs as parseCookies does', () => {
  const many = `${'=;'.repeat(180)}sid=1`;
  assert.equal(findCookie(many, 'sid'), undefined);
  assert.equal(findCookie(`${'=;'.repeat(179)}sid=1`, 'sid'), '1');
  assert.equal(findCookie(`${'noeq;'.repeat(400)}sid=1`, 'sid'), '1'); // a part without "=" is no pair
  assert.equal(findCookie('a=1; a=2; sid=3', 'sid', { maxPairs: 2 }), undefined);
  assert.equal(findCookie('a=1; sid=3', 'sid', { maxPairs: 0 }), undefined);
});

test('drops a pair that is not complete within maxBytes, and every pair after it', () => {
  assert.equal(findCookie('a=1; b=22; c=3', 'b', { maxBytes: 9 }), '22');
  assert.equal(findCookie('a=1; b=22; c=3', 'b', { maxBytes: 8 }), undefined);
  assert.equal(findCookie('a=1; b=22; c=3', 'c', { maxBytes: 10 }), undefined);
  assert.equal(findCookie(`big=${'x'.repeat(20000)}; sid=1`, 'sid'), undefined);
});

test('joins several headers, decodes when asked, and answers odd names the way the map does', () => {
  assert.equal(findCookie(['a=1', 'sid=2'], 'sid'), '2');
  assert.equal(findCookie('p=%41', 'p', { decode: decodeURIComponent }), 'A');
  assert.equal(findCookie('p=%E0%A4%A', 'p', { decode: decodeURIComponent }), '%E0%A4%A');
  assert.equal(findCookie('__proto__=x', '__proto__'), 'x');
  assert.equal(findCookie('a=1', ''), undefined);
  assert.equal(findCookie('a=b=c', 'a=b'), undefined);
  assert.equal(findCookie(' a =1', ' a '), undefined);
});

test('rejects invalid options with ERR_OPTIONS_INVALID, as parseCookies does, naming findCookie and the option', () => {
  const cases: [object, RegExp][] = [
    [{ maxPairs: -1 }, /^findCookie: maxPairs must be a non-negative integer, got -1$/],
    [{ maxBytes: 1.5 }, /^findCookie: maxBytes must be a non-negative integer, got 1\.5$/],
    [{ decode: 'yes' }, /decode must be a function/],
  ];
  for (const [options, message] of cases) {
    assert.throws(
      () => findCookie('a=1', 'a', options as never),
      (err: unknown) => err instanceof SessionError && err.code === 'ERR_OPTIONS_INVALID' && message.test(err.message),
    );
  }
  assert.throws(
    () => findCookie('a=1', 'a', { maxbytes: 3 } as never),
    (err: unknown) => err instanceof SessionError && err.code === 'ERR_OPTIONS_UNKNOWN' && /^findCookie: unknown option "maxbytes"/.test(err.message),
  );
});

test('keeps a last pair that ends exactly at maxBytes, as parseCookies does', () => {
  assert.equal(findCookie('a=1', 'a', { maxBytes: 3 }), '1');
  assert.equal(parseCookies('a=1', { maxBytes: 3 })['a'], '1');
  const full = `sid=${'x'.repeat(16380)}`; // exactly the default 16384 characters
  assert.ok(findCookie(full, 'sid') === 'x'.repeat(16380), 'a pair of exactly maxBytes is kept');
  assert.ok(findCookieUnchecked(full, 'sid') === 'x'.repeat(16380), 'and by the unchecked lookup');
  assert.ok(findCookie(`${full}x`, 'sid') === undefined, 'one character more and the pair is cut');
});

test('answers a name no pair can carry (empty, an edge space, ";" or "=", not a string) exactly as the map does', () => {
  const cases: [string, unknown][] = [
    ['=1', ''],
    ['a =1', 'a '],
    ['b=1; a=1', ' a'],
    ['a;b=1', 'a;b'],
    ['a=b=1', 'a=b'],
    ['undefined=1', undefined],
    ['null=1', null],
  ];
  for (const [header, name] of cases) {
    const map = parseCookies(header)[name as string];
    assert.equal(findCookie(header, name as string), map, `findCookie(${JSON.stringify(header)}, ${String(name)})`);
    assert.equal(findCookieUnchecked(header, name as string), map, `findCookieUnchecked(${JSON.stringify(header)}, ${String(name)})`);
  }
  assert.equal(findCookie('a =1', 'a '), undefined);
  assert.equal(findCookie('null=1', null as never), '1', 'the map coerces the name, as any property lookup does');
});

test('counts only the parts holding "=" before the pair against maxPairs', () => {
  // "x" is no pair: sid is the second pair, within maxPairs 2 (parseCookies keeps it too).
  assert.equal(findCookie('x; a=1; sid=2', 'sid', { maxPairs: 2 }), '2');
  assert.equal(parseCookies('x; a=1; sid=2', { maxPairs: 2 })['sid'], '2');
  assert.equal(findCookie('x; a=1; b=2; sid=3', 'sid', { maxPairs: 2 }), undefined);
});

test('property: answers exactly what parseCookies(header, options)[name] holds', () => {
  const names = ['s', 'sid', '__Host-s'];
  const ws = fc.constantFrom('', '', ' ', '\t', ' \t');
  // Pairs shaped like real ones but often a little wrong: a longer or empty name, no "=", a
  // control character, the name inside a value; some as short as a pair can be ("=" is one, for
  // maxPairs); joined by ";" or "; ".
  const segment = fc
    .tuple(
      ws,
      fc.constantFrom(...names, 'x', '', 'sX', 'ss'),
      ws,
      fc.constantFrom('=', '=', '=', ''),
      ws,
      fc.array(fc.constantFrom('v', '1', '=', '"', '%41', '%E0', ...names, '\u0001', '\u007f', '\t', '\u00e9'), { maxLength: 6 }),
      ws,
    )
    .map(([a, name, b, eq, c, value, d]) => `${a}${name}${b}${eq}${c}${value.join('')}${d}`);
  const header = fc
    .tuple(fc.array(fc.oneof(segment, fc.constantFrom('=', 'x=', '=1', '')), { maxLength: 14 }), fc.constantFrom(';', '; '))
    .map(([parts, sep]) => parts.join(sep));
  let found = 0;
  check(
    fc.property(
      fc.oneof(header, fc.array(header, { maxLength: 3 })),
      fc.constantFrom(...names),
      fc.option(fc.nat(12), { nil: undefined, freq: 2 }),
      fc.option(fc.nat(150), { nil: undefined, freq: 2 }),
      fc.boolean(),
      (input, name, maxPairs, maxBytes, decode) => {
        const options = {
          ...(maxPairs === undefined ? {} : { maxPairs }),
          ...(maxBytes === undefined ? {} : { maxBytes }),
          ...(decode ? { decode: decodeURIComponent } : {}),
        };
        const expected = parseCookies(input, options)[name];
        if (expected !== undefined) found++;
        assert.equal(findCookie(input, name, options), expected);
      },
    ),
    5000,
  );
  // The property means something only if most inputs hold the name somewhere the map keeps it.
  assert.ok(found > 500, `only ${found} of 5000 inputs had the cookie`);
});

test('the unchecked lookup finds the first pair of the name, control characters or not, and otherwise agrees', () => {
  assert.equal(findCookieUnchecked('sid=bad\u0001; sid=good', 'sid'), 'bad\u0001');
  assert.equal(findCookie('sid=bad\u0001; sid=good', 'sid'), 'good');
  assert.equal(findCookieUnchecked('x=sid=no; sid = yes ', 'sid'), 'yes');
  assert.equal(findCookieUnchecked('a=b=c', 'a=b'), undefined, 'an odd name gets the checked answer');
});

test('property: the unchecked lookup is findCookie whenever its value holds no control character', () => {
  const piece = fc.constantFrom('sid', 's', '=', ';', '; ', ' ', '\t', 'x', '\u0001', '\u007f', 'v');
  check(
    fc.property(fc.array(piece, { maxLength: 40 }).map((a) => a.join('')), fc.constantFrom('sid', 's'), (header, name) => {
      const loose = findCookieUnchecked(header, name);
      const exact = findCookie(header, name);
      // eslint-disable-next-line no-control-regex
      if (loose === undefined || !/[\u0000-\u0008\u000a-\u001f\u007f]/.test(loose)) assert.equal(loose, exact);
      else assert.notEqual(loose, exact);
    }),
    3000,
  );
});
