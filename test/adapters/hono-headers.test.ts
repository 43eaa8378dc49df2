// Where cachet/hono reads the request's headers from. On @hono/node-server it takes Node's own
// header object from `c.env.incoming` (no fetch `Headers` is built for it); everywhere else, and
// when `c.env` only looks like that, it reads `c.req.raw.headers`. Both must give the same session.
// The node-server path also runs under the whole shared suite (hono.test.ts).
// The CSRF check, too, reads the fetch headers there, and with no Host header takes the URL's host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { CookieStore, Keyring, generateKey } from '../../src/index.js';
import { csrf, csrfToken, sessions } from '../../src/adapters/hono/index.js';
import type { SuiteValues } from './harness.js';
import type { Env } from './hono-harness.js';

const keyring = await Keyring.create([generateKey('k1')]);
const COOKIE = '__Host-session';

/** A counter app: each GET /count adds one and answers the new count. */
function counterApp(): Hono<Env> {
  const app = new Hono<Env>();
  app.use(sessions({ store: new CookieStore<SuiteValues>({ keyring }) }));
  app.get('/count', (c) => {
    const values = c.get('session').values;
    values.count = (values.count ?? 0) + 1;
    return c.json({ count: values.count });
  });
  return app;
}

/** The `name=value` of the session cookie a response set. */
function cookieOf(response: Response): string {
  const line = response.headers.getSetCookie().find((header) => header.startsWith(`${COOKIE}=`));
  assert.ok(line !== undefined, 'the response sets the session cookie');
  return line.slice(0, line.indexOf(';'));
}

test('without Node underneath (app.request, as on Deno, Bun or Workers) the session is read from the fetch headers', async () => {
  const app = counterApp();
  const first = await app.request('/count');
  assert.deepEqual(await first.json(), { count: 1 });
  const second = await app.request('/count', { headers: { cookie: cookieOf(first) } });
  assert.deepEqual(await second.json(), { count: 2 });
});

test('a Workers binding called `incoming` is not taken for Node’s request: the fetch headers are read', async () => {
  const app = counterApp();
  const first = await app.request('/count');
  // A KV namespace or a plain object bound as `incoming`, with no Node request fields.
  const env = { incoming: { headers: { cookie: `${COOKIE}=forged` } } };
  const second = await app.request('/count', { headers: { cookie: cookieOf(first) } }, env);
  assert.deepEqual(await second.json(), { count: 2 }, 'the cookie of the real request was read');
});

test('when c.env.incoming is Node’s request (as @hono/node-server passes it), its headers are the ones read', async () => {
  const app = counterApp();
  const first = await app.request('/count');
  // The fetch request carries no cookie: only Node's header object has it.
  const env = { incoming: { httpVersion: '1.1', headers: { cookie: cookieOf(first) } }, outgoing: {} };
  const second = await app.request('/count', {}, env);
  assert.deepEqual(await second.json(), { count: 2 });
});


test('csrf() without a Host header (app.request, as on Workers) compares Origin with the request URL\'s host', async () => {
  const app = new Hono<Env>();
  app.use(sessions({ store: new CookieStore<SuiteValues>({ keyring }) }));
  app.use(csrf());
  app.get('/token', (c) => c.text(csrfToken(c)));
  app.post('/inc', (c) => c.text('ok'));
  const first = await app.request('http://app.test/token');
  const token = await first.text();
  const post = (origin: string) => app.request('http://app.test/inc', { method: 'POST', headers: { origin, cookie: cookieOf(first), 'x-csrf-token': token } });
  assert.equal((await post('http://app.test')).status, 200, 'same origin as the URL');
  assert.equal((await post('http://evil.test')).status, 403, 'another origin');
});
