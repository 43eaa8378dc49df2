import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../../src/http/app.js';
import { prepareCookie } from '../../src/cookie/serialize.js';
import { HttpError } from '../../src/http/http-error.js';
import { LinearRouter } from '../../src/http/router/linear.js';
import type { AccessLogEntry } from '../../src/http/types.js';
import { get, rawRequest, start } from './helpers.js';

function quietApp(options: Parameters<typeof createApp>[0] = {}) {
  const errors: { err: unknown; id: string }[] = [];
  const app = createApp({ accessLog: false, logger: { error: (err, id) => errors.push({ err, id }) }, ...options });
  return { app, errors };
}

test('routes a GET with params and sends JSON with a charset', async () => {
  const { app } = quietApp();
  app.get('/users/:id', (ctx) => ctx.json({ id: ctx.params['id'], q: ctx.query.get('q') }));
  const s = await start(app);
  try {
    const r = await get(s.port, '/users/a%20b?q=1');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type']?.[0], 'application/json; charset=utf-8');
    assert.deepEqual(JSON.parse(r.body), { id: 'a b', q: '1' });
    assert.equal(r.headers['content-length']?.[0], String(Buffer.byteLength(r.body)));
  } finally {
    await s.close();
  }
});

test('answers 404 for an unknown path, 405 with the exact Allow, and OPTIONS with Allow', async () => {
  const { app } = quietApp();
  app.get('/a', (ctx) => ctx.text('a'));
  app.post('/a', (ctx) => ctx.text('posted'));
  const s = await start(app);
  try {
    const missing = await get(s.port, '/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['content-type']?.[0], 'text/plain; charset=utf-8');
    const wrong = await get(s.port, '/a', 'DELETE');
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers['allow']?.[0], 'GET, HEAD, OPTIONS, POST');
    const options = await get(s.port, '/a', 'OPTIONS');
    assert.equal(options.status, 204);
    assert.equal(options.headers['allow']?.[0], 'GET, HEAD, OPTIONS, POST');
    assert.equal(options.body, '');
  } finally {
    await s.close();
  }
});

test('answers HEAD with the GET headers and no body', async () => {
  const { app } = quietApp();
  app.get('/page', (ctx) => ctx.html('<p>hello</p>'));
  const s = await start(app);
  try {
    const g = await get(s.port, '/page');
    const h = await get(s.port, '/page', 'HEAD');
    assert.equal(h.status, 200);
    assert.equal(h.body, '');
    assert.equal(h.headers['content-length']?.[0], g.headers['content-length']?.[0]);
    assert.equal(h.headers['content-type']?.[0], 'text/html; charset=utf-8');
  } finally {
    await s.close();
  }
});

test('sends a page-sized text body whole, its Content-Length counted in UTF-8 bytes, and HEAD with the same length', async () => {
  const { app } = quietApp();
  // A page's size, with one- and two-unit characters and an astral one: the length counts bytes.
  const page = `<title>Welcome · café</title>${'<p>x</p>'.repeat(200)}<p>🍪 ∑</p>`;
  app.get('/big', (ctx) => ctx.html(page));
  const s = await start(app);
  try {
    const g = await get(s.port, '/big');
    assert.equal(g.status, 200);
    assert.equal(g.body, page);
    assert.equal(g.headers['content-length']?.[0], String(Buffer.byteLength(page)));
    assert.notEqual(Buffer.byteLength(page), page.length);
    const h = await get(s.port, '/big', 'HEAD');
    assert.equal(h.body, '');
    assert.equal(h.headers['content-length']?.[0], String(Buffer.byteLength(page)));
  } finally {
    await s.close();
  }
});

test('never routes TRACE, even to an all() route', async () => {
  const { app } = quietApp();
  let hits = 0;
  app.all('/any', (ctx) => {
    hits++;
    ctx.text('x');
  });
  const s = await start(app);
  try {
    assert.equal((await get(s.port, '/any', 'TRACE')).status, 405);
    assert.equal((await get(s.port, '/any', 'PUT')).status, 200);
    assert.equal(hits, 1);
  } finally {
    await s.close();
  }
});

