import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { createApp } from '../../src/http/app.js';
import { createServer, SERVER_DEFAULTS } from '../../src/http/server.js';
import { shutdown } from '../../src/http/shutdown.js';
import { get, parseRaw, rawRequest, start } from './helpers.js';

function app() {
  const a = createApp({ accessLog: false, logger: { error: () => undefined } });
  a.get('/', (ctx) => ctx.text('ok'));
  return a;
}

test('answers a 20 kB header with 431 and closes the connection', async () => {
  const s = await start(app());
  try {
    const r = await rawRequest(s.port, `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.equal(r.status, 431);
    assert.equal(r.headers['connection']?.[0], 'close');
  } finally {
    await s.close();
  }
});

test('answers malformed requests with 400', async () => {
  const s = await start(app());
  try {
    for (const bad of ['GARBAGE\r\n\r\n', 'GET / HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n', 'GET / HTTP/1.1\r\n\r\n', 'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n']) {
      const r = await rawRequest(s.port, bad);
      assert.equal(r.status, 400, JSON.stringify(bad));
    }
  } finally {
    await s.close();
  }
});

test('a broken request pipelined behind a good one gets its 400 after the good one is answered', async () => {
  // The good request's handler is still awaiting when the parser refuses the next one. Written at
  // once, the 400 took the first response's place and the connection closed before it left.
  let release = (): void => undefined;
  const a = createApp({ accessLog: false, logger: { error: () => undefined } });
  a.get('/slow', async (ctx) => {
    await new Promise<void>((resolve) => (release = resolve));
    ctx.text('first answered');
  });
  const s = await start(a);
  s.server.on('clientError', () => setImmediate(() => release()));
  try {
    for (const broken of ['GARBAGE\r\n\r\n', `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]) {
      const r = await rawRequest(s.port, `GET /slow HTTP/1.1\r\nHost: a\r\n\r\n${broken}`);
      assert.equal(r.status, 200, r.raw.slice(0, 200));
      assert.match(r.body, /^first answered/);
      const second = parseRaw(r.body.slice('first answered'.length));
      assert.equal(second.status, broken.startsWith('GARBAGE') ? 400 : 431, r.raw);
      assert.equal(second.headers['connection']?.[0], 'close');
    }
  } finally {
    await s.close();
  }
});

test('a malformed chunked body of the request being read gets its 400 at once, not at the request timeout', async () => {
  const a = createApp({ accessLog: false, logger: { error: () => undefined } });
  a.post('/form', async (ctx) => ctx.text(String((await ctx.readForm()).get('a'))));
  const s = await start(a, { headersTimeout: 20_000, requestTimeout: 30_000 });
  try {
    const sent = Date.now();
    const r = await rawRequest(s.port, 'POST /form HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n3\r\na=1\r\nzz\r\n\r\n', 10_000);
    assert.equal(r.status, 400, r.raw);
    // Far under the 30 s request timeout it used to wait for; not a timing target.
    assert.ok(Date.now() - sent < 10_000);
  } finally {
    await s.close();
  }
});

