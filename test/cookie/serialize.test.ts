import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareCookie, serializeCookie, serializeCookieDeletion, MAX_COOKIE_AGE, type CookieOptions } from '../../src/cookie/serialize.js';
import { SessionError, type SessionErrorCode } from '../../src/errors.js';

function throwsCode(fn: () => unknown, code: SessionErrorCode, hint?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SessionError, String(err));
    assert.equal(err.code, code);
    assert.equal(err.kind, 'usage');
    if (hint) assert.match(err.message, hint);
    return true;
  });
}

const SECURE_HOST: CookieOptions = { path: '/', secure: true, httpOnly: true, sameSite: 'Lax' };

test('writes the name, the value and only the attributes that were asked for', () => {
  assert.equal(serializeCookie('a', 'b'), 'a=b');
  assert.equal(serializeCookie('a', ''), 'a=');
  assert.equal(
    serializeCookie('__Host-session', 'v.1-_', { ...SECURE_HOST, maxAge: 3600, priority: 'High' }),
    '__Host-session=v.1-_; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax; Priority=High',
  );
  assert.equal(
    serializeCookie('id', '"quoted"', {
      domain: 'example.com',
      path: '/app',
      expires: new Date(Date.UTC(2027, 0, 2, 3, 4, 5)),
      secure: true,
      sameSite: 'None',
      partitioned: true,
      httpOnly: false,
    }),
    'id="quoted"; Path=/app; Domain=example.com; Expires=Sat, 02 Jan 2027 03:04:05 GMT; Secure; SameSite=None; Partitioned',
  );
});

test('rejects a name that is not an RFC 9110 token', () => {
  for (const name of ['', 'a b', 'a=b', 'a;b', 'a,b', '"a"', 'a\u0000', 'é', '(a)', 'a/b', 'a:b', 'a\tb', 7 as unknown as string]) {
    throwsCode(() => serializeCookie(name, 'v'), 'ERR_COOKIE_NAME_INVALID', /token/);
  }
  for (const name of ["!#$%&'*+-.^_`|~", 'Az09']) assert.ok(serializeCookie(name, 'v').startsWith(`${name}=`));
});

test('rejects a value outside cookie-octets without echoing the value', () => {
  for (const value of ['a b', 'a;b', 'a,b', 'a\\b', 'a"b', '"ab', 'ab"', '"a b"', 'é', '\u0000', 'a\u007f', '\t']) {
    throwsCode(() => serializeCookie('n', value), 'ERR_COOKIE_VALUE_INVALID', /base64url/);
  }
  throwsCode(() => serializeCookie('n', 42 as unknown as string), 'ERR_COOKIE_VALUE_INVALID');
  assert.throws(
    () => serializeCookie('n', 'secret value'),
    (err: unknown) => err instanceof SessionError && !err.message.includes('secret'),
  );
  assert.equal(serializeCookie('n', '""'), 'n=""');
  assert.equal(serializeCookie('n', '"'.concat('abc', '"')), 'n="abc"');
});

test('rejects a cookie whose name and value exceed 4096 bytes together', () => {
  assert.equal(serializeCookie('id', 'x'.repeat(4094)).length, 4097);
  throwsCode(() => serializeCookie('id', 'x'.repeat(4095)), 'ERR_COOKIE_TOO_LARGE', /4097 bytes.*4096.*splitCookieValue/);
});

test('rejects a path that a browser would replace or cut', () => {
  for (const path of ['', 'app', '/a ', '/a;b', '/a\nb', '/é', `/${'a'.repeat(1024)}`, 5 as unknown as string]) {
    throwsCode(() => serializeCookie('n', 'v', { path }), 'ERR_COOKIE_ATTRIBUTE_INVALID', /path/);
  }
  assert.equal(serializeCookie('n', 'v', { path: `/${'a'.repeat(1023)}` }).length, 'n=v; Path='.length + 1024);
  assert.equal(serializeCookie('n', 'v', { path: '/a b/%20' }), 'n=v; Path=/a b/%20');
});

