import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { SessionError } from '../../src/errors.js';
import { FileStore } from '../../src/session/server-store/file/file-store.js';
import { Browser, serve } from './harness.js';
import { testKeyring } from './server-store-fixture.js';
import { type CaseValues, runStoreCases } from './store.case.js';

const keyring = await testKeyring();
const root = mkdtempSync(join(tmpdir(), 'cachet-filestore-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const stores: FileStore[] = [];
after(async () => { for (const s of stores) await s.close(); });

runStoreCases({
  name: 'FileStore',
  serverSide: true,
  create: (options) => {
    const store = new FileStore<CaseValues>({ ...options, keyring, dir: join(root, `case-${n++}`), durable: false });
    stores.push(store as FileStore);
    return store;
  },
});

describe('FileStore', () => {
  it('keeps sessions across a restart of the app', async () => {
    const dir = join(root, 'restart');
    const app = async (store: FileStore<{ n?: number }>) =>
      serve(async (ctx) => {
        const session = await store.get(ctx, 'session');
        session.values.n = (session.values.n ?? 0) + 1;
        return session.values.n;
      });
    const first = new FileStore<{ n?: number }>({ keyring, dir, sweepInterval: 0 });
    const before = await app(first);
    const browser = new Browser(before.url);
    assert.equal((await browser.get('/')).body, 1);
    await before.close();
    await first.close();

    const second = new FileStore<{ n?: number }>({ keyring, dir, sweepInterval: 0 });
    const afterRestart = await app(second);
    const again = new Browser(afterRestart.url);
    for (const [k, v] of browser.jar) again.jar.set(k, v);
    assert.equal((await again.get('/')).body, 2);
    await afterRestart.close();
    await second.close();
  });

  it('sweeps on demand', async () => {
    let clock = Date.UTC(2026, 10, 26);
    const dir = join(root, 'sweep');
    const store = new FileStore({ keyring, dir, sweepInterval: 0, idleTimeout: 60, now: () => clock });
    const hooks: (() => Promise<void> | void)[] = [];
    const ctx = { cookies: {}, setCookie: () => undefined, deleteCookie: () => undefined, onBeforeSend: (h: () => Promise<void> | void) => { hooks.push(h); } };
    (await store.get(ctx, 's')).values.x = 1;
    for (const h of hooks) await h();
    assert.equal(readdirSync(join(dir, 'sessions')).length, 1);
    clock += 60_000;
    assert.equal(await store.sweep(), 1);
    assert.deepEqual(readdirSync(join(dir, 'sessions')), []);
    await store.close();
  });

  it('fails with ERR_STORE_UNAVAILABLE, not a fresh session, when its directory cannot be written', async () => {
    const dir = join(root, 'blocked');
    writeFileSync(dir, 'a file where the directory should be');
    const store = new FileStore({ keyring, dir, sweepInterval: 0 });
    const ctx = { cookies: {}, setCookie: () => undefined, deleteCookie: () => undefined, onBeforeSend: () => undefined };
    const session = await store.get(ctx, 's'); // no cookie: nothing to read yet
    session.values.x = 1;
    await assert.rejects(session.save(), (err: SessionError) => err.code === 'ERR_STORE_UNAVAILABLE' && err.kind === 'internal');
  });

  it('refuses a missing dir or a bad sweepInterval at construction', () => {
    for (const bad of [{ keyring }, { keyring, dir: '' }, { keyring, dir: 'x', sweepInterval: -1 }, { keyring, dir: 'x', sweepInterval: Number.NaN }]) {
      assert.throws(() => new FileStore(bad as never), { code: 'ERR_OPTIONS_INVALID' });
    }
  });

  it('reports corrupt records through console.warn by default', async () => {
    const dir = join(root, 'warn');
    const store = new FileStore({ keyring, dir, sweepInterval: 0 });
    await store.sweep(); // creates the directories
    writeFileSync(join(dir, 'sessions', 'AAAAAAAAAAAAAAAAAAAAAA.json'), '{');
    const lines: unknown[] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => { lines.push(args.join(' ')); };
    try {
      await store.sweep();
    } finally {
      console.warn = original;
    }
    assert.equal(lines.length, 1);
    assert.match(String(lines[0]), /^cachet: FileStore: ignored an unreadable session record .* \[ERR_STORE_CORRUPT\] \(not JSON\)$/);
    await store.close();
  });
});