test('a broken request behind two pipelined ones still being answered: both answers, in order, then the 400, with no listener piling up', async () => {
  // The first answer waits for the refusal; the second for the first answer to have left, so the
  // socket passes from one response to the next while the refusal waits.
  let releaseFirst = (): void => undefined;
  let releaseSecond = (): void => undefined;
  const first = new Promise<void>((resolve) => (releaseFirst = resolve));
  const second = new Promise<void>((resolve) => (releaseSecond = resolve));
  const a = createApp({ accessLog: false, logger: { error: () => undefined } });
  a.get('/slow/:n', async (ctx) => {
    if (ctx.params['n'] === '1') {
      await first;
      ctx.res.once('finish', () => setImmediate(releaseSecond));
    } else {
      await second;
    }
    ctx.text(`answer ${ctx.params['n']}`);
  });
  const s = await start(a);
  s.server.on('clientError', () => setImmediate(releaseFirst));
  try {
    const garbage = Array.from({ length: 50 }, () => 'x');
    const r = await rawRequest(s.port, ['GET /slow/1 HTTP/1.1\r\nHost: a\r\n\r\nGET /slow/2 HTTP/1.1\r\nHost: a\r\n\r\nGARBAGE\r\n\r\n', ...garbage]);
    const statuses = [...r.raw.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
    assert.deepEqual(statuses, [200, 200, 400], r.raw);
    assert.match(r.raw, /answer 1[\s\S]*answer 2/);
  } finally {
    await s.close();
  }
});

test('answers slow headers with 408', async () => {
  const s = await start(app(), { headersTimeout: 200, requestTimeout: 400, connectionsCheckingInterval: 20 });
  try {
    const r = await rawRequest(s.port, 'GET / HTTP/1.1\r\nHost: a\r\n', 3_000);
    assert.equal(r.status, 408);
  } finally {
    await s.close();
  }
});

test('a body that does not arrive within requestTimeout gets 408, and the access log says 408 too', async () => {
  const entries: { path: string; status: number }[] = [];
  const errors: unknown[] = [];
  const a = createApp({ logger: { access: (e) => entries.push({ path: e.path, status: e.status }), error: (err) => errors.push(err) } });
  a.post('/form', async (ctx) => ctx.text(String((await ctx.readForm()).get('a'))));
  const s = await start(a, { headersTimeout: 200, requestTimeout: 400, connectionsCheckingInterval: 20 });
  try {
    const r = await rawRequest(s.port, 'POST /form HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 50\r\n\r\na=', 3_000);
    assert.equal(r.status, 408);
    while (entries.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(entries, [{ path: '/form', status: 408 }], 'the status the client got, not the 400 of the aborted read');
    assert.deepEqual(errors, []);
  } finally {
    await s.close();
  }
});

// A slowloris keeps each byte inside any idle timeout, so only a deadline for the whole header
// block stops it. This client never completes its headers at all (it trickles one header line
// forever), so the assertion needs no clock: the server must be the one that ends it, with 408.
// The pace only keeps the socket busy; a slow machine just sends fewer bytes before the cut.
test('cuts off a client that sends its headers a byte at a time, with 408', { timeout: 30_000 }, async () => {
  const s = await start(app(), { headersTimeout: 200, requestTimeout: 400, connectionsCheckingInterval: 20 });
  try {
    const r = await new Promise<{ status: number }>((resolve) => {
      const socket = connect(s.port, '127.0.0.1');
      let sent = 0;
      let data = '';
      const timer = setInterval(() => {
        if (!socket.writable) return;
        socket.write(sent === 0 ? 'GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ' : 'a');
        sent++;
      }, 1);
      socket.on('data', (d) => (data += String(d)));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(timer);
        resolve({ status: parseRaw(data).status });
      });
    });
    assert.equal(r.status, 408);
  } finally {
    await s.close();
  }
});

/** GET /slow on `a`: answers "finished" once `release()` is called; `inHandler` resolves when a request is waiting there. */
function slowRoute(a: ReturnType<typeof app>): { inHandler: Promise<void>; release: () => void } {
  let started!: () => void;
  const inHandler = new Promise<void>((r) => (started = r));
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  a.get('/slow', async (ctx) => {
    started();
    await gate;
    ctx.text('finished');
  });
  return { inHandler, release };
}

test('shutdown() lets a request in flight finish, closes idle keep-alive sockets, and refuses new connections', async () => {
  const a = app();
  const { inHandler, release } = slowRoute(a);
  const server = await a.listen({ port: 0, host: '127.0.0.1' });
  const port = (server.address() as AddressInfo).port;
  // An idle keep-alive connection: one request done, socket left open.
  const idle = connect(port, '127.0.0.1');
  const idleClosed = new Promise<void>((r) => idle.on('close', () => r()));
  idle.on('error', () => undefined);
  idle.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  await new Promise((r) => idle.once('data', r));
  const slow = rawRequest(port, 'GET /slow HTTP/1.1\r\nHost: a\r\n\r\n');
  await inHandler;
  const done = a.close({ timeout: 5_000 });
  await idleClosed;
  await assert.rejects(get(port, '/'));
  release();
  const r = await slow;
  assert.equal(r.status, 200);
  assert.equal(r.body, 'finished');
  assert.equal(r.headers['connection']?.[0], 'close');
  await done;
  assert.equal(server.listening, false);
});

test('shutdown() cuts connections that outlive the deadline', async () => {
  const a = app();
  a.get('/hang', () => new Promise<void>(() => undefined));
  const server = await a.listen({ port: 0 });
  const port = (server.address() as AddressInfo).port;
  let started!: () => void;
  const inHandler = new Promise<void>((r) => (started = r));
  a.use((_ctx, next) => {
    started();
    return next();
  });
  const hung = rawRequest(port, 'GET /hang HTTP/1.1\r\nHost: a\r\n\r\n', 5_000);
  await inHandler;
  await shutdown(server, { timeout: 50 });
  const r = await hung;
  assert.equal(r.raw, '');
});

test('refuses inconsistent server options', () => {
  assert.throws(() => createServer(() => undefined, { headersTimeout: 5_000, requestTimeout: 1_000 }), TypeError);
  assert.throws(() => createServer(() => undefined, { maxHeaderSize: -1 }), TypeError);
  assert.equal(SERVER_DEFAULTS.maxHeaderSize, 16_384);
});

