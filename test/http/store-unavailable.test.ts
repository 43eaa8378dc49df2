// Session storage that is down answers 503 through the real app, and service resumes by itself.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createClient } from 'redis';
import { createApp } from '../../src/http/app.js';
import type { Context } from '../../src/http/context.js';
import { FileStore } from '../../src/session/server-store/file/file-store.js';
import { RedisStore } from '../../src/session/server-store/redis/redis-store.js';
import type { ServerSideStore } from '../../src/session/server-store/server-store.js';
import { RedisServer, redisSkipReason } from '../session/redis-server.js';
import { testKeyring } from '../session/server-store-fixture.js';

const keyring = await testKeyring();
const root = mkdtempSync(join(tmpdir(), 'cachet-503-'));
after(() => {
  if (diskSkip === undefined) execFileSync('umount', [disk]); // before the directory under it goes
  rmSync(root, { recursive: true, force: true });
});

/** An app counting visits in a session; returns its URL, the logged errors and a closer. */
async function serveCounter(store: ServerSideStore<{ n?: number }>) {
  const errors: unknown[] = [];
  const app = createApp({ accessLog: false, logger: { error: (err) => errors.push(err) } });
  app.get('/', async (ctx: Context) => {
    const session = await store.get(ctx, 'visits');
    session.values.n = (session.values.n ?? 0) + 1;
    ctx.text(String(session.values.n));
  });
  const server = await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  let cookie = '';
  const visit = async () => {
    const res = await fetch(url, { headers: cookie === '' ? {} : { cookie } });
    const set = res.headers.getSetCookie()[0];
    if (set !== undefined) cookie = set.split(';')[0] ?? '';
    return { status: res.status, body: await res.text(), retryAfter: res.headers.get('retry-after'), setCookie: set };
  };
  return { visit, errors, close: () => app.close() };
}

// A full disk is a tiny tmpfs, which needs root (CI and this project's machines run as root);
// elsewhere the test says why it skips. Under CI=true a skip is an error instead, as for the Redis
// tests: the disk-full path must never go untested silently where it can run.
const disk = join(root, 'disk');
mkdirSync(disk);
function mountTinyDisk(): string | undefined {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', disk], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return `cannot mount a tmpfs here: ${String((err as Error).message).split('\n')[0]}`;
  }
}
const diskSkip = mountTinyDisk();
if (diskSkip !== undefined && process.env.CI === 'true') {
  throw new Error(`the disk-full test cannot run (${diskSkip}) but CI=true: CI must run it as root, where mount works`);
}

/** Fills the disk until the kernel says ENOSPC; returns the filler files to free it later. */
function fill(dir: string): string[] {
  const files: string[] = [];
  for (let i = 0; ; i++) {
    const file = join(dir, `filler-${i}`);
    try {
      writeFileSync(file, Buffer.alloc(4096, 1));
      files.push(file);
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
      rmSync(file, { force: true });
      return files;
    }
  }
}

function assertUnavailable(r: { status: number; body: string; retryAfter: string | null; setCookie: string | undefined }): void {
  assert.equal(r.status, 503);
  assert.equal(r.body, 'Service Unavailable\n', 'no detail, no stack');
  assert.equal(r.retryAfter, '5');
  assert.equal(r.setCookie, undefined, 'no session cookie rides on a failed response');
}

describe('session storage down, through the app', () => {
  it('answers 503 while the FileStore directory cannot be written, and 200 once it can', async () => {
    const dir = join(root, 'sessions');
    const store = new FileStore<{ n?: number }>({ keyring, dir, sweepInterval: 0, durable: false, cookie: { prefix: '', secure: false } });
    const app = await serveCounter(store);
    try {
      assert.deepEqual(await app.visit().then((r) => [r.status, r.body]), [200, '1']);
      rmSync(dir, { recursive: true });
      writeFileSync(dir, 'a file where the directory should be');
      assertUnavailable(await app.visit());
      assert.equal(app.errors.length, 1, 'logged once');
      rmSync(dir);
      mkdirSync(dir);
      // The session is gone with the old directory: a fresh one, served normally again.
      assert.deepEqual(await app.visit().then((r) => [r.status, r.body]), [200, '1']);
      assert.deepEqual(await app.visit().then((r) => [r.status, r.body]), [200, '2']);
    } finally {
      await app.close();
      await store.close();
    }
  });

  it('answers 503 while Redis is down and resumes when it is back, without a restart', { skip: redisSkipReason ?? false }, async () => {
    const redis = await RedisServer.start();
    const client = createClient({ url: redis.url, disableOfflineQueue: true, socket: { reconnectStrategy: () => 20 } });
    client.on('error', () => undefined);
    await client.connect();
    const store = new RedisStore<{ n?: number }>({ keyring, client, cookie: { prefix: '', secure: false } });
    const app = await serveCounter(store);
    try {
      assert.equal((await app.visit()).body, '1');
      assert.equal((await app.visit()).body, '2');
      await redis.stop();
      assertUnavailable(await app.visit());
      assertUnavailable(await app.visit());
      const ready = new Promise<void>((resolve) => client.once('ready', () => resolve()));
      await redis.restart();
      await ready;
      assert.deepEqual(await app.visit().then((r) => [r.status, r.body]), [200, '1'], 'the restarted server kept nothing');
      assert.deepEqual(await app.visit().then((r) => [r.status, r.body]), [200, '2']);
    } finally {
      await app.close();
      client.destroy();
      await redis.close();
    }
  });
  it('a full disk answers 503, corrupts no session, and recovers when space is freed', { skip: diskSkip ?? false }, async () => {
    const store = new FileStore<{ n?: number }>({ keyring, dir: join(disk, 'sessions'), sweepInterval: 0, durable: false, cookie: { prefix: '', secure: false } });
    const app = await serveCounter(store);
    try {
      assert.deepEqual(await app.visit().then((r) => [r.status, r.body]), [200, '1']);
      assert.deepEqual(await app.visit().then((r) => [r.status, r.body]), [200, '2']);
      const fillers = fill(disk);
      assert.ok(fillers.length > 0);
      for (let i = 0; i < 3; i++) assertUnavailable(await app.visit());
      assert.equal(app.errors.length, 3, 'each refusal is logged');
      assert.deepEqual(readdirSync(join(disk, 'sessions', 'tmp')), [], 'no half-written temp file is left behind');
      for (const file of fillers) rmSync(file);
      // The session saved before the disk filled is intact and continues where it stopped.
      assert.deepEqual(await app.visit().then((r) => [r.status, r.body]), [200, '3']);
      assert.deepEqual(await app.visit().then((r) => [r.status, r.body]), [200, '4']);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
