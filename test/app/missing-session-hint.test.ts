import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { explainMissingSession, NO_SESSION_COOKIE } from '../../src/app/missing-session-hint.js';
import type { Context } from '../../src/http/context.js';
import { HttpError } from '../../src/http/http-error.js';
import type { Middleware, Next } from '../../src/http/types.js';
import { PASSWORD, startApp } from '../helpers/app-harness.js';

test('a form post without any session cookie gets a 403 and a log line that point to TLS or --insecure-cookies', async () => {
  const h = await startApp();
  // What a browser does over plain HTTP on a LAN name: it dropped the Secure cookie, so the post
  // arrives with the form's token and no cookie at all.
  const res = await h.browser().post('/login', { username: 'demo', password: PASSWORD, _csrf: 'token-from-the-form' });
  assert.equal(res.status, 403);
  assert.match(res.body, /The request carried no session cookie/);
  assert.match(res.body, /HTTPS \(TLS\), or start it with --insecure-cookies/);
  assert.ok(h.logs.some((l) => l === 'csrf: POST /login refused: no __Host-session cookie in the request (a Secure cookie over plain HTTP? use TLS or --insecure-cookies)'), h.logs.join('\n'));
});

test('a forged token with a session cookie keeps the plain CSRF 403, without the cookie hint', async () => {
  const h = await startApp();
  const browser = h.browser();
  await browser.get('/login');
  const res = await browser.post('/login', { username: 'demo', password: PASSWORD, _csrf: 'forged' });
  assert.equal(res.status, 403);
  assert.match(res.body, /invalid CSRF token/);
  assert.doesNotMatch(res.body, /no session cookie/);
  assert.ok(!h.logs.some((l) => l.startsWith('csrf:')));
});

test('names the unprefixed cookie in the hint when the app runs with insecure cookies', async () => {
  const h = await startApp({ insecureCookies: true });
  const res = await h.browser().post('/logout', { _csrf: 'x' });
  assert.equal(res.status, 403);
  assert.ok(h.logs.some((l) => l.startsWith('csrf: POST /logout refused: no session cookie in the request')), h.logs.join('\n'));
});

// The wrapper alone, around a stand-in for csrf() whose refusal the test decides.
describe('explainMissingSession', () => {
  const NAMES = ['__Host-session', '__Host-visitor'];
  const refusal = () => new HttpError(403, 'Forbidden: invalid CSRF token');
  function request(method: string, cookies: Record<string, string> = {}): Context {
    return { method, path: '/login', cookies } as unknown as Context;
  }
  async function outcome(ctx: Context, inner: Middleware, next: Next = async () => undefined) {
    const logs: string[] = [];
    const wrapped = explainMissingSession(inner, NAMES, (line) => logs.push(line));
    try {
      await wrapped(ctx, next);
      return { error: undefined, logs };
    } catch (error) {
      return { error, logs };
    }
  }

  it('rewrites csrf()\'s refusal of a post that carried none of the session cookies, naming each, and keeps the original as its cause', async () => {
    const original = refusal();
    const { error, logs } = await outcome(request('POST', { other: '1' }), () => { throw original; });
    assert.ok(error instanceof HttpError);
    assert.equal(error.status, 403);
    assert.equal(error.publicMessage, NO_SESSION_COOKIE);
    assert.equal(error.cause, original);
    assert.deepEqual(logs, ['csrf: POST /login refused: no __Host-session or __Host-visitor cookie in the request (a Secure cookie over plain HTTP? use TLS or --insecure-cookies)']);
  });

  it('leaves the refusal as it is when any one of the session cookies came, whole or as a chunk', async () => {
    for (const cookies of [{ '__Host-visitor': 'v' }, { '__Host-session': 's' }, { '__Host-session.0': 'a', '__Host-session.1': 'b' }]) {
      const original = refusal();
      const { error, logs } = await outcome(request('POST', cookies), () => { throw original; });
      assert.equal(error, original, JSON.stringify(cookies));
      assert.deepEqual(logs, []);
    }
    // A cookie that only begins with the name is another cookie.
    const { error } = await outcome(request('POST', { '__Host-sessionx': 's' }), () => { throw refusal(); });
    assert.equal((error as HttpError).publicMessage, NO_SESSION_COOKIE);
  });

  it('leaves every other error as it is: not an HttpError, another status, another 403, or thrown after csrf() passed', async () => {
    const others: [string, unknown][] = [
      ['a TypeError', new TypeError('boom')],
      ['a 503', new HttpError(503, 'Service Unavailable')],
      ['a 403 of another kind', new HttpError(403, 'Forbidden: cross-site request')],
      ['another status that names the CSRF token', new HttpError(400, 'Bad Request: malformed CSRF token')],
    ];
    for (const [what, thrown] of others) {
      const { error, logs } = await outcome(request('POST'), () => { throw thrown; });
      assert.equal(error, thrown, what);
      assert.deepEqual(logs, [], what);
    }
    const late = refusal();
    const { error, logs } = await outcome(request('POST'), (_ctx, next) => next(), () => { throw late; });
    assert.equal(error, late, 'a handler after csrf() threw it: not csrf()\'s refusal');
    assert.deepEqual(logs, []);
  });

  it('hands a GET to csrf() with the route\'s own next: a safe method pays for no wrapper', async () => {
    const next: Next = async () => undefined;
    let seen: Next | undefined;
    const { error } = await outcome(request('GET'), (_ctx, n) => { seen = n; return n(); }, next);
    assert.equal(error, undefined);
    assert.equal(seen, next);
    let wrapped: Next | undefined;
    await outcome(request('POST', { '__Host-session': 's' }), (_ctx, n) => { wrapped = n; return n(); }, next);
    assert.notEqual(wrapped, next, 'an unsafe method goes through the wrapper, which must know whether csrf() passed');
  });
});
