import { test } from 'node:test';
import assert from 'node:assert/strict';
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
