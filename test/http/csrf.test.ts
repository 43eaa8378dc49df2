import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../../src/http/app.js';
import { csrf } from '../../src/http/csrf.js';
import { CookieStore } from '../../src/session/cookie-store/cookie-store.js';
import { Keyring } from '../../src/keys/keyring.js';
import { generateKey } from '../../src/keys/generate.js';
import { decodeBase64url, encodeBase64url } from '../../src/bytes/base64url.js';
import { Browser } from '../session/harness.js';
import { start, type Running } from './helpers.js';

const keyring = await Keyring.create([generateKey('k')]);

function makeApp(options: Partial<Parameters<typeof csrf>[0]> = {}) {
  const store = new CookieStore<{ user?: string }>({ keyring, now: () => Date.UTC(2026, 10, 26) });
  const app = createApp({ accessLog: false, logger: { error: () => {} } });
  app.use(csrf({ store, ...options }));
  app.get('/form', (ctx) => ctx.text(String(ctx.state['csrfToken'])));
  app.get('/plain', (ctx) => ctx.text('no form here'));
  app.post('/submit', async (ctx) => {
    const form = await ctx.readForm();
    ctx.text(`ok ${form.get('msg') ?? ''}`);
  });
  app.post('/api', async (ctx) => ctx.json({ ok: true, body: await ctx.readJson() }));
  app.post('/upload', (ctx) => ctx.text('uploaded'));
  app.post('/login', async (ctx) => {
    const session = await store.get(ctx, 'session');
    session.regenerate();
    session.values.user = 'alice';
    ctx.redirect('/');
  });
  return app;
}

const SAME = { 'sec-fetch-site': 'same-origin' };
const form = (token: string, extra: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...SAME, ...extra },
  body: new URLSearchParams({ _csrf: token, msg: 'hi' }).toString(),
});