test('rejects malformed percent-encoding and dot segments with 400; //evil/x changes no host', async () => {
  const { app } = quietApp();
  const seen: string[] = [];
  app.get('/x', (ctx) => ctx.text('x'));
  app.get('/evil/x', (ctx) => ctx.text('evil'));
  app.get('/files/*', (ctx) => {
    seen.push(ctx.params['*'] ?? '');
    ctx.text('file');
  });
  const s = await start(app);
  try {
    for (const path of ['/%E0%A4%A', '/%', '/%zz', '/%FF', '/../x', '/%2e%2e/x', '/%2E./x', '/files/../x', '/files/./a', '/files/%2e%2e/%2e%2e/etc/passwd', '/files/a#b']) {
      const r = await get(s.port, path);
      assert.equal(r.status, 400, path);
      assert.ok(!r.body.includes('Error:'), path);
    }
    const evil = await get(s.port, '//evil/x');
    assert.equal(evil.status, 404);
    assert.equal(evil.headers['location'], undefined);
    assert.equal((await get(s.port, 'http://evil/x')).status, 400);
    assert.deepEqual(seen, []);
  } finally {
    await s.close();
  }
});

test('is strict about trailing slashes by default', async () => {
  const { app } = quietApp();
  app.get('/users', (ctx) => ctx.text('list'));
  const s = await start(app);
  try {
    assert.equal((await get(s.port, '/users/')).status, 404);
  } finally {
    await s.close();
  }
});

test('redirects a toggled trailing slash with 308 when asked, but never to another host', async () => {
  const { app } = quietApp({ trailingSlash: 'redirect' });
  app.get('/users', (ctx) => ctx.text('list'));
  app.get('/docs/', (ctx) => ctx.text('docs'));
  app.get('/evil', (ctx) => ctx.text('evil'));
  app.post('/form', (ctx) => ctx.text('form'));
  const s = await start(app);
  try {
    const a = await get(s.port, '/users/?page=2');
    assert.equal(a.status, 308);
    assert.equal(a.headers['location']?.[0], '/users?page=2');
    const b = await get(s.port, '/docs');
    assert.equal(b.headers['location']?.[0], '/docs/');
    assert.equal((await get(s.port, '//evil/')).status, 404);
    assert.equal((await get(s.port, '/form/', 'POST')).status, 404);
  } finally {
    await s.close();
  }
});

test('runs middleware in order around the handler and refuses next() twice', async () => {
  const { app, errors } = quietApp();
  const order: string[] = [];
  app.use(async (ctx, next) => {
    order.push('in');
    await next();
    order.push('out');
  });
  app.get('/ok', (_ctx, next) => {
    order.push('mw');
    return next();
  }, (ctx) => {
    order.push('handler');
    ctx.text('ok');
  });
  app.get('/twice', async (_ctx, next) => {
    await next();
    await next();
  }, (ctx) => ctx.text('x'));
  const s = await start(app);
  try {
    assert.equal((await get(s.port, '/ok')).body, 'ok');
    assert.deepEqual(order, ['in', 'mw', 'handler', 'out']);
    const twice = await get(s.port, '/twice');
    assert.equal(twice.status, 500);
    assert.match(String((errors[0]?.err as Error).message), /twice/);
  } finally {
    await s.close();
  }
});

test('app middleware added after the routes still runs, also for 404 answers', async () => {
  const { app } = quietApp();
  app.get('/a', (ctx) => ctx.text('a'));
  app.use((ctx, next) => {
    ctx.setHeader('x-seen', 'yes');
    return next();
  });
  const s = await start(app);
  try {
    assert.equal((await get(s.port, '/a')).headers['x-seen']?.[0], 'yes');
    assert.equal((await get(s.port, '/b')).headers['x-seen']?.[0], 'yes');
  } finally {
    await s.close();
  }
});

test('turns an HttpError into its status and public message, keeping middleware headers', async () => {
  const { app, errors } = quietApp();
  app.use((ctx, next) => {
    ctx.setHeader('x-frame-options', 'DENY');
    return next();
  });
  app.get('/limited', (ctx) => {
    ctx.setCookie('a', '1');
    throw new HttpError(429, 'Slow down', { headers: { 'Retry-After': '5' } });
  });
  const s = await start(app);
  try {
    const r = await get(s.port, '/limited');
    assert.equal(r.status, 429);
    assert.equal(r.body, 'Slow down\n');
    assert.equal(r.headers['retry-after']?.[0], '5');
    assert.equal(r.headers['x-frame-options']?.[0], 'DENY');
    assert.equal(r.headers['set-cookie'], undefined);
    assert.equal(errors.length, 0);
  } finally {
    await s.close();
  }
});