test('takes a headersTimeout equal to requestTimeout, or any with requestTimeout 0 (off), and hands node every timeout and the per-socket cap', () => {
  const listener = () => undefined;
  const equal = createServer(listener, { headersTimeout: 5_000, requestTimeout: 5_000 });
  assert.equal(equal.headersTimeout, 5_000);
  assert.equal(equal.requestTimeout, 5_000);
  assert.equal(createServer(listener, { headersTimeout: 5_000, requestTimeout: 0 }).requestTimeout, 0);
  assert.throws(() => createServer(listener, { headersTimeout: 5_001, requestTimeout: 5_000 }), TypeError);
  const defaults = createServer(listener);
  assert.equal(defaults.headersTimeout, SERVER_DEFAULTS.headersTimeout);
  assert.equal(defaults.requestTimeout, SERVER_DEFAULTS.requestTimeout);
  assert.equal(defaults.keepAliveTimeout, SERVER_DEFAULTS.keepAliveTimeout);
  assert.equal(defaults.maxRequestsPerSocket, SERVER_DEFAULTS.maxRequestsPerSocket);
  const custom = createServer(listener, { keepAliveTimeout: 1_234, maxRequestsPerSocket: 7 });
  assert.equal(custom.keepAliveTimeout, 1_234);
  assert.equal(custom.maxRequestsPerSocket, 7);
});

test('a second shutdown() joins the first instead of cutting requests in flight', async () => {
  const a = app();
  const { inHandler, release } = slowRoute(a);
  const server = await a.listen({ port: 0 });
  const port = (server.address() as AddressInfo).port;
  const slow = rawRequest(port, 'GET /slow HTTP/1.1\r\nHost: a\r\n\r\n');
  await inHandler;
  const first = shutdown(server);
  const second = shutdown(server, { timeout: 1 });
  assert.equal(first, second);
  release();
  assert.equal((await slow).body, 'finished');
  await first;
});

test('shutdown() of a server that is not listening resolves at once', async () => {
  const server = createServer(() => undefined);
  await shutdown(server);
  assert.equal(server.listening, false);
});

/** Opens a raw connection and resolves once the server has accepted it (or at once when it is dropped). */
function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

function ask(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    socket.on('data', (chunk) => (data += String(chunk)));
    socket.on('error', () => undefined); // a dropped connection may see ECONNRESET: that is the answer
    socket.on('close', () => resolve(data));
    socket.write('GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
  });
}

test('with maxConnections 2, a third concurrent connection is closed unanswered while the first two are served', async () => {
  const s = await start(app(), { maxConnections: 2 });
  let accepted = 0;
  const closedOnServer: Promise<void>[] = [];
  const twoAccepted = new Promise<void>((resolve) =>
    s.server.on('connection', (socket: Socket) => {
      closedOnServer.push(new Promise((closed) => socket.once('close', () => closed())));
      if (++accepted === 2) resolve();
    }),
  );
  const dropped = new Promise<void>((resolve) => s.server.once('drop', () => resolve()));
  try {
    const first = await openSocket(s.port);
    const second = await openSocket(s.port);
    await twoAccepted; // both are counted by the server before the third arrives
    const third = await openSocket(s.port);
    assert.equal(await ask(third), '', 'the third connection gets no response');
    await dropped;
    assert.equal(accepted, 2);
    const [a, b] = await Promise.all([ask(first), ask(second)]);
    assert.equal(parseRaw(a).status, 200);
    assert.equal(parseRaw(b).status, 200);
    // The cap counts open connections: once those two are closed, a new one is served again.
    await Promise.all(closedOnServer); // the server's count drops before a socket's 'close'
    const later = await openSocket(s.port);
    assert.equal(parseRaw(await ask(later)).status, 200);
  } finally {
    await s.close();
  }
});

test('caps connections at 4096 by default, and 0 turns the cap off on every Node line', () => {
  assert.equal(SERVER_DEFAULTS.maxConnections, 4096);
  const handler = app().handler;
  assert.equal(createServer(handler).maxConnections, 4096);
  assert.equal(createServer(handler, { maxConnections: 2 }).maxConnections, 2);
  // node 22+ drops every connection when server.maxConnections is 0; cachet leaves it unset.
  const uncapped = createServer(handler, { maxConnections: 0 }).maxConnections;
  assert.ok(uncapped === undefined || uncapped === null || uncapped === Infinity, String(uncapped));
  assert.throws(() => createServer(handler, { maxConnections: -1 }), /maxConnections/);
  assert.throws(() => createServer(handler, { maxConnections: 1.5 }), /maxConnections/);
});
