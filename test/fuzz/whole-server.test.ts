// The whole server under hostile traffic: random raw HTTP requests (malformed request lines,
// header lines, cookies, bodies) over a raw socket to an app whose sessions live in a CookieStore.
// What must hold: no response is a 5xx, no error reaches the app's error log, every connection
// ends (no hang), and afterwards the server still serves a real session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import fc from 'fast-check';
import { createApp } from '../../src/http/app.js';
import { CookieStore } from '../../src/session/cookie-store.js';
import { Keyring } from '../../src/keys/keyring.js';
import { start, post, get } from '../http/helpers.js';
import { fuzzAsync, seed } from './seed.js';

/** Writes `text` (latin1), half-closes, and collects everything until the server closes; null on a hang. */
function exchange(port: number, parts: string[], waitMs = 4_000): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      socket.destroy();
    }, waitMs);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => {}); // a reset after a refused request is fine; 'close' follows
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(hung ? null : Buffer.concat(chunks).toString('latin1'));
    });
    socket.on('connect', () => {
      for (const part of parts) socket.write(part, 'latin1');
      socket.end();
    });
  });
}

type Values = { user?: string; n?: number };

async function sessionApp(errors: unknown[], trailingSlash: 'strict' | 'redirect' = 'strict') {
  const keyring = await Keyring.create([{ id: 'k1', secret: new Uint8Array(32).fill(7) }]);
  const store = new CookieStore<Values>({ keyring, chunking: { maxChunks: 3 } });
  const app = createApp({ accessLog: false, trailingSlash, logger: { error: (err: unknown) => errors.push(err) }, body: { limit: 2_000 } });
  app.get('/read', async (ctx) => ctx.json({ user: (await store.get(ctx, 'session')).values.user ?? null }));
  app.post('/login', async (ctx) => {
    const form = await ctx.readForm();
    const session = await store.get(ctx, 'session');
    session.regenerate();
    session.values.user = form.get('user') ?? 'anon';
    ctx.redirect('/read');
  });
  app.post('/count', async (ctx) => {
    const body = await ctx.readJson();
    const session = await store.get(ctx, 'session');
    session.values.n = (session.values.n ?? 0) + (typeof body === 'number' ? 1 : 0);
    ctx.json({ n: session.values.n });
  });
  app.get('/u/:id', (ctx) => ctx.json({ id: ctx.params['id'] ?? null }));
  return { app, store };
}

// Mostly well-formed, so most requests reach the app and its sessions; sometimes broken.
const method = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('GET', 'GET', 'POST', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'PROPFIND') },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('TRACE', 'CONNECT', 'get', 'G\u0000T', ''), fc.string({ unit: 'binary-ascii', maxLength: 6 })) },
);
const target = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('/read', '/read', '/login', '/login', '/count', '/count', '/u/1', '/u/%zz', '/u/%C3%A9', '/u/..', '/read/', '//read', '/%2e%2e/read', '/read?x=%zz&y', '/u/' + 'a'.repeat(600)) },
  { weight: 1, arbitrary: fc.constantFrom('*', 'http://evil/read', '') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map((s) => `/${s}`) },
);
const version = fc.oneof({ weight: 12, arbitrary: fc.constantFrom('HTTP/1.1', 'HTTP/1.0') }, { weight: 1, arbitrary: fc.constantFrom('HTTP/2.0', 'HTTP/1.1x', 'http/1.1', '', 'HTTP/0.9') });
const eol = fc.oneof({ weight: 12, arbitrary: fc.constant('\r\n') }, { weight: 1, arbitrary: fc.constant('\n') });

