// FileStore on a full disk: a clean 503 while no byte can be written, no session corrupted or
// lost, and service back by itself once space is freed. The disk is a tiny tmpfs, which needs
// root (CI and this project's machines run as root); elsewhere the test says why it skips.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createApp } from '../../src/http/app.js';
import type { Context } from '../../src/http/context.js';
import { FileStore } from '../../src/session/file-store.js';
import { testKeyring } from '../session/server-store-fixture.js';

const root = mkdtempSync(join(tmpdir(), 'cachet-full-'));
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
const skip = mountTinyDisk();
after(() => {
  if (skip === undefined) execFileSync('umount', [disk]);
  rmSync(root, { recursive: true, force: true });
});

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

test('a full disk answers 503, corrupts no session, and recovers when space is freed', { skip: skip ?? false }, async () => {
  const keyring = await testKeyring();
  const store = new FileStore<{ n?: number; pad?: string }>({ keyring, dir: join(disk, 'sessions'), sweepInterval: 0, durable: false, cookie: { prefix: '', secure: false } });
  const errors: unknown[] = [];
  const app = createApp({ accessLog: false, logger: { error: (err) => errors.push(err) } });
  app.get('/', async (ctx: Context) => {
    const session = await store.get(ctx, 'visits');
    session.values.n = (session.values.n ?? 0) + 1;
    session.values.pad = 'x'.repeat(2048); // every write needs fresh blocks
    ctx.text(String(session.values.n));
  });
  const server = await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  let cookie = '';
  const visit = async () => {
    const res = await fetch(url, { headers: cookie === '' ? {} : { cookie } });
    const set = res.headers.getSetCookie()[0];
    if (set !== undefined) cookie = set.split(';')[0] ?? '';
    return { status: res.status, body: await res.text() };
  };
  try {
    assert.deepEqual(await visit(), { status: 200, body: '1' });
    assert.deepEqual(await visit(), { status: 200, body: '2' });
    const fillers = fill(disk);
    assert.ok(fillers.length > 0);

    for (let i = 0; i < 3; i++) assert.deepEqual(await visit(), { status: 503, body: 'Service Unavailable\n' });
    assert.equal(errors.length, 3, 'each refusal is logged');
    assert.deepEqual(readdirSync(join(disk, 'sessions', 'tmp')), [], 'no half-written temp file is left behind');

    for (const file of fillers) rmSync(file);
    // The session saved before the disk filled is intact and continues where it stopped.
    assert.deepEqual(await visit(), { status: 200, body: '3' });
    assert.deepEqual(await visit(), { status: 200, body: '4' });
  } finally {
    await app.close();
    await store.close();
  }
});
