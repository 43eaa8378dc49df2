import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stopAndReport, trackRequests } from '../../src/app/graceful-exit.js';
import { shutdown } from '../../src/http/shutdown.js';

test('logs the shutdown with the requests in flight, waits for them, then says they finished', async () => {
  // The handler holds its response until the test releases it: the request is in flight when the
  // signal "arrives", with no timing involved.
  let entered!: () => void;
  const inHandler = new Promise<void>((resolve) => (entered = resolve));
  let held!: ServerResponse;
  const server = createServer((_req, res) => {
    held = res;
    entered();
  });
  const active = trackRequests(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const answered = new Promise<number>((resolve, reject) => {
    request({ port, host: '127.0.0.1', path: '/' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
  await inHandler;
  const lines: string[] = [];
  const stopped = stopAndReport('SIGTERM', active, () => shutdown(server, { timeout: 60_000 }), (l) => void lines.push(l));
  assert.deepEqual(lines, ['cachet: SIGTERM received: shutting down, waiting for 1 request(s) in flight']);
  held.end('done');
  await stopped;
  assert.equal(await answered, 200);
  assert.deepEqual(lines.slice(1), ['cachet: stopped; 1 of 1 request(s) in flight finished']);
});

test('says how many requests in flight the shutdown deadline cut', async () => {
  let entered!: () => void;
  const inHandler = new Promise<void>((resolve) => (entered = resolve));
  const server = createServer(() => entered()); // never answers
  const active = trackRequests(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  request({ port, host: '127.0.0.1', path: '/' }).on('error', () => {}).end();
  await inHandler;
  const lines: string[] = [];
  // The deadline is the close callback the test passes: it cuts every connection at once.
  await stopAndReport('SIGINT', active, () => shutdown(server, { timeout: 0 }), (l) => void lines.push(l));
  assert.deepEqual(lines, ['cachet: SIGINT received: shutting down, waiting for 1 request(s) in flight', 'cachet: stopped; 0 of 1 request(s) in flight finished, 1 cut at the shutdown deadline']);
});

test('counts the response a keep-alive connection is writing, and not the connection once it is idle', async () => {
  // Requests are tracked through their connections (src/app/graceful-exit.ts says why): a second
  // request on the same connection must count while it is in flight, and nothing once answered.
  let entered!: () => void;
  let inHandler = new Promise<void>((resolve) => (entered = resolve));
  const held: ServerResponse[] = [];
  const server = createServer((_req, res) => {
    held.push(res);
    entered();
  });
  const active = trackRequests(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const get = () =>
    new Promise<number>((resolve, reject) => {
      request({ port, host: '127.0.0.1', path: '/', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
        .on('error', reject)
        .end();
    });
  try {
    assert.equal(active.responses().length, 0);
    const first = get();
    await inHandler;
    assert.deepEqual(active.responses(), [held[0]]);
    held[0]?.end('one');
    assert.equal(await first, 200);
    assert.deepEqual(active.responses(), [], 'an idle keep-alive connection holds no request in flight');
    inHandler = new Promise<void>((resolve) => (entered = resolve));
    const second = get();
    await inHandler;
    assert.deepEqual(active.responses(), [held[1]], 'the second request on the same connection is in flight');
    held[1]?.end('two');
    assert.equal(await second, 200);
    assert.deepEqual(active.responses(), []);
  } finally {
    agent.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