test('rejects a domain that is not a host name', () => {
  for (const domain of ['', '.', 'a..b', 'exa mple.com', 'a;b.com', 'bücher.de', '-a.com', 'a-.com', 'example.com.', `${'a'.repeat(64)}.com`, 'a:80']) {
    throwsCode(() => serializeCookie('n', 'v', { domain }), 'ERR_COOKIE_ATTRIBUTE_INVALID', /domain/);
  }
  for (const domain of ['example.com', '.example.com', 'xn--bcher-kva.de', 'a_b.example.com', '127.0.0.1', 'localhost']) {
    assert.equal(serializeCookie('n', 'v', { domain }), `n=v; Domain=${domain}`);
  }
});

test('takes a domain of up to 253 characters after an optional leading dot, and refuses one character more', () => {
  // A host name of `length` characters: 63-character labels, the last one shorter.
  const hostName = (length: number) => {
    const labels: string[] = [];
    let left = length;
    while (left > 0) {
      const label = Math.min(63, left);
      labels.push('a'.repeat(label));
      left -= label + 1;
    }
    const name = labels.join('.');
    assert.equal(name.length, length);
    return name;
  };
  for (const domain of [hostName(253), `.${hostName(253)}`]) {
    assert.equal(serializeCookie('n', 'v', { domain }), `n=v; Domain=${domain}`);
  }
  throwsCode(() => serializeCookie('n', 'v', { domain: `.${hostName(254)}` }), 'ERR_COOKIE_ATTRIBUTE_INVALID', /domain/);
});

// The limit was `length > 254`, meant for a leading dot plus 253 characters, so a 254-character
// name without a dot passed.
test('refuses a 254-character domain without a leading dot', () => {
  const domain = `${'a'.repeat(63)}.${'a'.repeat(63)}.${'a'.repeat(63)}.${'a'.repeat(62)}`;
  assert.equal(domain.length, 254);
  throwsCode(() => serializeCookie('n', 'v', { domain }), 'ERR_COOKIE_ATTRIBUTE_INVALID', /domain/);
});

test('caps Max-Age at 400 days and rejects a negative or fractional one', () => {
  assert.equal(MAX_COOKIE_AGE, 34_560_000);
  assert.equal(serializeCookie('n', 'v', { maxAge: 0 }), 'n=v; Max-Age=0');
  assert.equal(serializeCookie('n', 'v', { maxAge: MAX_COOKIE_AGE }), 'n=v; Max-Age=34560000');
  assert.equal(serializeCookie('n', 'v', { maxAge: MAX_COOKIE_AGE + 1 }), 'n=v; Max-Age=34560000');
  assert.equal(serializeCookie('n', 'v', { maxAge: Number.MAX_SAFE_INTEGER }), 'n=v; Max-Age=34560000');
  for (const maxAge of [-1, 1.5, Number.NaN, Infinity, '60' as unknown as number]) {
    throwsCode(() => serializeCookie('n', 'v', { maxAge }), 'ERR_COOKIE_ATTRIBUTE_INVALID', /maxAge/);
  }
});

test('rejects an Expires that is not a Date a browser can read', () => {
  for (const expires of [new Date(Number.NaN), new Date(Date.UTC(1600, 11, 31)), new Date(Date.UTC(10000, 0, 1)), '2027-01-01' as unknown as Date]) {
    throwsCode(() => serializeCookie('n', 'v', { expires }), 'ERR_COOKIE_ATTRIBUTE_INVALID', /expires/);
  }
  assert.equal(serializeCookie('n', 'v', { expires: new Date(Date.UTC(1601, 0, 1)) }), 'n=v; Expires=Mon, 01 Jan 1601 00:00:00 GMT');
});

