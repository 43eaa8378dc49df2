// What a request's head must be before it is routed (src/http/request-head.ts), and the two server
// events node would otherwise answer on its own: CONNECT and Expect: 100-continue.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { createApp } from '../../src/http/app.js';
import { refusedHead } from '../../src/http/request-head.js';
import { parseRaw, rawRequest, start } from './helpers.js';

const FORM = 'Content-Type: application/x-www-form-urlencoded\r\n';

function head(version: string, headers: Record<string, string>, raw: string[] = Object.entries(headers).flat()): IncomingMessage {
  const [major, minor] = version.split('.').map(Number);
  return { httpVersionMajor: major, httpVersionMinor: minor, headers, rawHeaders: raw } as unknown as IncomingMessage;
}

test('refusedHead: HTTP/1.x with a sound Host and no coding but chunked passes; anything else names its status', () => {
  assert.equal(refusedHead(head('1.1', { host: 'a.example' })), 0);
  assert.equal(refusedHead(head('1.1', { host: 'a.example', 'transfer-encoding': 'chunked' })), 0);
  assert.equal(refusedHead(head('1.1', { host: 'a.example', 'transfer-encoding': ' Chunked ' })), 0);
  assert.equal(refusedHead(head('1.0', {})), 0, 'HTTP/1.0 may leave Host out');
  assert.equal(refusedHead(head('1.1', {})), 400, 'HTTP/1.1 must send Host');
  assert.equal(refusedHead(head('1.1', { host: 'a' }, ['Host', 'a', 'host', 'b'])), 400, 'two Host lines');
  assert.equal(refusedHead(head('1.1', { host: '[::1' })), 400);
  assert.equal(refusedHead(head('1.1', { host: 'a', 'transfer-encoding': 'gzip, chunked' })), 501);
  assert.equal(refusedHead(head('1.1', { host: 'a', 'transfer-encoding': 'deflate' })), 501);
  assert.equal(refusedHead(head('2.0', { host: 'a' })), 505);
  assert.equal(refusedHead(head('0.9', {})), 505);
  assert.equal(refusedHead(head('2.0', {})), 505, 'the version is looked at first');
});

async function server(t: TestContext) {
  const log: string[] = [];
  const app = createApp({ logger: { access: (e) => log.push(`${e.method} ${e.path} ${e.status}`), error: (err) => log.push(`error ${String(err)}`) } });
  app.get('/', (ctx) => ctx.text('home'));
  app.post('/form', async (ctx) => ctx.text(`a=${(await ctx.readForm()).get('a')}`));
  app.post('/refuse', (ctx) => ctx.text('refused unread', 403));
  const s = await start(app);
  t.after(() => s.close());
  return { port: s.port, log };
}

test('another HTTP version, HTTP/0.9 included, gets 505 and a closed connection, logged', async (t) => {
  const { port, log } = await server(t);
  for (const line of ['GET / HTTP/2.0\r\nHost: a\r\n\r\n', 'GET /\r\n\r\n']) {
    const r = await rawRequest(port, line);
    assert.equal(r.status, 505, JSON.stringify(line));
    assert.equal(r.headers['connection']?.[0], 'close');
    assert.equal(r.body, 'HTTP Version Not Supported\n');
  }
  assert.deepEqual(log, ['GET / 505', 'GET / 505']);
});

test('an HTTP/1.1 request without Host gets the short 400 and an access-log line; HTTP/1.0 without Host is served', async (t) => {
  const { port, log } = await server(t);
  const r = await rawRequest(port, 'GET / HTTP/1.1\r\n\r\n', 500);
  assert.equal(r.status, 400);
  assert.equal(r.body, 'Bad Request\n');
  assert.equal(r.headers['transfer-encoding'], undefined, 'a counted body, not node\'s chunked one');
  const old = await rawRequest(port, 'GET / HTTP/1.0\r\n\r\n');
  assert.equal(old.status, 200);
  assert.deepEqual(log, ['GET / 400', 'GET / 200']);
});

