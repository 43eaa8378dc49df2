import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBase64url, encodeBase64url } from '../../src/bytes/base64url.js';
import type { Session } from '../../src/session/core/session.js';
import type { SessionValues } from '../../src/session/core/session-record.js';
import { CsrfGuard } from '../../src/web/csrf-guard.js';
import { csrfTokenProperty } from '../../src/web/csrf-token-property.js';

/** A stand-in session: its token, and how many times a token was asked for. */
function session(secret: Uint8Array | undefined) {
  const s = {
    asked: 0,
    csrfToken(): string {
      s.asked++;
      secret ??= new Uint8Array(32).fill(7);
      return encodeBase64url(secret);
    },
  };
  return s;
}
const asSession = (s: ReturnType<typeof session>) => s as unknown as Session<SessionValues>;
const unmask = (token: unknown): Uint8Array => {
  const bytes = decodeBase64url(String(token)) ?? new Uint8Array(0);
  return bytes.subarray(32).map((b, i) => b ^ (bytes[i] ?? 0));
};

test('the token is masked on first read only: a request that never reads it never asks the session for one', () => {
  const define = csrfTokenProperty(new CsrfGuard(), 'csrfToken');
  const unread = session(undefined);
  define({}, asSession(unread));
  assert.equal(unread.asked, 0, 'an anonymous visitor gets no token, so no session, for a page without a form');
  const read = session(new Uint8Array(32).fill(1));
  const target: Record<string, unknown> = {};
  define(target, asSession(read));
  const first = target['csrfToken'];
  assert.equal(target['csrfToken'], first, 'the same masked string for the rest of the request');
  assert.equal(read.asked, 1);
  assert.deepEqual(unmask(first), new Uint8Array(32).fill(1));
});

test('one getter serves every request of a definer, each reading its own session', () => {
  const define = csrfTokenProperty(new CsrfGuard(), 'token');
  const a: Record<string, unknown> = {};
  const b: Record<string, unknown> = {};
  define(a, asSession(session(new Uint8Array(32).fill(1))));
  define(b, asSession(session(new Uint8Array(32).fill(2))));
  assert.equal(Object.getOwnPropertyDescriptor(a, 'token')?.get, Object.getOwnPropertyDescriptor(b, 'token')?.get);
  assert.deepEqual(unmask(a['token']), new Uint8Array(32).fill(1));
  assert.deepEqual(unmask(b['token']), new Uint8Array(32).fill(2));
});

test('the property is own and enumerable (a spread carries the token), and a second definer may define it again', () => {
  const target: Record<string, unknown> = {};
  csrfTokenProperty(new CsrfGuard(), 'csrfToken')(target, asSession(session(new Uint8Array(32).fill(1))));
  assert.deepEqual(Object.keys(target), ['csrfToken']);
  assert.match(String({ ...target }['csrfToken']), /^[A-Za-z0-9_-]{86}$/);
  csrfTokenProperty(new CsrfGuard(), 'csrfToken')(target, asSession(session(new Uint8Array(32).fill(9))));
  assert.deepEqual(unmask(target['csrfToken']), new Uint8Array(32).fill(9));
});