test('an HttpError drops the headers that describe the body it replaced: Content-Encoding, Content-Disposition, validators', async () => {
  // Kept, `Content-Encoding: gzip` made clients try to gunzip "Not Found\n" (curl: error 61; a
  // browser shows a decoding error instead of the page) and `Content-Disposition: attachment`
  // downloaded the error text as the promised file. Cache-Control, set for the route, stays.
  const { app } = quietApp();
  app.get('/report.csv.gz', (ctx) => {
    ctx.setHeader('cache-control', 'no-store');
    ctx.setHeader('content-encoding', 'gzip');
    ctx.setHeader('content-disposition', 'attachment; filename="report.csv.gz"');
    ctx.setHeader('content-language', 'fr');
    ctx.setHeader('content-location', '/reports/1.csv.gz');
    ctx.setHeader('content-range', 'bytes 0-9/10');
    ctx.setHeader('etag', '"v1"');
    ctx.setHeader('last-modified', 'Tue, 01 Dec 2026 00:00:00 GMT');
    throw new HttpError(404);
  });
  const s = await start(app);
  try {
    const r = await get(s.port, '/report.csv.gz');
    assert.equal(r.status, 404);
    assert.equal(r.body, 'Not Found\n');
    for (const name of ['content-encoding', 'content-disposition', 'content-language', 'content-location', 'content-range', 'etag', 'last-modified']) {
      assert.equal(r.headers[name], undefined, name);
    }
    assert.deepEqual(r.headers['cache-control'], ['no-store']);
    assert.deepEqual(r.headers['content-type'], ['text/plain; charset=utf-8']);
  } finally {
    await s.close();
  }
});

test('turns any other throw into a generic 500 without stack text, logged with the request id', async () => {
  const { app, errors } = quietApp({ requestId: () => 'req-7' });
  app.get('/boom', () => {
    throw new Error('secret database password in message');
  });
  app.get('/async-boom', async () => {
    await Promise.resolve();
    throw new TypeError('async secret');
  });
  const s = await start(app);
  try {
    for (const path of ['/boom', '/async-boom']) {
      const r = await get(s.port, path);
      assert.equal(r.status, 500);
      assert.equal(r.body, 'Internal Server Error\n');
      assert.ok(!/secret|at |\.ts/.test(r.raw));
    }
    assert.equal(errors.length, 2);
    assert.equal(errors[0]?.id, 'req-7');
  } finally {
    await s.close();
  }
});

// Regression: on Node 24.22 and 26 the cut used to send nothing at all (an empty reply), because
// those releases keep a response's written bytes inside it until a later tick.
test('a throw after the headers were sent delivers what was written, then cuts that response, and the server keeps serving', async () => {
  const { app, errors } = quietApp();
  app.get('/half', (ctx) => {
    ctx.res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    ctx.res.write('partial');
    throw new Error('late');
  });
  app.get('/fine', (ctx) => ctx.text('fine'));
  const s = await start(app);
  try {
    const r = await get(s.port, '/half');
    assert.equal(r.status, 200);
    assert.ok(r.raw.includes('\r\n\r\n7\r\npartial\r\n'), 'the bytes written before the throw arrive');
    assert.ok(!r.raw.includes('0\r\n\r\n'), 'the chunked body must not look complete');
    assert.equal(errors.length, 1);
    assert.equal((await get(s.port, '/fine')).body, 'fine');
  } finally {
    await s.close();
  }
});

test('sends at most one Set-Cookie per name, the later one winning, and deletes cookies', async () => {
  const { app } = quietApp();
  app.get('/c', (ctx) => {
    ctx.setCookie('a', '1', { path: '/' });
    ctx.setCookie('a', '2', { path: '/' });
    ctx.setCookie('b', '3');
    ctx.deleteCookie('b');
    ctx.text(JSON.stringify(ctx.cookies));
  });
  const s = await start(app);
  try {
    const r = await get(s.port, '/c', 'GET', 'Cookie: x=1; y=2\r\n');
    const cookies = r.headers['set-cookie'] ?? [];
    assert.equal(cookies.length, 2);
    assert.match(cookies[0] ?? '', /^a=2/);
    assert.match(cookies[1] ?? '', /^b=; .*Max-Age=0/);
    assert.deepEqual(JSON.parse(r.body), { x: '1', y: '2' });
  } finally {
    await s.close();
  }
});

test('reads one request cookie with ctx.cookie(name), the same answer before and after ctx.cookies is parsed', async () => {
  const { app } = quietApp();
  app.get('/c', (ctx) => {
    const before = ['sid', 'x', 'missing', '__proto__'].map((n) => ctx.cookie(n) ?? null);
    const map = ctx.cookies;
    const after = ['sid', 'x', 'missing', '__proto__'].map((n) => ctx.cookie(n) ?? null);
    ctx.json({ before, after, map: { ...map } });
  });
  const s = await start(app);
  try {
    const r = await get(s.port, '/c', 'GET', 'Cookie: x=sid=no; sid = first ; sid=second; __proto__=p\r\n');
    const body = JSON.parse(r.body) as { before: unknown[]; after: unknown[]; map: Record<string, string> };
    assert.deepEqual(body.before, ['first', 'sid=no', null, 'p']);
    assert.deepEqual(body.after, body.before);
    assert.deepEqual(body.map, { x: 'sid=no', sid: 'first', ['__proto__']: 'p' });
  } finally {
    await s.close();
  }
});

