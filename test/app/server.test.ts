import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { readKeyFile, rotateKeys, writeKeyFile } from '../../src/app/key-file.js';
import { csrfFrom, TestBrowser } from '../helpers/browser-client.js';
import { spawnServer } from '../helpers/spawn-server.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * A login request in flight that never ends by itself: its body is announced and never sent. The
 * interim 100 Continue says the server has parsed it, so it is in flight when a signal lands.
 */
async function loginInFlight(port: string): Promise<Socket> {
  const socket = connect(Number(port), '127.0.0.1');
  socket.on('error', () => {});
  const parsed = new Promise<void>((resolve) => socket.on('data', (d) => { if (d.toString().startsWith('HTTP/1.1 100')) resolve(); }));
  socket.write('POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n');
  await parsed;
  return socket;
}

test('starts with zero configuration, prints the demo password once, reloads keys on SIGHUP and stops on SIGTERM', async () => {
  const dir = join(tempDir(), 'data');
  const server = spawnServer(['--port', '0'], { CACHET_DATA_DIR: dir });
  const [, password] = await server.waitFor(/user "demo" with password (\S+)/);
  const [, origin] = await server.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
  assert.match(server.output(), /created .*keys\.json with key \S+/);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(join(dir, 'keys.json')).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'users.json')).mode & 0o777, 0o600);

  const browser = new TestBrowser(origin!);
  const form = await browser.get('/login');
  const login = await browser.post('/login', { username: 'demo', password: password!, _csrf: csrfFrom(form.body) });
  assert.equal(login.status, 303);
  assert.equal((await browser.get('/')).status, 200);
  assert.equal((await browser.get('/explain')).status, 200);

  const rotated = rotateKeys(readKeyFile(dir)!);
  writeKeyFile(dir, rotated);
  server.child.kill('SIGHUP');
  await server.waitFor(new RegExp(`keys reloaded; primary is ${rotated[0]!.id}`));
  const home = await browser.get('/');
  assert.equal(home.status, 200);
  assert.ok(browser.jar.get('__Host-session')!.startsWith(`1s.${rotated[0]!.id}.`));

  server.child.kill('SIGTERM');
  assert.deepEqual(await server.exited, { code: 0, signal: null });
  assert.ok(!server.output().includes(browser.jar.get('__Host-session')!));

  const again = spawnServer(['--port', '0', '--no-explain'], { CACHET_DATA_DIR: dir });
  const [, origin2] = await again.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
  assert.doesNotMatch(again.output(), /password/);
  assert.equal((await new TestBrowser(origin2!).get('/explain')).status, 404);
  again.child.kill('SIGTERM');
  assert.equal((await again.exited).code, 0);
});

test('a second signal while draining says so, with the requests it cuts, and exits with status 1', async () => {
  const dir = join(tempDir(), 'data');
  const server = spawnServer(['--port', '0'], { CACHET_DATA_DIR: dir });
  const [, port] = await server.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
  const socket = await loginInFlight(port!);
  server.child.kill('SIGTERM');
  await server.waitFor(/SIGTERM received: shutting down, waiting for 1 request\(s\) in flight/);
  server.child.kill('SIGINT');
  assert.deepEqual(await server.exited, { code: 1, signal: null });
  assert.match(server.output(), /cachet: SIGINT received again: exiting at once with status 1; 1 request\(s\) in flight cut\n/);
  socket.destroy();
});

test('with --workers, a second signal to the primary ends the workers at once too, each saying what it cut', async () => {
  const dir = join(tempDir(), 'data');
  const server = spawnServer(['--port', '0', '--workers', '2'], { CACHET_DATA_DIR: dir, NODE_ENV: 'production' });
  const [, port] = await server.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+) with 2 workers/);
  const socket = await loginInFlight(port!);
  server.child.kill('SIGTERM');
  const [, holder] = await server.waitFor(/worker (\d+): stop request from the primary received: shutting down, waiting for 1 request\(s\) in flight/);
  server.child.kill('SIGTERM');
  // `exited` waits for the output pipes, which the workers share: they have ended too, without
  // draining on as orphans until their own deadline.
  assert.deepEqual(await server.exited, { code: 1, signal: null });
  assert.match(server.output(), /cachet: SIGTERM received again: the workers stop at once, cutting their requests in flight; exiting with status 1\n/);
  assert.match(server.output(), new RegExp(`cachet: worker ${holder}: SIGTERM received again: exiting at once with status 1; 1 request\\(s\\) in flight cut\n`));
  socket.destroy();
});

test('prints every flag with --help and refuses an unknown flag', async () => {
  const help = spawnServer(['--help'], {});
  assert.equal((await help.exited).code, 0);
  assert.match(help.output(), /--port[\s\S]*--workers[\s\S]*CACHET_KEYS[\s\S]*SIGHUP/);
  const bad = spawnServer(['--bogus'], {});
  assert.equal((await bad.exited).code, 2);
  assert.match(bad.output(), /unknown option "--bogus"/);
});

test('runs workers that share the port and pass SIGHUP on', async () => {
  const dir = tempDir();
  const server = spawnServer(['--port', '0', '--workers', '2'], { CACHET_DATA_DIR: dir, NODE_ENV: 'production' });
  const [, origin] = await server.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+) with 2 workers/);
  assert.equal((await new TestBrowser(origin!).get('/healthz')).status, 200);
  assert.equal((await new TestBrowser(origin!).get('/explain')).status, 404);
  server.child.kill('SIGHUP');
  await server.waitFor(/keys reloaded[\s\S]*keys reloaded/);
  server.child.kill('SIGTERM');
  assert.equal((await server.exited).code, 0);
});

test('with --workers, each worker stopped by the primary\'s SIGTERM logs its requests in flight and exits 0', async () => {
  // The workers used to drain and exit on the primary's request without a word and without the
  // app's own close (with --redis, the last try to write queued revocations).
  const dir = tempDir();
  const server = spawnServer(['--port', '0', '--workers', '2'], { CACHET_DATA_DIR: dir, NODE_ENV: 'production' });
  await server.waitFor(/listening on http:\/\/127\.0\.0\.1:\d+ with 2 workers/);
  server.child.kill('SIGTERM');
  assert.deepEqual(await server.exited, { code: 0, signal: null });
  const stops = server.output().match(/cachet: worker \d+: stop request from the primary received: shutting down, waiting for 0 request\(s\) in flight/g) ?? [];
  const stopped = server.output().match(/cachet: worker \d+: stopped; 0 of 0 request\(s\) in flight finished/g) ?? [];
  assert.equal(stops.length, 2, server.output());
  assert.equal(stopped.length, 2, server.output());
});

test('with --workers, the primary logs a worker that dies while serving', { timeout: 30_000, skip: process.platform !== 'linux' && 'finds the worker pids in /proc' }, async () => {
  const dir = tempDir();
  const server = spawnServer(['--port', '0', '--workers', '2'], { CACHET_DATA_DIR: dir, NODE_ENV: 'production' });
  await server.waitFor(/listening on http:\/\/127\.0\.0\.1:\d+ with 2 workers/);
  // The child spawned is node running the primary; its children are the workers.
  const pid = server.child.pid!;
  const workers = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  assert.equal(workers.length, 2);
  process.kill(workers[0]!, 'SIGKILL');
  await server.waitFor(new RegExp(`cachet: worker ${workers[0]} exited \\(SIGKILL\\) while serving; the primary starts another`));
  server.child.kill('SIGTERM');
  assert.deepEqual(await server.exited, { code: 0, signal: null });
  assert.doesNotMatch(server.output(), /exited \(status 0\) while serving/);
});