// Cookies: the valid session cookie, edited copies of it, junk, duplicates, chunk names, huge ones.
const cookieHeader = (valid: string) => {
  const pair = fc.oneof(
    fc.constant(valid),
    fc.tuple(fc.nat(), fc.constantFrom('A', '_', '.', '=', ';', '%', 'é', '\u0001')).map(([at, ch]) => valid.slice(0, at % valid.length) + ch + valid.slice((at % valid.length) + 1)),
    fc.tuple(fc.nat()).map(([at]) => valid.slice(0, at % valid.length)),
    fc.constantFrom('__Host-session=', '__Host-session=1s.k1.1.2.a.b.c', '__Host-session.0=x', '__Host-session.1=y', '__Host-session.5=z', 'session=x', '__proto__=1', 'a', '=', ';;', '"'),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.nat(6000).map((n) => `big=${'x'.repeat(n)}`),
  );
  return fc.array(pair, { maxLength: 5 }).map((p) => `Cookie: ${p.join('; ')}`);
};
const headerLine = (valid: string) =>
  fc.oneof(
    { weight: 10, arbitrary: cookieHeader(valid) },
    { weight: 6, arbitrary: fc.constantFrom('Content-Type: application/x-www-form-urlencoded', 'Content-Type: application/json', 'Content-Type: text/plain', 'Content-Type: application/json; charset=latin1') },
    { weight: 4, arbitrary: fc.constantFrom('Content-Length: 5', 'Content-Length: 1', 'Content-Length: 12', 'Content-Length: 0', 'Transfer-Encoding: chunked', 'Content-Encoding: gzip', 'Expect: 100-continue') },
    { weight: 4, arbitrary: fc.constantFrom('Connection: close', 'Connection: keep-alive', 'X-Forwarded-For: 1.2.3.4, evil', 'Origin: http://evil', 'Sec-Fetch-Site: cross-site', 'Accept: */*', 'Upgrade: websocket') },
    { weight: 1, arbitrary: fc.constantFrom('Content-Length: -1', 'Content-Length: abc', 'Content-Length: 99999999999999999999', 'Content-Length: 3, 4', 'Transfer-Encoding: gzip, chunked', 'Transfer-Encoding: identity', 'Host:', 'Host: a\u0000b', 'Connection: upgrade') },
    { weight: 1, arbitrary: fc.constantFrom('no colon here', ': empty name', ' folded continuation', 'Bad Name: x', 'X: \u0001\u007f', `X-Long: ${'y'.repeat(9000)}`, `X-Huge: ${'y'.repeat(20000)}`) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  );
const bodyText = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('', 'user=mallory', 'user=%zz', '1', '{"__proto__":{"x":1}}', '5\r\nhello\r\n0\r\n\r\n', 'zz\r\n', 'GET /read HTTP/1.1\r\nHost: x\r\n\r\n') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

test(`random raw requests to a CookieStore app never get a 5xx, hang it, or crash it (seed ${seed})`, async () => {
  const errors: unknown[] = [];
  const { app } = await sessionApp(errors, 'redirect');
  const s = await start(app, { headersTimeout: 2_000, requestTimeout: 3_000 });
  try {
    const login = await post(s.port, '/login', 'application/x-www-form-urlencoded', 'user=alice');
    assert.equal(login.status, 303);
    const valid = login.headers['set-cookie']![0]!.split(';')[0]!;
    await fuzzAsync(
      fc.asyncProperty(method, target, version, eol, fc.array(headerLine(valid), { maxLength: 6 }), bodyText, fc.nat(3), async (m, t, v, nl, lines, bodyPart, split) => {
        const head = `${m} ${t}${v === '' ? '' : ` ${v}`}${nl}${['Host: x', ...lines].map((l) => `${l}${nl}`).join('')}${nl}`;
        const text = head + bodyPart;
        // Sometimes in several writes, cutting anywhere (inside a header, a CRLF, a UTF-8 sequence).
        const cut = split === 0 ? text.length : Math.floor((text.length * split) / 4);
        const raw = await exchange(s.port, [text.slice(0, cut), text.slice(cut)]);
        assert.notEqual(raw, null, `the connection hung for ${JSON.stringify(text.slice(0, 300))}`);
        for (const [, status] of raw!.matchAll(/HTTP\/1\.[01] (\d{3})/g)) {
          assert.ok(Number(status) < 500, `${status} for ${JSON.stringify(text.slice(0, 300))}`);
        }
        assert.deepEqual(errors, []);
      }),
      60,
    );
    // Still alive, and still serving the real session.
    const after = await get(s.port, '/read', 'GET', `Cookie: ${valid}\r\n`);
    assert.equal(after.status, 200);
    assert.deepEqual(JSON.parse(after.body), { user: 'alice' });
  } finally {
    await s.close();
  }
});

test(`well-framed requests with hostile cookies: only the issued cookie opens the session, and it always does (seed ${seed})`, async () => {
  const errors: unknown[] = [];
  const { app } = await sessionApp(errors);
  const s = await start(app);
  try {
    const login = await post(s.port, '/login', 'application/x-www-form-urlencoded', 'user=alice');
    const valid = login.headers['set-cookie']![0]!.split(';')[0]!;
    const validValue = valid.slice(valid.indexOf('=') + 1);
    // Only characters a header value may carry (RFC 9110 §5.5: VCHAR, SP, HTAB, obs-text).
    const legal = (text: string) => text.replace(/[^\t\x20-\x7e\xa0-\xff]/g, '');
    await fuzzAsync(
      fc.asyncProperty(cookieHeader(valid).map(legal), async (header) => {
        const r = await get(s.port, '/read', 'GET', `${header}\r\n`);
        assert.equal(r.status, 200, `${r.status} for ${JSON.stringify(header.slice(0, 200))}`);
        const user = (JSON.parse(r.body) as { user: string | null }).user;
        const pairs = header.slice('Cookie: '.length).split(';').map((p) => p.trim());
        const first = pairs.find((p) => p.startsWith('__Host-session='));
        // nothing forged is accepted: alice only when the exact issued value was sent
        if (user !== null) assert.ok(pairs.some((p) => p.endsWith(`=${validValue}`)), header);
        // nothing valid is rejected: the issued cookie, read first and not pushed past the size cap
        if (first === valid && !header.includes('big=')) assert.equal(user, 'alice', header);
      }),
      60,
    );
    assert.deepEqual(errors, []);
  } finally {
    await s.close();
  }
});
