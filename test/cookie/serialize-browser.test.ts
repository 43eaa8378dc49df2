// Model-based properties: the serializer against a model of a browser's cookie store
// (browser-model.ts, written from RFC 6265bis §5.6-§5.8). Seeded; the seed is printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { serializeCookie, serializeCookieDeletion, MAX_COOKIE_AGE, type CookieOptions, type SameSite } from '../../src/cookie/serialize.js';
import { parseCookies } from '../../src/cookie/parse.js';
import { SessionError } from '../../src/errors.js';
import { browserReceive, MODEL_DEFAULT_PATH, MODEL_HOST, MODEL_NOW, type StoredCookie } from './browser-model.js';
import { check } from './seed.js';

const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,10}$/);
const octets = fc.stringMatching(/^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]{0,24}$/);

const goodName = fc.oneof(token, token.map((t) => `__Host-${t}`), token.map((t) => `__secure-${t}`));
const goodValue = fc.oneof(octets, octets.map((v) => `"${v}"`));
// Mistakes a browser would not keep as meant. (Names with inner spaces or quotes, and values with
// inner spaces, commas, backslashes or non-ASCII, are refused too but a browser would keep them:
// that refusal is for interoperability with RFC 6265bis §4.1.1 servers and is tested elsewhere.)
const badName = fc.oneof(
  fc.constant(''),
  fc.tuple(token, fc.constantFrom('=', ';', '\u0001', '\u007f'), token).map(([a, b, c]) => a + b + c),
  token.map((t) => ` ${t}`),
  token.map((t) => `${t}\t`),
);
const badValue = fc.oneof(
  fc.tuple(octets, fc.constantFrom(';', '\u0000', '\n', '\u001f'), octets).map(([a, b, c]) => a + b + c),
  octets.map((v) => ` ${v}x`),
  octets.map((v) => `x${v} `),
  fc.integer({ min: 4085, max: 4100 }).map((n) => 'x'.repeat(n)),
);

// Printable ASCII without ';' and without '"', "'", '<' and '>', which the serializer refuses by
// policy (a browser would keep them: see markupPath).
const goodPath = fc.oneof(fc.constantFrom('/', '/app', '/a b/c', '/app/'), fc.stringMatching(/^\/[\x21\x23-\x26\x28-\x3a\x3d\x3f-\x7e]{0,30}$/));
const markupPath = fc.constantFrom('/<script>', '/a"b', "/a'b", '/a>b');
const badPath = fc.oneof(fc.constantFrom('', 'app', '/a;b', '/a ', `/${'p'.repeat(1024)}`, '/a\u0007'), markupPath);
/** True for the one refusal that is policy, not browser behaviour: '<', '>' or a quote in Path. */
const refusedByPolicy = (o: CookieOptions): boolean => o.path !== undefined && /[<>"']/.test(o.path);
const goodDomain = fc.constantFrom('example.com', '.example.com', 'www.example.com', 'WWW.Example.COM');
const badDomain = fc.constantFrom('', 'exa mple.com', 'example.com;x', 'www.example.com.', '.');
const second = 1000;
const goodExpires = fc.integer({ min: 1, max: 1000 * 86400 }).map((s) => new Date(Math.floor(MODEL_NOW / second) * second + s * second));
const badExpires = fc.constantFrom(new Date(Number.NaN), new Date(Date.UTC(1500, 0, 1)), new Date(Date.UTC(12000, 0, 1)));

function opt<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(arb, { nil: undefined, freq: 2 });
}
const options = (bad: boolean): fc.Arbitrary<CookieOptions> =>
  fc.record({
    path: opt(bad ? fc.oneof(goodPath, badPath) : goodPath),
    domain: opt(bad ? fc.oneof(goodDomain, badDomain) : goodDomain),
    maxAge: opt(bad ? fc.oneof(fc.integer({ min: 1, max: 2 * MAX_COOKIE_AGE }), fc.constantFrom(-1, 1.5, Number.NaN)) : fc.integer({ min: 1, max: 2 * MAX_COOKIE_AGE })),
    expires: opt(bad ? fc.oneof(goodExpires, badExpires) : goodExpires),
    secure: fc.boolean(),
    httpOnly: fc.boolean(),
    sameSite: opt(bad ? fc.constantFrom('Strict', 'Lax', 'None', 'Sometimes', 'lax', 'NONE') : fc.constantFrom('Strict', 'Lax', 'None', 'strict', 'LAX', 'none')) as fc.Arbitrary<CookieOptions['sameSite']>,
    partitioned: fc.boolean(),
  });

/** What the caller meant: the cookie a browser should end up storing. */
function intended(name: string, value: string, o: CookieOptions): StoredCookie {
  const cap = MODEL_NOW + MAX_COOKIE_AGE * 1000;
  return {
    name,
    value,
    hostOnly: o.domain === undefined,
    domain: o.domain === undefined ? MODEL_HOST : o.domain.replace(/^\./, '').toLowerCase(),
    path: o.path ?? MODEL_DEFAULT_PATH,
    secure: o.secure === true,
    httpOnly: o.httpOnly === true,
    // Any case is accepted and sent capitalised; browsers compare it case-insensitively anyway.
    sameSite: o.sameSite === undefined ? 'Default' : (`${o.sameSite[0]!.toUpperCase()}${o.sameSite.slice(1).toLowerCase()}` as SameSite),
    partitioned: o.partitioned === true,
    expiry: o.maxAge !== undefined ? MODEL_NOW + Math.min(o.maxAge, MAX_COOKIE_AGE) * 1000 : o.expires === undefined ? undefined : Math.min(o.expires.getTime(), cap),
  };
}