test('rejects SameSite=None and Partitioned without Secure, and unknown SameSite or Priority values', () => {
  throwsCode(() => serializeCookie('n', 'v', { sameSite: 'None' }), 'ERR_COOKIE_ATTRIBUTE_INVALID', /secure: true/);
  throwsCode(() => serializeCookie('n', 'v', { partitioned: true }), 'ERR_COOKIE_ATTRIBUTE_INVALID', /secure: true/);
  throwsCode(() => serializeCookie('n', 'v', { sameSite: 'lux' as never }), 'ERR_COOKIE_ATTRIBUTE_INVALID', /'Lax'/);
  throwsCode(() => serializeCookie('n', 'v', { priority: 'urgent' as never }), 'ERR_COOKIE_ATTRIBUTE_INVALID', /priority/);
  throwsCode(() => serializeCookie('n', 'v', { secure: 'yes' as never }), 'ERR_COOKIE_ATTRIBUTE_INVALID', /secure must be true or false/);
  assert.equal(serializeCookie('n', 'v', { sameSite: 'Strict' }), 'n=v; SameSite=Strict');
});

test('accepts sameSite and priority in any case and sends them capitalised', () => {
  for (const sameSite of ['strict', 'STRICT', 'sTrIcT', 'Strict']) {
    assert.equal(serializeCookie('n', 'v', { sameSite: sameSite as 'strict' }), 'n=v; SameSite=Strict');
  }
  assert.equal(serializeCookie('n', 'v', { sameSite: 'lax' }), 'n=v; SameSite=Lax');
  assert.equal(serializeCookie('n', 'v', { sameSite: 'none', secure: true }), 'n=v; Secure; SameSite=None');
  assert.equal(serializeCookie('n', 'v', { priority: 'high' }), 'n=v; Priority=High');
  assert.equal(serializeCookie('n', 'v', { priority: 'MEDIUM' }), 'n=v; Priority=Medium');
  assert.equal(prepareCookie('n', { sameSite: 'strict', priority: 'low' })('v'), 'n=v; SameSite=Strict; Priority=Low');
  assert.equal(serializeCookieDeletion('n', { sameSite: 'lax' }), `n=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Lax`);
  // The None-needs-Secure rule holds whatever the case.
  throwsCode(() => serializeCookie('n', 'v', { sameSite: 'NONE' }), 'ERR_COOKIE_ATTRIBUTE_INVALID', /secure: true/);
});

test('refuses true and false for sameSite and priority with a message saying what to write', () => {
  throwsCode(() => serializeCookie('n', 'v', { sameSite: true as never }), 'ERR_COOKIE_ATTRIBUTE_INVALID', /not true; for true write 'Strict'/);
  throwsCode(() => serializeCookie('n', 'v', { sameSite: false as never }), 'ERR_COOKIE_ATTRIBUTE_INVALID', /not false; .*leave sameSite out/);
  throwsCode(() => serializeCookie('n', 'v', { priority: true as never }), 'ERR_COOKIE_ATTRIBUTE_INVALID', /for true write 'High'/);
  throwsCode(() => serializeCookie('n', 'v', { priority: false as never }), 'ERR_COOKIE_ATTRIBUTE_INVALID', /leave priority out/);
});

test('refuses a path containing <, > or a quote', () => {
  for (const path of ['/<script>', '/a>b', '/a"b', "/a'b", '/x/"onload="']) {
    throwsCode(() => serializeCookie('n', 'v', { path }), 'ERR_COOKIE_ATTRIBUTE_INVALID', /"<", ">", quotes/);
    throwsCode(() => prepareCookie('n', { path }), 'ERR_COOKIE_ATTRIBUTE_INVALID');
    throwsCode(() => serializeCookieDeletion('n', { path }), 'ERR_COOKIE_ATTRIBUTE_INVALID');
  }
  assert.equal(serializeCookie('n', 'v', { path: '/a%3Cb%22' }), 'n=v; Path=/a%3Cb%22');
});

test('enforces the __Host- prefix: Secure, Path=/ and no Domain, whatever the case of the prefix', () => {
  for (const name of ['__Host-s', '__host-s', '__HOST-s']) {
    throwsCode(() => serializeCookie(name, 'v', { path: '/' }), 'ERR_COOKIE_PREFIX', /secure: true, path: '\/' and no domain/);
    throwsCode(() => serializeCookie(name, 'v', { secure: true }), 'ERR_COOKIE_PREFIX');
    throwsCode(() => serializeCookie(name, 'v', { secure: true, path: '/app' }), 'ERR_COOKIE_PREFIX');
    throwsCode(() => serializeCookie(name, 'v', { secure: true, path: '/', domain: 'example.com' }), 'ERR_COOKIE_PREFIX');
    assert.equal(serializeCookie(name, 'v', { secure: true, path: '/' }), `${name}=v; Path=/; Secure`);
  }
  assert.equal(serializeCookie('__Hostile', 'v'), '__Hostile=v');
});