test('stages a ready-made Set-Cookie with ctx.setCookieHeader, replaced by a later call for the same name', async () => {
  const { app } = quietApp();
  app.get('/c', (ctx) => {
    const theme = prepareCookie('theme', { path: '/', maxAge: 60 });
    ctx.setCookieHeader('theme', theme('light'));
    ctx.setCookieHeader('lang', 'lang=en; Path=/');
    ctx.setCookie('lang', 'fr', { path: '/' });
    ctx.setCookieHeader('theme', theme('dark'));
    ctx.text('ok');
  });
  const s = await start(app);
  try {
    const r = await get(s.port, '/c');
    assert.deepEqual(r.headers['set-cookie'], ['theme=dark; Path=/; Max-Age=60', 'lang=fr; Path=/']);
  } finally {
    await s.close();
  }
});

test('runs async onBeforeSend hooks after the handler and before headers, redirects included', async () => {
  const { app } = quietApp();
  app.use((ctx, next) => {
    ctx.onBeforeSend(async () => {
      await new Promise((r) => setImmediate(r));
      ctx.setCookie('session', `saw-${String(ctx.getHeader('location'))}`);
    });
    return next();
  });
  app.post('/login', (ctx) => ctx.redirect('/home'));
  const s = await start(app);
  try {
    const r = await get(s.port, '/login', 'POST', 'Content-Length: 0\r\n');
    assert.equal(r.status, 303);
    assert.equal(r.headers['location']?.[0], '/home');
    assert.match(r.headers['set-cookie']?.[0] ?? '', /^session=saw-\/home/);
  } finally {
    await s.close();
  }
});

test('answers 204 when the handler stages nothing and keeps an explicit status', async () => {
  const { app } = quietApp();
  app.get('/none', () => undefined);
  app.get('/accepted', (ctx) => void ctx.status(202));
  const s = await start(app);
  try {
    assert.equal((await get(s.port, '/none')).status, 204);
    const r = await get(s.port, '/accepted');
    assert.equal(r.status, 202);
    assert.equal(r.headers['content-length']?.[0], '0');
  } finally {
    await s.close();
  }
});

test('takes the client ip from the socket unless proxies are trusted', async () => {
  const direct = quietApp();
  const proxied = quietApp({ trustProxy: 1 });
  const twoHops = quietApp({ trustProxy: 2 });
  for (const { app } of [direct, proxied, twoHops]) app.get('/ip', (ctx) => ctx.text(ctx.ip));
  const a = await start(direct.app);
  const b = await start(proxied.app);
  const c = await start(twoHops.app);
  try {
    const xff = 'X-Forwarded-For: 6.6.6.6, 10.0.0.1\r\n';
    assert.equal((await get(a.port, '/ip', 'GET', xff)).body, '127.0.0.1');
    assert.equal((await get(b.port, '/ip', 'GET', xff)).body, '10.0.0.1');
    assert.equal((await get(b.port, '/ip')).body, '127.0.0.1');
    // Two trusted proxies: the second entry from the right; what the client wrote before it is ignored.
    assert.equal((await get(c.port, '/ip', 'GET', xff)).body, '6.6.6.6');
    assert.equal((await get(c.port, '/ip', 'GET', 'X-Forwarded-For: 1.1.1.1, 6.6.6.6, 10.0.0.1\r\n')).body, '6.6.6.6');
  } finally {
    await a.close();
    await b.close();
    await c.close();
  }
});

test('a routed path is logged cut at 200 characters, as a refused target is', async () => {
  const entries: AccessLogEntry[] = [];
  const app = createApp({ logger: { access: (e) => entries.push(e) } });
  app.get('/a/:id', (ctx) => ctx.text('a'));
  const s = await start(app);
  try {
    await get(s.port, `/${'x'.repeat(8_000)}`);
    await get(s.port, `/a/${'y'.repeat(197)}`);
    await get(s.port, `/a/${'z'.repeat(196)}`);
    assert.deepEqual(entries.map((e) => [e.status, e.path]), [[404, `/${'x'.repeat(199)}`], [200, `/a/${'y'.repeat(197)}`], [200, `/a/${'z'.repeat(196)}`]]);
  } finally {
    await s.close();
  }
});

