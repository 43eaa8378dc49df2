// cachet/fetch: the shared session suite through withSessions() served on Node by
// @hono/node-server (a real node:http server handing the handler a Web `Request`), then what only
// the fetch adapter does: Set-Cookie on immutable responses, the runtime's extra arguments, the
// capped form read and the body left readable for the handler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { withSessions } from '../../src/adapters/fetch/index.js';
import { CookieStore } from '../../src/session/cookie-store/cookie-store.js';
import { MemoryStore } from '../../src/session/server-store/memory/memory-store.js';
import type { Harness, HarnessOptions, Mounted, Outcome } from './harness.js';
import { sessionSuite } from './session-suite.js';
import { COOKIE, T0, chunkStream, ringA } from './suite-setup.js';

function respond(outcome: Outcome, base: string): Response {
  if ('chunks' in outcome) return new Response(chunkStream(outcome.chunks), { headers: { 'content-type': 'text/plain; charset=utf-8' } });
  if ('json' in outcome) {
    const response = Response.json(outcome.json);
    if (outcome.appCookie !== undefined) response.headers.append('set-cookie', `${outcome.appCookie.name}=${outcome.appCookie.value}; Path=/`);
    return response;
  }
  // Response.redirect() has immutable headers: the adapter must copy it to add Set-Cookie.
  if ('redirect' in outcome) return Response.redirect(new URL(outcome.redirect, base), 302);
  return new Response(outcome.text, { status: outcome.status ?? 200, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

async function start({ store, actions, csrf }: HarnessOptions): Promise<Mounted> {
  const handler = withSessions({ store, csrf }, async (request, { session, csrfToken }) => {
    const url = new URL(request.url);
    if (csrf && url.pathname === '/token') return Response.json({ token: await csrfToken() });
    const action = url.pathname.startsWith('/a/') ? actions[url.pathname.slice(3)] : undefined;
    if (action === undefined) return new Response('Not Found', { status: 404 });
    return respond(await action(await session(), url.searchParams, (name) => session(name)), request.url);
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    // overrideGlobalObjects: false keeps Node's own Request and Response (node-server would swap
    // in lighter ones, whose redirect headers are mutable): the adapter meets what runtimes give.
    const s = serve({ fetch: (request) => handler(request), port: 0, hostname: '127.0.0.1', overrideGlobalObjects: false }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const harness: Harness = { name: 'fetch', start };

sessionSuite(harness);

// --- What only the fetch adapter does: called directly, no server in between. ---

const ORIGIN = 'http://app.test';

function fetchStore() {
  return new CookieStore<{ n?: number }>({ keyring: ringA, now: () => T0 });
}

/** The request's `Cookie` header made from a response's Set-Cookie lines. */
function cookieFrom(response: Response): string {
  return response.headers.getSetCookie().map((line) => line.split(';', 1)[0]).join('; ');
}

test('fetch: Set-Cookie is added to an immutable Response.redirect(), on a copy that keeps status and Location', async () => {
  const redirect = Response.redirect(`${ORIGIN}/home`, 303);
  assert.throws(() => redirect.headers.append('x', '1'), TypeError, 'the premise: its headers are immutable');
  const handler = withSessions({ store: fetchStore() }, async (_request, { session }) => {
    (await session()).values.n = 1;
    return redirect;
  });
  const response = await handler(new Request(`${ORIGIN}/login`, { method: 'POST' }));
  assert.equal(response.status, 303);
  assert.equal(response.headers.get('location'), `${ORIGIN}/home`);
  assert.equal(response.headers.getSetCookie().length, 1);
  assert.match(response.headers.getSetCookie()[0] as string, new RegExp(`^${COOKIE}=`));
});

test('fetch: the copy of an immutable response with a body keeps the body', async () => {
  const fetched = await fetch('data:text/plain,from%20upstream'); // a fetch() result: immutable headers
  const handler = withSessions({ store: fetchStore() }, async (_request, { session }) => {
    (await session()).values.n = 1;
    return fetched;
  });
  const response = await handler(new Request(`${ORIGIN}/proxy`));
  assert.equal(await response.text(), 'from upstream');
  assert.equal(response.headers.get('content-type'), 'text/plain');
  assert.equal(response.headers.getSetCookie().length, 1);
});

test('fetch: a response nobody changed a session for is returned as it is', async () => {
  const original = new Response('same');
  const handler = withSessions({ store: fetchStore() }, async (_request, { session }) => {
    await session();
    return original;
  });
  assert.equal(await handler(new Request(`${ORIGIN}/`)), original);
});

test("fetch: the runtime's extra arguments (workerd's env and ctx) reach the handler", async () => {
  const env = { KV: 'binding' };
  const ctx = { waitUntil: () => {} };
  const seen: unknown[] = [];
  const handler = withSessions<{ n?: number }, [typeof env, typeof ctx]>({ store: fetchStore() }, (_request, _tools, e, c) => {
    seen.push(e, c);
    return new Response('ok');
  });
  await handler(new Request(`${ORIGIN}/`), env, ctx);
  assert.equal(seen[0], env);
  assert.equal(seen[1], ctx);
});

/** A handler with CSRF on, and a client holding its pre-session cookie and the token. */
async function csrfHandler(options: { maxFormBytes?: number } = {}) {
  const reads: string[] = [];
  const handler = withSessions({ store: fetchStore(), csrf: true, ...options }, async (request, { csrfToken }) => {
    if (request.method === 'GET') return new Response(await csrfToken());
    const form = await request.formData(); // the body is still there after the guard read the form
    reads.push(String(form.get('msg')));
    return new Response('ok');
  });
  const first = await handler(new Request(`${ORIGIN}/form`));
  return { handler, reads, token: await first.text(), cookie: cookieFrom(first) };
}

const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' };

test('fetch: the handler can still read the body after the CSRF check read the form', async () => {
  const { handler, reads, token, cookie } = await csrfHandler();
  const body = new URLSearchParams({ _csrf: token, msg: 'hello' }).toString();
  const response = await handler(new Request(`${ORIGIN}/post`, { method: 'POST', headers: { ...FORM_HEADERS, cookie }, body }));
  assert.equal(response.status, 200);
  assert.deepEqual(reads, ['hello']);
});

test('fetch: an urlencoded body over maxFormBytes is answered 413 and never reaches the handler, declared or streamed', async () => {
  const { handler, reads, token, cookie } = await csrfHandler({ maxFormBytes: 128 });
  const body = new URLSearchParams({ msg: 'x'.repeat(200), _csrf: token }).toString();
  const declared = await handler(new Request(`${ORIGIN}/post`, { method: 'POST', headers: { ...FORM_HEADERS, cookie, 'content-length': String(body.length) }, body }));
  assert.equal(declared.status, 413, 'a declared length over the cap: refused before any read');
  const undeclared = await handler(new Request(`${ORIGIN}/post`, { method: 'POST', headers: { ...FORM_HEADERS, cookie }, body }));
  assert.equal(undeclared.status, 413, 'no Content-Length: the read stops at the cap');
  const bytes = new TextEncoder().encode(body);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 50) controller.enqueue(bytes.subarray(i, i + 50));
      controller.close();
    },
  });
  const streamed = await handler(new Request(`${ORIGIN}/post`, { method: 'POST', headers: { ...FORM_HEADERS, cookie }, body: stream, duplex: 'half' } as RequestInit));
  assert.equal(streamed.status, 413, 'a streamed body: the read stops at the cap');
  assert.deepEqual(reads, []);
  const fits = new URLSearchParams({ msg: 'small', _csrf: token }).toString();
  assert.ok(fits.length <= 128);
  assert.equal((await handler(new Request(`${ORIGIN}/post`, { method: 'POST', headers: { ...FORM_HEADERS, cookie }, body: fits }))).status, 200);
  // The declared length alone refuses: this body would fit, but says it is over the cap.
  const overDeclared = await handler(new Request(`${ORIGIN}/post`, { method: 'POST', headers: { ...FORM_HEADERS, cookie, 'content-length': '129' }, body: fits }));
  assert.equal(overDeclared.status, 413, 'a Content-Length over the cap is refused without reading the body');
  // At the edge: exactly maxFormBytes is read and passes, one byte more is refused.
  const atCap = new URLSearchParams({ _csrf: token, msg: '' }).toString();
  const exact = atCap + 'x'.repeat(128 - atCap.length);
  assert.equal(exact.length, 128);
  assert.equal((await handler(new Request(`${ORIGIN}/post`, { method: 'POST', headers: { ...FORM_HEADERS, cookie }, body: exact }))).status, 200, 'exactly maxFormBytes');
  const exactDeclared = await handler(new Request(`${ORIGIN}/post`, { method: 'POST', headers: { ...FORM_HEADERS, cookie, 'content-length': '128' }, body: exact }));
  assert.equal(exactDeclared.status, 200, 'a declared length of exactly maxFormBytes');
  assert.equal((await handler(new Request(`${ORIGIN}/post`, { method: 'POST', headers: { ...FORM_HEADERS, cookie }, body: `${exact}x` }))).status, 413, 'maxFormBytes + 1');
});

test('fetch: with no Host header (a Request made from its URL, as on Workers and Deno), Origin is compared with the URL\'s host', async () => {
  const { handler, token, cookie } = await csrfHandler();
  const post = (origin: string) => {
    const request = new Request(`${ORIGIN}/post`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin, cookie }, body: `_csrf=${token}&msg=hi` });
    assert.equal(request.headers.get('host'), null, 'the premise: no Host header, no Sec-Fetch-Site');
    return handler(request);
  };
  assert.equal((await post(ORIGIN)).status, 200, 'same origin as the URL');
  assert.equal((await post('http://evil.test')).status, 403, 'another origin');
});

test('fetch: an unknown option key is refused at construction, with the nearest valid key', () => {
  const store = fetchStore();
  const handler = () => new Response('never');
  assert.throws(() => withSessions({ store, csfr: true } as never, handler), { code: 'ERR_OPTIONS_UNKNOWN', message: /"csfr".*did you mean "csrf"/ });
  assert.throws(() => withSessions({ store, csrf: { feild: 'token' } } as never, handler), { code: 'ERR_OPTIONS_UNKNOWN', message: /^withSessions csrf: .*"feild"/ });
  assert.throws(() => withSessions({} as never, handler), TypeError);
});

test('fetch: maxFormBytes must be a positive whole number', () => {
  const store = fetchStore();
  for (const bad of [0, -1, 1.5, Number.NaN, '64' as unknown as number]) {
    assert.throws(() => withSessions({ store, maxFormBytes: bad }, () => new Response('')), { code: 'ERR_OPTIONS_INVALID' }, String(bad));
  }
});

test("fetch: the ip option gets the runtime's extra arguments, and a server-side store lists the address", async () => {
  const store = new MemoryStore<{ n?: number }>({ keyring: ringA, now: () => T0 });
  type Info = { remoteAddr: { hostname: string } }; // what Deno.serve passes after the request
  const handler = withSessions({ store, ip: (_request, info: Info) => info.remoteAddr.hostname }, async (_request, { session }) => {
    const s = await session();
    s.subject = 'u1';
    return new Response('ok');
  });
  await handler(new Request(`${ORIGIN}/`, { headers: { 'user-agent': 'suite/1' } }), { remoteAddr: { hostname: '203.0.113.7' } });
  const [listed] = await store.list('u1');
  assert.equal(listed?.ip, '203.0.113.7');
  assert.equal(listed?.userAgent, 'suite/1');
});