/** The Set-Cookie a serializer without any checks would write. */
function naive(name: string, value: string, o: CookieOptions): string {
  let h = `${name}=${value}`;
  if (o.path !== undefined) h += `; Path=${o.path}`;
  if (o.domain !== undefined) h += `; Domain=${o.domain}`;
  if (o.maxAge !== undefined) h += `; Max-Age=${o.maxAge}`;
  if (o.expires !== undefined) h += `; Expires=${o.expires.toUTCString()}`;
  if (o.httpOnly) h += '; HttpOnly';
  if (o.secure) h += '; Secure';
  if (o.sameSite !== undefined) h += `; SameSite=${o.sameSite}`;
  if (o.partitioned) h += '; Partitioned';
  return h;
}

/** The browser keeps the cookie as meant, discarding no attribute, and sends it back (§5.8.3) so that parseCookies reads the value. */
function keptAsMeant(header: string, want: StoredCookie): boolean {
  const got = browserReceive(header);
  if (got.kind !== 'stored' || got.discarded.length > 0) return false;
  try {
    assert.deepEqual(got.cookie, want);
  } catch {
    return false;
  }
  const sent = got.cookie.name === '' ? got.cookie.value : `${got.cookie.name}=${got.cookie.value}`;
  return parseCookies(`other=1; ${sent}`)[want.name] === want.value;
}

test('property: a cookie the serializer accepts is stored by the browser as meant and parsed back', () => {
  let accepted = 0;
  check(
    fc.property(goodName, goodValue, options(false), (name, value, o) => {
      let header: string;
      try {
        header = serializeCookie(name, value, o);
      } catch (err) {
        // only combinations the browser refuses (prefix, SameSite=None/Partitioned without Secure)
        assert.ok(err instanceof SessionError && err.kind === 'usage', String(err));
        assert.equal(keptAsMeant(naive(name, value, o), intended(name, value, o)), false, `refused but a browser keeps: ${naive(name, value, o)}`);
        return;
      }
      accepted++;
      assert.ok(keptAsMeant(header, intended(name, value, o)), header);
    }),
    400,
  );
  assert.ok(accepted > 50, `only ${accepted} accepted cases: the generator needs fixing`);
});

test('property: whatever the serializer refuses, a browser would drop or alter', () => {
  let refused = 0;
  const name = fc.oneof(goodName, badName);
  const value = fc.oneof(goodValue, badValue);
  check(
    fc.property(name, value, options(true), (n, v, o) => {
      let header: string;
      try {
        header = serializeCookie(n, v, o);
      } catch (err) {
        assert.ok(err instanceof SessionError && err.kind === 'usage', String(err));
        refused++;
        if (refusedByPolicy(o)) return;
        assert.equal(keptAsMeant(naive(n, v, o), intended(n, v, o)), false, `refused but a browser keeps: ${JSON.stringify(naive(n, v, o))}`);
        return;
      }
      assert.ok(keptAsMeant(header, intended(n, v, o)), header);
    }),
    600,
  );
  assert.ok(refused > 100, `only ${refused} refused cases: the generator needs fixing`);
});

test('property: a deletion built with the options of a stored cookie is accepted and removes exactly that cookie', () => {
  // Refusals are counted: a serializer that refused everything would otherwise pass vacuously.
  let accepted = 0;
  let runs = 0;
  check(
    fc.property(goodName, goodValue, options(false), (name, value, o) => {
      runs++;
      let header: string;
      try {
        header = serializeCookie(name, value, o);
      } catch (err) {
        assert.ok(err instanceof SessionError && err.kind === 'usage', String(err));
        return;
      }
      accepted++;
      const stored = browserReceive(header);
      const deletion = browserReceive(serializeCookieDeletion(name, o));
      if (stored.kind !== 'stored') assert.fail(`not stored: ${header}`);
      if (deletion.kind !== 'deleted') assert.fail(`deletion refused: ${serializeCookieDeletion(name, o)}`);
      const key = (c: StoredCookie): string => `${c.name}|${c.domain}|${c.hostOnly}|${c.path}`;
      assert.equal(key(deletion.cookie), key(stored.cookie));
    }),
  );
  assert.ok(accepted >= runs / 5, `only ${accepted} of ${runs} generated cookies were accepted: the property checked too little`);
});

test('property: on arbitrary strings and paths, the serializer either refuses with a usage error or the browser keeps exactly what was meant', () => {
  // Not just the hand-picked bad classes above: any code point, controls, separators, quotes.
  const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: fc.constantFrom('a', '=', ';', ',', ' ', '\t', '"', '\\', '\u0000', '\u007f', '\u00ff', '\u0100', '%'), maxLength: 12 }));
  let accepted = 0;
  check(
    fc.property(fc.oneof({ weight: 3, arbitrary: goodName }, anyText), fc.oneof({ weight: 3, arbitrary: goodValue }, anyText), fc.option(fc.oneof(goodPath, anyText.map((p) => `/${p}`)), { nil: undefined }), (n, v, path) => {
      const o: CookieOptions = path === undefined ? {} : { path };
      let header: string;
      try {
        header = serializeCookie(n, v, o);
      } catch (err) {
        assert.ok(err instanceof SessionError && err.kind === 'usage', String(err));
        return;
      }
      accepted++;
      assert.ok(keptAsMeant(header, intended(n, v, o)), header);
    }),
    200,
  );
  assert.ok(accepted > 10, `only ${accepted} accepted cases: the generator needs fixing`);
});