test('writes one access-log entry per request without query, cookies or bodies', async () => {
  const entries: AccessLogEntry[] = [];
  const app = createApp({ logger: { access: (e) => entries.push(e) }, requestId: () => 'id-1' });
  let handlerSpan = 0;
  app.get('/a', async (ctx) => {
    const entered = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 5));
    handlerSpan = performance.now() - entered;
    ctx.text('a');
  });
  const s = await start(app);
  try {
    const sent = performance.now();
    await get(s.port, '/a?token=secret', 'GET', 'Cookie: sid=secret\r\n');
    const roundTrip = performance.now() - sent;
    await get(s.port, '/missing');
    assert.equal(entries.length, 2);
    const [first] = entries;
    assert.equal(first?.method, 'GET');
    assert.equal(first?.path, '/a');
    assert.equal(first?.status, 200);
    assert.equal(first?.requestId, 'id-1');
    // Causal bounds, not a timing threshold: the entry covers at least the handler's own span
    // and at most the client's whole round trip, however slow the machine is.
    assert.ok(typeof first?.durationMs === 'number');
    assert.ok(first.durationMs >= handlerSpan, `duration ${first.durationMs} covers the handler's ${handlerSpan} ms`);
    assert.ok(first.durationMs <= roundTrip, `duration ${first.durationMs} within the round trip ${roundTrip} ms`);
    assert.ok(!JSON.stringify(entries).includes('secret'));
    assert.equal(entries[1]?.status, 404);
  } finally {
    await s.close();
  }
});

test('answers 400 to two Host lines or a malformed Host, before any handler runs (RFC 9112 §3.2)', async () => {
  const entries: AccessLogEntry[] = [];
  const app = createApp({ logger: { access: (e) => entries.push(e) } });
  let ran = 0;
  app.get('/h', (ctx) => {
    ran++;
    ctx.text(String(ctx.headers['host']));
  });
  const s = await start(app);
  try {
    assert.equal((await rawRequest(s.port, 'GET /h HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n')).status, 400);
    assert.equal((await rawRequest(s.port, 'GET /h HTTP/1.1\r\nHost: [::1\r\nConnection: close\r\n\r\n')).status, 400);
    assert.equal((await rawRequest(s.port, 'GET /h HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n')).status, 400);
    assert.equal(ran, 0);
    const ok = await rawRequest(s.port, 'GET /h HTTP/1.1\r\nHost: [::1]:8080\r\nConnection: close\r\n\r\n');
    assert.equal(ok.status, 200);
    assert.equal(ok.body, '[::1]:8080');
    assert.deepEqual(entries.map((e) => e.status), [400, 400, 400, 200]);
  } finally {
    await s.close();
  }
});

test('logs a refused absolute-form target without the credentials in its authority', async () => {
  const entries: AccessLogEntry[] = [];
  const app = createApp({ logger: { access: (e) => entries.push(e) } });
  const s = await start(app);
  try {
    const r = await rawRequest(s.port, 'GET http://user:secret@x/login?y=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(r.status, 400);
    assert.equal(entries[0]?.path, 'http://x/login');
    assert.ok(!JSON.stringify(entries).includes('secret'));
  } finally {
    await s.close();
  }
});

test('keeps a keep-alive connection usable across requests', async () => {
  const { app } = quietApp();
  app.get('/k', (ctx) => ctx.text('k'));
  const s = await start(app);
  try {
    const twice = 'GET /k HTTP/1.1\r\nHost: a\r\n\r\nGET /k HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n';
    const r = await rawRequest(s.port, twice);
    assert.equal(r.raw.split('HTTP/1.1 200').length - 1, 2);
  } finally {
    await s.close();
  }
});

test('refuses bad registrations early', () => {
  const { app } = quietApp();
  assert.throws(() => app.get('/a'), TypeError);
  assert.throws(() => app.use('x' as never), TypeError);
  assert.throws(() => createApp({ trustProxy: -1 }), TypeError);
});

test('accepts another router, such as the linear oracle', async () => {
  const { app } = quietApp({ router: new LinearRouter() });
  app.get('/users/:id', (ctx) => ctx.text(ctx.params['id'] ?? ''));
  const s = await start(app);
  try {
    assert.equal((await get(s.port, '/users/7')).body, '7');
    assert.equal((await get(s.port, '/users/7', 'PUT')).status, 405);
    assert.match(app.router.prettyPrint(), /users/);
  } finally {
    await s.close();
  }
});