describe('csrf()', () => {
  let server: Running;
  let sameSite: Running;
  let base: string;
  before(async () => {
    server = await start(makeApp());
    sameSite = await start(makeApp({ allowSameSite: true, allowedOrigins: ['https://admin.example.com'] }));
    base = `http://127.0.0.1:${server.port}`;
  });
  after(async () => {
    await server.close();
    await sameSite.close();
  });

  async function withToken(url = base): Promise<{ browser: Browser; token: string }> {
    const browser = new Browser(url);
    const r = await browser.get('/form');
    return { browser, token: String(r.body) };
  }

  test('a page without a form sets no cookie; asking for the token creates the pre-session', async () => {
    const browser = new Browser(base);
    assert.deepEqual((await browser.get('/plain')).setCookies, []);
    const r = await browser.get('/form');
    assert.match(String(r.body), /^[A-Za-z0-9_-]{86}$/);
    assert.equal(r.setCookies.length, 1);
  });

  test('the token is masked afresh on each page, and each mask is accepted', async () => {
    const { browser, token } = await withToken();
    const again = String((await browser.get('/form')).body);
    assert.notEqual(again, token);
    assert.equal((await browser.request('/submit', form(token))).body, 'ok hi');
    assert.equal((await browser.request('/submit', form(again))).body, 'ok hi', 'the handler still reads the form');
  });

  test('accepts the token in the x-csrf-token header', async () => {
    const { browser, token } = await withToken();
    const r = await browser.request('/api', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': token, ...SAME }, body: '{"a":1}' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { ok: true, body: { a: 1 } });
  });

  test('rejects a missing, wrong, malformed or foreign token with 403', async () => {
    const { browser, token } = await withToken();
    const other = await withToken();
    const flipped = (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
    for (const bad of ['', 'x', flipped, other.token, '%%%', token + 'AA', 'A'.repeat(86)]) {
      assert.equal((await browser.request('/submit', form(bad))).status, 403, `token ${bad.slice(0, 8)}`);
    }
    const noField = await browser.request('/submit', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...SAME }, body: 'msg=hi' });
    assert.equal(noField.status, 403);
    const json = await browser.request('/api', { method: 'POST', headers: { 'content-type': 'application/json', ...SAME }, body: '{}' });
    assert.equal(json.status, 403);
  });

  // Planted-bug guard: a compare cut to its first byte (or to its last, by assigning instead of
  // OR-accumulating the difference) lets a foreign token through 1 time in 256. Each of the 32
  // secret bytes is changed on its own, in every bit, so every byte of the compare is exercised.
  test('refuses a token whose secret differs from the session secret in any one byte, first, middle or last', async () => {
    const { browser, token } = await withToken();
    const bytes = decodeBase64url(token);
    assert.ok(bytes !== null && bytes.length === 64);
    const refused: number[] = [];
    for (let i = 0; i < 32; i++) {
      for (let bit = 0; bit < 8; bit += 7) {
        const changed: Uint8Array = new Uint8Array(bytes);
        changed[32 + i] = (changed[32 + i] as number) ^ (1 << bit); // the masked half only: the secret changes
        const r = await browser.request('/submit', form(encodeBase64url(changed)));
        if (r.status === 403) refused.push(i);
      }
    }
    assert.equal(refused.length, 64, `every one-byte change must be refused; refused at ${refused.join(',')}`);
  });

  test('accepts the same secret under another pad: changing a pad byte and its masked byte together', async () => {
    const { browser, token } = await withToken();
    const bytes = decodeBase64url(token);
    assert.ok(bytes !== null);
    for (const i of [0, 17, 31]) {
      const remasked: Uint8Array = new Uint8Array(bytes);
      remasked[i] = (remasked[i] as number) ^ 0x5a;
      remasked[32 + i] = (remasked[32 + i] as number) ^ 0x5a;
      assert.equal((await browser.request('/submit', form(encodeBase64url(remasked)))).body, 'ok hi', `pad byte ${i}`);
    }
  });

  // docs/sessions.md: csrf() reads the token from a url-encoded form only; a multipart body is not
  // parsed (it may be large, and streamed by the handler), so it must carry the header.
  test('a multipart body needs the token in the x-csrf-token header: a _csrf part in the body is not read', async () => {
    const { browser, token } = await withToken();
    const boundary = 'cachetboundary';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n--${boundary}--\r\n`;
    const type = `multipart/form-data; boundary=${boundary}`;
    const inBody = await browser.request('/upload', { method: 'POST', headers: { 'content-type': type, ...SAME }, body });
    assert.equal(inBody.status, 403);
    const inHeader = await browser.request('/upload', { method: 'POST', headers: { 'content-type': type, 'x-csrf-token': token, ...SAME }, body });
    assert.equal(inHeader.status, 200);
    assert.equal(inHeader.body, 'uploaded');
  });

  test('rejects any token when the session never had one', async () => {
    const { token } = await withToken();
    const fresh = new Browser(base);
    assert.equal((await fresh.request('/submit', form(token))).status, 403);
  });

  test('checks where the request comes from: Sec-Fetch-Site, then Origin', async () => {
    const { browser, token } = await withToken();
    const cases: Array<[Record<string, string>, number]> = [
      [{ 'sec-fetch-site': 'cross-site' }, 403],
      [{ 'sec-fetch-site': 'same-site' }, 403],
      [{ 'sec-fetch-site': 'none' }, 200],
      [{ 'sec-fetch-site': '' , origin: `http://127.0.0.1:${server.port}` }, 403],
    ];
    for (const [headers, status] of cases) {
      assert.equal((await browser.request('/submit', form(token, headers))).status, status, JSON.stringify(headers));
    }
    const noFetchMetadata = async (origin: string | undefined) => {
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
      if (origin !== undefined) headers['origin'] = origin;
      return (await browser.request('/submit', { method: 'POST', headers, body: new URLSearchParams({ _csrf: token }).toString() })).status;
    };
    assert.equal(await noFetchMetadata(`http://127.0.0.1:${server.port}`), 200);
    assert.equal(await noFetchMetadata(undefined), 200, 'a non-browser client: the token decides');
    assert.equal(await noFetchMetadata('https://evil.example'), 403);
    assert.equal(await noFetchMetadata('null'), 403);
    assert.equal(await noFetchMetadata('not a url'), 403);
  });

  test('allowSameSite and allowedOrigins widen the source check', async () => {
    const url = `http://127.0.0.1:${sameSite.port}`;
    const { browser, token } = await withToken(url);
    assert.equal((await browser.request('/submit', form(token, { 'sec-fetch-site': 'same-site' }))).status, 200);
    assert.equal((await browser.request('/submit', form(token, { 'sec-fetch-site': 'cross-site', origin: 'https://admin.example.com' }))).status, 200);
    assert.equal((await browser.request('/submit', form(token, { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }))).status, 403);
    const noFetchMetadata = await browser.request('/submit', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://admin.example.com' }, body: new URLSearchParams({ _csrf: token }).toString() });
    assert.equal(noFetchMetadata.status, 200);
  });

  test('login CSRF: the pre-session token guards the login form, and login replaces it', async () => {
    const { browser, token } = await withToken();
    assert.equal((await browser.request('/login', { method: 'POST', headers: SAME })).status, 403, 'no token, no login');
    const login = await browser.request('/login', form(token));
    assert.equal(login.status, 303);
    assert.equal(login.setCookies.length, 1, 'the regenerated session is on the redirect');
    assert.equal((await browser.request('/submit', form(token))).status, 403, 'the pre-login token is dead');
    const fresh = String((await browser.get('/form')).body);
    assert.equal((await browser.request('/submit', form(fresh))).status, 200);
  });

  test('a second csrf() in the chain, after a middleware read the first one\'s token, answers the page and its token is accepted', async () => {
    const store = new CookieStore<{ user?: string }>({ keyring, now: () => Date.UTC(2026, 10, 26) });
    const app = createApp({ accessLog: false, logger: { error: () => {} } });
    app.use(csrf({ store }));
    // The first csrf() found no token and left an accessor; reading it creates the token.
    app.use((ctx, next) => {
      void ctx.state['csrfToken'];
      return next();
    });
    app.use(csrf({ store }));
    app.get('/form', (ctx) => ctx.text(String(ctx.state['csrfToken'])));
    app.post('/submit', (ctx) => ctx.text('ok'));
    const running = await start(app);
    try {
      const browser = new Browser(`http://127.0.0.1:${running.port}`);
      const page = await browser.get('/form');
      assert.equal(page.status, 200);
      const token = String(page.body);
      assert.equal(decodeBase64url(token)?.length, 64);
      assert.equal((await browser.request('/submit', form(token))).status, 200);
    } finally {
      await running.close();
    }
  });

  test('needs a store', () => {
    assert.throws(() => csrf({} as Parameters<typeof csrf>[0]), TypeError);
  });
});

