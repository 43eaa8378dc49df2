// The CSRF half of the shared suite: the harness turns the adapter's CSRF protection on
// (`csrf: true`: form field `_csrf`, header `x-csrf-token`, the guard's defaults) and serves
// `GET /token`. Every refusal is a 403 that never reaches the route.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Harness } from './harness.js';
import { Client, type Reply } from './cookie-jar.js';
import { mount, ok, type StoreKind } from './suite-setup.js';

const SAME = { 'sec-fetch-site': 'same-origin' };
const FORM = 'application/x-www-form-urlencoded';

async function tokenOf(client: Client): Promise<string> {
  const reply = await client.get('/token');
  assert.equal(reply.status, 200);
  const token = (reply.body as { token?: unknown }).token;
  assert.equal(typeof token, 'string', `GET /token answers { token }: ${JSON.stringify(reply.body)}`);
  return token as string;
}

function postForm(client: Client, path: string, fields: Record<string, string>, headers: Record<string, string> = SAME): Promise<Reply> {
  return client.post(path, { 'content-type': FORM, ...headers }, new URLSearchParams(fields).toString());
}

function multipart(fields: Record<string, string>): { type: string; body: string } {
  const boundary = '----cachet-suite';
  let body = '';
  for (const [name, value] of Object.entries(fields)) body += `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  return { type: `multipart/form-data; boundary=${boundary}`, body: `${body}--${boundary}--\r\n` };
}

/** Registers the CSRF tests for `harness` (sessionSuite calls it). */
export function csrfSuite(harness: Harness): void {
  const it = (title: string, fn: (t: TestContext) => Promise<void>) => test(`${harness.name}: csrf: ${title}`, fn);

  async function setup(t: TestContext, kind: StoreKind = 'sealed') {
    const mounted = await mount(t, harness, kind, { csrf: true });
    return { ...mounted, token: await tokenOf(mounted.client) };
  }

  /** The count the session holds now: proves a refused request never reached the route. */
  async function count(client: Client): Promise<number | null> {
    return ok(await client.get('/a/read')).count;
  }

  for (const kind of ['sealed', 'memory'] as const) {
    it(`${kind}: the token in the urlencoded form field is accepted`, async (t) => {
      const { client, token } = await setup(t, kind);
      assert.equal(ok(await postForm(client, '/a/inc', { _csrf: token, note: 'hi' })).count, 1);
      assert.equal(ok(await postForm(client, '/a/inc', { note: 'first', _csrf: await tokenOf(client) })).count, 2, 'each fresh mask is accepted');
    });

    it(`${kind}: a form without the token is refused with 403`, async (t) => {
      const { client } = await setup(t, kind);
      assert.equal((await postForm(client, '/a/inc', { note: 'hi' })).status, 403);
      assert.equal((await client.post('/a/inc', SAME)).status, 403, 'no body at all');
      assert.equal(await count(client), null);
    });
  }

  it('the token in the x-csrf-token header is accepted, whatever the body', async (t) => {
    const { client, token } = await setup(t);
    assert.equal(ok(await client.post('/a/inc', { 'x-csrf-token': token, ...SAME })).count, 1);
    assert.equal(ok(await client.post('/a/inc', { 'x-csrf-token': token, 'content-type': 'application/json', ...SAME }, '{"a":1}')).count, 2);
  });

  it("another session's token is refused with 403", async (t) => {
    const { client, url } = await setup(t);
    const other = await tokenOf(new Client(url));
    assert.equal((await postForm(client, '/a/inc', { _csrf: other })).status, 403);
    assert.equal((await client.post('/a/inc', { 'x-csrf-token': other, ...SAME })).status, 403);
    assert.equal(await count(client), null);
  });

  it('a malformed token is refused with 403, never a 500', async (t) => {
    const { client, token } = await setup(t);
    for (const bad of ['', 'x', '%%%', `${token}AA`, 'A'.repeat(86), token.slice(0, -1)]) {
      assert.equal((await postForm(client, '/a/inc', { _csrf: bad })).status, 403, `form ${bad.slice(0, 8)}`);
      assert.equal((await client.post('/a/inc', { 'x-csrf-token': bad, ...SAME })).status, 403, `header ${bad.slice(0, 8)}`);
    }
  });

  it('Sec-Fetch-Site: cross-site is refused with 403 even with a good token', async (t) => {
    const { client, token } = await setup(t);
    assert.equal((await client.post('/a/inc', { 'x-csrf-token': token, 'sec-fetch-site': 'cross-site' })).status, 403);
    assert.equal((await postForm(client, '/a/inc', { _csrf: token }, { 'sec-fetch-site': 'same-site' })).status, 403, 'same-site is off by default');
    assert.equal(await count(client), null);
  });

  it('a foreign Origin is refused with 403; the server\'s own origin passes', async (t) => {
    const { client, token, url } = await setup(t);
    assert.equal((await client.post('/a/inc', { 'x-csrf-token': token, origin: 'https://evil.example' })).status, 403);
    assert.equal((await client.post('/a/inc', { 'x-csrf-token': token, origin: 'null' })).status, 403);
    assert.equal(await count(client), null);
    assert.equal(ok(await client.post('/a/inc', { 'x-csrf-token': token, origin: url })).count, 1);
  });

  it('a multipart body is never searched for the token: without the header it is refused with 403', async (t) => {
    const { client, token } = await setup(t);
    // The note would hand the token to a guard that parsed this body as urlencoded.
    const form = multipart({ _csrf: token, note: `x&_csrf=${token}&y` });
    assert.equal((await client.post('/a/inc', { 'content-type': form.type, ...SAME }, form.body)).status, 403);
    assert.equal(await count(client), null);
  });

  it('GET is never checked', async (t) => {
    const { client } = await setup(t);
    assert.equal(ok(await client.get('/a/inc', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' })).count, 1);
  });

  it('a token from before regenerate() (the login) is refused after it', async (t) => {
    const { client, token } = await setup(t);
    const login = await postForm(client, '/a/login', { _csrf: token });
    assert.equal(login.status, 302);
    assert.equal((await postForm(client, '/a/inc', { _csrf: token })).status, 403);
    assert.equal(ok(await postForm(client, '/a/inc', { _csrf: await tokenOf(client) })).count, 1);
  });
}