test('a transfer coding other than chunked gets 501 before the handler reads a byte, and the connection closes', async (t) => {
  const { port, log } = await server(t);
  for (const coding of ['gzip, chunked', 'deflate, chunked']) {
    const r = await rawRequest(port, `POST /form HTTP/1.1\r\nHost: a\r\n${FORM}Transfer-Encoding: ${coding}\r\n\r\n3\r\na=1\r\n0\r\n\r\n`);
    assert.equal(r.status, 501, coding);
    assert.equal(r.headers['connection']?.[0], 'close');
  }
  const plain = await rawRequest(port, `POST /form HTTP/1.1\r\nHost: a\r\n${FORM}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\na=1\r\n0\r\n\r\n`);
  assert.equal(plain.status, 200);
  assert.equal(plain.body, 'a=1');
  assert.deepEqual(log, ['POST /form 501', 'POST /form 501', 'POST /form 200']);
});

test('CONNECT gets 501 and a closed connection instead of a silent close, after the answers before it', async (t) => {
  const { port } = await server(t);
  const r = await rawRequest(port, 'CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n');
  assert.equal(r.status, 501);
  assert.equal(r.headers['connection']?.[0], 'close');
  const behind = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\nCONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n');
  assert.equal(behind.status, 200, behind.raw);
  assert.equal(parseRaw(behind.body.slice('home'.length)).status, 501, behind.raw);
});

test('Expect: 100-continue: "100 Continue" only when the body is read, never before a 413 or an answer that leaves it unread', async (t) => {
  const { port, log } = await server(t);
  const over = await rawRequest(port, `POST /form HTTP/1.1\r\nHost: a\r\n${FORM}Content-Length: 5000000\r\nExpect: 100-continue\r\n\r\n`);
  assert.equal(over.status, 413, over.raw);
  assert.doesNotMatch(over.raw, /100 Continue/);
  const unread = await rawRequest(port, `POST /refuse HTTP/1.1\r\nHost: a\r\n${FORM}Content-Length: 3\r\nExpect: 100-continue\r\n\r\n`);
  assert.equal(unread.status, 403, unread.raw);
  assert.doesNotMatch(unread.raw, /100 Continue/);
  assert.equal(unread.headers['connection']?.[0], 'close', 'the body never came: the connection cannot be reused');
  // The client sends its body only once invited (the first write is the head alone).
  const invited = await new Promise<string>((resolve, reject) => {
    import('node:net').then(({ connect }) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(`POST /form HTTP/1.1\r\nHost: a\r\n${FORM}Content-Length: 3\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`));
      let got = '';
      let sent = false;
      socket.on('data', (chunk: Buffer) => {
        got += chunk.toString('latin1');
        if (!sent && got.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) {
          sent = true;
          socket.write('a=1');
        }
      });
      socket.on('close', () => resolve(got));
      socket.on('error', reject);
    }, reject);
  });
  assert.match(invited, /^HTTP\/1\.1 100 Continue\r\n\r\n/);
  const final = parseRaw(invited.slice('HTTP/1.1 100 Continue\r\n\r\n'.length));
  assert.equal(final.status, 200);
  assert.equal(final.body, 'a=1');
  assert.deepEqual(log, ['POST /form 413', 'POST /refuse 403', 'POST /form 200']);
});

test('app.handler on node:http2 still serves HTTP/2: only the HTTP/1 parser\'s versions are refused', async (t) => {
  const { createServer, connect } = await import('node:http2');
  const app = createApp({ accessLog: false });
  app.get('/', (ctx) => ctx.text('over h2'));
  const server = createServer(app.handler as never);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const client = connect(`http://127.0.0.1:${port}`);
  // The client first: the server's close waits for its sessions.
  t.after(() => new Promise<void>((resolve) => client.close(() => server.close(() => resolve()))));
  const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const stream = client.request({ ':path': '/' });
    let status = 0;
    let body = '';
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    stream.on('end', () => resolve({ status, body }));
    stream.on('error', reject);
    stream.end();
  });
  assert.equal(status, 200);
  assert.equal(body, 'over h2');
});