// The middleware alone, on a stand-in request and session: what it reads and what it creates is
// then visible to the test.
describe('csrf() on a stand-in request', () => {
  const SECRET = new Uint8Array(32).map((_, i) => i + 1);

  /** pad ‖ (pad XOR secret) with a zero pad: the masked form the middleware accepts. */
  function maskedWithZeroPad(secret: Uint8Array, length = 32): string {
    const out = new Uint8Array(length * 2);
    out.set(secret.subarray(0, length), length);
    return encodeBase64url(out);
  }

  function fakeSession(token: string | undefined) {
    const session = {
      created: 0,
      csrfToken(): string {
        if (token === undefined) {
          session.created++;
          token = encodeBase64url(SECRET);
        }
        return token;
      },
      toRecord: () => ({ k: token }),
    };
    return session;
  }

  function run(session: ReturnType<typeof fakeSession>, request: { method: string; headers?: Record<string, string>; form?: Record<string, string> }) {
    const store = { get: async () => session } as unknown as Parameters<typeof csrf>[0]['store'];
    const ctx = {
      method: request.method,
      headers: request.headers ?? {},
      state: {} as Record<string, unknown>,
      readForm: async () => new URLSearchParams(request.form ?? {}),
    };
    let reached = false;
    const done = Promise.resolve(
      csrf({ store })(ctx as never, async () => {
        reached = true;
      }),
    ).then(() => reached);
    return { ctx, done };
  }

  test('lets HEAD, OPTIONS and TRACE through without a token or a source, like GET', async () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'TRACE']) {
      assert.equal(await run(fakeSession(undefined), { method, headers: { 'sec-fetch-site': 'cross-site' } }).done, true, method);
    }
  });

  test('a session token that is not 32 bytes matches nothing, not even its zero-padded mask', async () => {
    const short = SECRET.subarray(0, 16);
    const session = fakeSession(encodeBase64url(short));
    const padded = new Uint8Array(32);
    padded.set(short);
    const sent = maskedWithZeroPad(padded);
    await assert.rejects(run(session, { method: 'POST', headers: { 'x-csrf-token': sent, ...SAME } }).done, { status: 403 });
    const good = fakeSession(encodeBase64url(SECRET));
    assert.equal(await run(good, { method: 'POST', headers: { 'x-csrf-token': maskedWithZeroPad(SECRET), ...SAME } }).done, true);
  });

  test('refuses an unsafe request from a session that never had a token without creating one', async () => {
    const session = fakeSession(undefined);
    await assert.rejects(run(session, { method: 'POST', headers: { 'x-csrf-token': maskedWithZeroPad(SECRET), ...SAME } }).done, { status: 403 });
    assert.equal(session.created, 0, 'a refused request planted a token in the session');
  });

  test('a token in the header is used even on a form post whose body has no _csrf field', async () => {
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': maskedWithZeroPad(SECRET), ...SAME };
    assert.equal(await run(fakeSession(encodeBase64url(SECRET)), { method: 'POST', headers, form: { msg: 'hi' } }).done, true);
  });

  test('reads the _csrf field of a form post whose content type has parameters, in any case', async () => {
    for (const type of ['application/x-www-form-urlencoded; charset=utf-8', 'Application/X-WWW-Form-Urlencoded']) {
      const headers = { 'content-type': type, ...SAME };
      assert.equal(await run(fakeSession(encodeBase64url(SECRET)), { method: 'POST', headers, form: { _csrf: maskedWithZeroPad(SECRET) } }).done, true, type);
    }
  });

  test('says why it refused: a cross-site request, or an invalid token', async () => {
    await assert.rejects(run(fakeSession(undefined), { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } }).done, { status: 403, message: 'Forbidden: cross-site request' });
    await assert.rejects(run(fakeSession(undefined), { method: 'POST', headers: SAME }).done, { status: 403, message: 'Forbidden: invalid CSRF token' });
  });

  test('the token is an enumerable state property that a second csrf() on the same request may define again', async () => {
    const session = fakeSession(encodeBase64url(SECRET));
    const { ctx, done } = run(session, { method: 'GET' });
    await done;
    assert.ok(Object.keys(ctx.state).includes('csrfToken'), 'templates that spread ctx.state see the token');
    const store = { get: async () => session } as unknown as Parameters<typeof csrf>[0]['store'];
    await csrf({ store })(ctx as never, async () => {});
    assert.match(String(ctx.state['csrfToken']), /^[A-Za-z0-9_-]{86}$/);
  });

  test('every request of one csrf() reads its own token through one shared getter, so the states share a hidden class', async () => {
    // A getter made per request gave each request's state its own hidden class, which kept the
    // request's objects alive through young GCs (docs/benchmarks.md, "Reference app").
    const sessions = [fakeSession(encodeBase64url(SECRET)), fakeSession(encodeBase64url(SECRET.map((b) => b ^ 0xff)))];
    const store = { get: async () => sessions.shift() } as unknown as Parameters<typeof csrf>[0]['store'];
    const middleware = csrf({ store });
    const states = [{}, {}] as Record<string, unknown>[];
    for (const state of states) await middleware({ method: 'GET', headers: {}, state } as never, async () => {});
    const [first, second] = states.map((state) => Object.getOwnPropertyDescriptor(state, 'csrfToken'));
    assert.equal(typeof first?.get, 'function');
    assert.equal(first?.get, second?.get);
    // Shared, yet each state unmasks to its own session's secret.
    const unmask = (token: unknown) => {
      const bytes = decodeBase64url(String(token)) ?? new Uint8Array(0);
      return bytes.subarray(32).map((b, i) => b ^ (bytes[i] ?? 0));
    };
    assert.deepEqual(unmask(states[0]?.['csrfToken']), SECRET);
    assert.deepEqual(unmask(states[1]?.['csrfToken']), SECRET.map((b) => b ^ 0xff));
    assert.deepEqual(Object.keys(states[1] ?? {}), ['csrfToken']);
  });

  test('without a store it throws a TypeError that says what is missing', () => {
    assert.throws(() => csrf({} as Parameters<typeof csrf>[0]), { name: 'TypeError', message: /options\.store must be a session store/ });
  });

  test('the session option names the session the token is checked against, and stateKey the state property', async () => {
    const names: string[] = [];
    const session = fakeSession(encodeBase64url(SECRET));
    const store = { get: async (_ctx: unknown, name: string) => (names.push(name), session) } as unknown as Parameters<typeof csrf>[0]['store'];
    const middleware = csrf({ store, session: 'admin', stateKey: 'formToken' });
    const page = { method: 'GET', headers: {}, state: {} as Record<string, unknown> };
    await middleware(page as never, async () => {});
    assert.deepEqual(Object.keys(page.state), ['formToken']);
    assert.match(String(page.state['formToken']), /^[A-Za-z0-9_-]{86}$/);
    let reached = false;
    const post = { method: 'POST', headers: { 'x-csrf-token': maskedWithZeroPad(SECRET), ...SAME }, state: {}, readForm: async () => new URLSearchParams() };
    await middleware(post as never, async () => {
      reached = true;
    });
    assert.equal(reached, true);
    assert.deepEqual(names, ['admin', 'admin']);
  });
});