test('enforces the __Secure- prefix: Secure, whatever the case of the prefix', () => {
  for (const name of ['__Secure-s', '__secure-s', '__SECURE-']) {
    throwsCode(() => serializeCookie(name, 'v', { domain: 'example.com' }), 'ERR_COOKIE_PREFIX', /__Secure- prefix requires secure: true/);
    assert.equal(serializeCookie(name, 'v', { secure: true, domain: 'example.com' }), `${name}=v; Domain=example.com; Secure`);
  }
});

test('a deletion sends an empty value, Max-Age=0 and an Expires in 1970 with the same scope and flags', () => {
  assert.equal(serializeCookieDeletion('n'), 'n=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  assert.equal(
    serializeCookieDeletion('__Host-session', { ...SECURE_HOST, partitioned: true }),
    '__Host-session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax; Partitioned',
  );
  assert.equal(
    serializeCookieDeletion('id', { domain: 'example.com', path: '/app', maxAge: 999, expires: new Date() } as CookieOptions),
    'id=; Path=/app; Domain=example.com; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
  );
});

test('a deletion obeys the same name, prefix and attribute rules a browser applies to it', () => {
  throwsCode(() => serializeCookieDeletion('a b'), 'ERR_COOKIE_NAME_INVALID');
  throwsCode(() => serializeCookieDeletion('__Host-s', { path: '/' }), 'ERR_COOKIE_PREFIX');
  throwsCode(() => serializeCookieDeletion('__Secure-s'), 'ERR_COOKIE_PREFIX');
  throwsCode(() => serializeCookieDeletion('n', { sameSite: 'None' }), 'ERR_COOKIE_ATTRIBUTE_INVALID');
  throwsCode(() => serializeCookieDeletion('n', { path: 'x' }), 'ERR_COOKIE_ATTRIBUTE_INVALID');
});

test('a prepared cookie writes exactly what serializeCookie writes for its options and the Max-Age given', () => {
  const optionSets: CookieOptions[] = [
    {},
    SECURE_HOST,
    { ...SECURE_HOST, maxAge: 60, priority: 'Low' },
    { domain: 'example.com', path: '/app', secure: true, sameSite: 'None', partitioned: true, expires: new Date(Date.UTC(2027, 0, 2)) },
  ];
  for (const options of optionSets) {
    const name = options.path === '/' ? '__Host-s' : 'sid';
    const build = prepareCookie(name, options);
    for (const value of ['', 'v.1-_', 'x'.repeat(300)]) {
      assert.equal(build(value), serializeCookie(name, value, options));
      for (const maxAge of [0, 1800, MAX_COOKIE_AGE + 1]) assert.equal(build(value, maxAge), serializeCookie(name, value, { ...options, maxAge }));
    }
  }
});

test('a prepared cookie checks the name and attributes once, and the value and Max-Age on every call', () => {
  throwsCode(() => prepareCookie('bad name', {}), 'ERR_COOKIE_NAME_INVALID');
  throwsCode(() => prepareCookie('__Host-s', { path: '/' }), 'ERR_COOKIE_PREFIX');
  throwsCode(() => prepareCookie('s', { maxAge: -1 }), 'ERR_COOKIE_ATTRIBUTE_INVALID');
  throwsCode(() => prepareCookie('s', { expires: new Date(Number.NaN) }), 'ERR_COOKIE_ATTRIBUTE_INVALID');
  const build = prepareCookie('s', { path: '/' });
  throwsCode(() => build('a;b'), 'ERR_COOKIE_VALUE_INVALID');
  throwsCode(() => build('x'.repeat(5000)), 'ERR_COOKIE_TOO_LARGE');
  throwsCode(() => build('v', 1.5), 'ERR_COOKIE_ATTRIBUTE_INVALID');
});
