// Over HTTP/2 the host comes as the `:authority` pseudo-header, never as `Host` (RFC 9113 §8.3.1).
// The CSRF guard compares `Origin` with the request's own host when no `Sec-Fetch-Site` came (an
// older browser): the Koa and Fastify wrappers must read `:authority` then, or every same-origin
// form post from such a browser is refused. Express does not run on node:http2; Hono and the fetch
// adapter read the host from the request's URL.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Fastify from 'fastify';
import { csrf as koaCsrf, sessions as koaSessions } from '../../src/adapters/koa/index.js';
import { csrf as fastifyCsrf, sessions as fastifySessions } from '../../src/adapters/fastify/index.js';
import { CookieStore } from '../../src/session/cookie-store/cookie-store.js';
import { Keyring } from '../../src/keys/keyring.js';

const keyring = await Keyring.create([{ id: 'k1', secret: 'q8Vt1Q2mF0yJx4d7nR9sLk3WcZp6bHe5uTa8gNiXo1E' }]);
// Plain h2c on loopback: no TLS here, so the cookie may not be Secure or __Host-.
const store = () => new CookieStore({ keyring, cookie: { prefix: '', secure: false } });

interface Answer {
  status: number;
  body: string;
  cookie: string | undefined;
}

function request(origin: string, method: string, path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = connect(origin);
    session.on('error', reject);
    const stream = session.request({ ':method': method, ':path': path, ...headers });
    let status = 0;
    let cookie: string | undefined;
    let body = '';
    stream.on('response', (h) => {
      status = Number(h[':status']);
      const set = h['set-cookie'];
      cookie = set?.[0]?.split(';')[0];
    });
    stream.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    stream.on('end', () => {
      session.close();
      resolve({ status, body, cookie });
    });
    stream.on('error', reject);
    stream.end();
  });
}

async function postWithOriginOnly(t: TestContext, origin: string): Promise<void> {
  const first = await request(origin, 'GET', '/', {});
  assert.equal(first.status, 200, first.body);
  assert.ok(first.cookie, 'GET / gave a session cookie');
  const headers = { cookie: first.cookie, 'x-csrf-token': first.body, origin };
  const same = await request(origin, 'POST', '/', headers);
  assert.equal(same.status, 200, `a same-origin POST with Origin and no Sec-Fetch-Site: ${same.body}`);
  assert.equal(same.body, 'posted');
  const foreign = await request(origin, 'POST', '/', { ...headers, origin: 'http://evil.example' });
  assert.equal(foreign.status, 403, 'a foreign Origin is still refused');
  t.diagnostic(`same-origin ${same.status}, foreign ${foreign.status}`);
}

test('koa: over HTTP/2, a same-origin form post carrying Origin and no Sec-Fetch-Site is accepted', async (t) => {
  const app = new Koa();
  app.silent = true;
  app.use(koaSessions({ store: store() }));
  app.use(koaCsrf());
  app.use((ctx) => {
    ctx.body = ctx.method === 'GET' ? String(ctx.state['csrfToken']) : 'posted';
  });
  const server: Http2Server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  await postWithOriginOnly(t, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

test('fastify: over HTTP/2, a same-origin form post carrying Origin and no Sec-Fetch-Site is accepted', async (t) => {
  const app = Fastify({ http2: true });
  await app.register(fastifySessions, { store: store() });
  app.addHook('preHandler', fastifyCsrf());
  app.get('/', async (request) => request.csrfToken());
  app.post('/', async () => 'posted');
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => app.close());
  await postWithOriginOnly(t, `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
});
