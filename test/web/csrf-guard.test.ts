// CsrfGuard on its own, as an adapter sees it: the parts that no wrapper (csrf(), the adapters)
// makes observable, because each wrapper checks the method, reads the form or names itself first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsrfGuard, type CsrfRequest } from '../../src/web/csrf-guard.js';
import { csrf } from '../../src/http/csrf.js';
import { encodeBase64url } from '../../src/bytes/base64url.js';
import { SessionError } from '../../src/errors.js';
import type { Session } from '../../src/session/core/session.js';
import type { SessionValues } from '../../src/session/core/session-record.js';

const SECRET = new Uint8Array(32).map((_, i) => i + 7);

/** A session stand-in holding SECRET as its CSRF token. */
function session(): Session<SessionValues> {
  const token = encodeBase64url(SECRET);
  return { csrfToken: () => token, toRecord: () => ({ k: token }) } as unknown as Session<SessionValues>;
}

/** pad ‖ (pad XOR secret) with a zero pad: a masked token the guard accepts. */
function masked(): string {
  const out = new Uint8Array(64);
  out.set(SECRET, 32);
  return encodeBase64url(out);
}

function request(method: string, headers: Record<string, string>, formField?: CsrfRequest['formField']): CsrfRequest {
  return { method, header: (name) => headers[name], ...(formField !== undefined ? { formField } : {}) };
}

test('the guard answers ok for GET, HEAD, OPTIONS and TRACE without any token or origin check', async () => {
  const guard = new CsrfGuard();
  for (const method of ['GET', 'HEAD', 'OPTIONS', 'TRACE']) {
    assert.equal(await guard.check(request(method, { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }), session()), 'ok', method);
  }
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND', 'get']) {
    assert.equal(await guard.check(request(method, { 'sec-fetch-site': 'cross-site' }), session()), 'cross-site', `${method} is checked`);
    assert.equal(await guard.check(request(method, { 'sec-fetch-site': 'same-origin' }), session()), 'bad-token', `${method} needs the token`);
  }
});

test('a header option given in capitals is looked up lowercased, as Node and fetch name headers', async () => {
  const guard = new CsrfGuard({ header: 'X-My-Token' });
  assert.equal(guard.header, 'x-my-token');
  assert.equal(await guard.check(request('POST', { 'sec-fetch-site': 'same-origin', 'x-my-token': masked() }), session()), 'ok');
});

test('a form field an adapter returns synchronously is checked like one it returns as a promise', async () => {
  const guard = new CsrfGuard();
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  assert.equal(await guard.check(request('POST', form, () => masked()), session()), 'ok');
  assert.equal(await guard.check(request('POST', form, async () => masked()), session()), 'ok');
  assert.equal(await guard.check(request('POST', form, () => 'not-the-token'), session()), 'bad-token');
});

test('without allowedOrigins a cross-site request is refused whatever Origin it names', async () => {
  const guard = new CsrfGuard();
  for (const origin of ['https://evil.example', 'Stryker was here', 'null', '']) {
    assert.equal(await guard.check(request('POST', { 'sec-fetch-site': 'cross-site', origin, 'x-csrf-token': masked() }), session()), 'cross-site', origin);
  }
  const allowed = new CsrfGuard({ allowedOrigins: ['https://admin.example'] });
  assert.equal(await allowed.check(request('POST', { 'sec-fetch-site': 'cross-site', origin: 'https://admin.example', 'x-csrf-token': masked() }), session()), 'ok');
});

test('an unknown CsrfGuard option is refused, naming CsrfGuard and the key', () => {
  assert.throws(
    () => new CsrfGuard({ allowedOrigin: ['https://a.example'] } as never),
    (err: unknown) => err instanceof SessionError && err.code === 'ERR_OPTIONS_UNKNOWN' && /^CsrfGuard: unknown option "allowedOrigin"/.test(err.message),
  );
});

test('an unknown csrf() option is refused, naming csrf and the key', () => {
  const store = { get: async () => session() } as unknown as Parameters<typeof csrf>[0]['store'];
  assert.throws(
    () => csrf({ store, feild: '_csrf' } as never),
    (err: unknown) => err instanceof SessionError && err.code === 'ERR_OPTIONS_UNKNOWN' && /^csrf: unknown option "feild"/.test(err.message),
  );
});
