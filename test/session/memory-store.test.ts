import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionError } from '../../src/errors.js';
import { SessionTooLargeError } from '../../src/session/core/session-too-large-error.js';
import { MemoryStore } from '../../src/session/server-store/memory/memory-store.js';
import type { SessionContext } from '../../src/session/core/types.js';
import { testKeyring } from './server-store-fixture.js';
import { type CaseValues, runStoreCases } from './store.case.js';

const keyring = await testKeyring();

runStoreCases({
  name: 'MemoryStore',
  serverSide: true,
  create: (options) => new MemoryStore<CaseValues>({ ...options, keyring, maxEntries: 100 }),
});

/** A request with the given cookies that records what the store stages. */
function request(cookies: Record<string, string> = {}) {
  const hooks: (() => void | Promise<void>)[] = [];
  const set = new Map<string, string>();
  const ctx: SessionContext = {
    cookies,
    setCookie: (name, value) => { set.set(name, value); },
    deleteCookie: (name) => { set.set(name, ''); },
    onBeforeSend: (hook) => { hooks.push(hook); },
  };
  return { ctx, set, send: async () => { for (const h of hooks) await h(); } };
}

describe('MemoryStore', () => {
  it('logs out the least recently used session when it is full', async () => {
    const store = new MemoryStore<{ n?: number }>({ keyring, maxEntries: 2 });
    const cookies: Record<string, string>[] = [];
    for (let i = 0; i < 3; i++) {
      const r = request();
      (await store.get(r.ctx, 's')).values.n = i;
      await r.send();
      cookies.push({ '__Host-s': r.set.get('__Host-s') ?? '' });
    }
    const first = request(cookies[0]);
    assert.equal((await store.get(first.ctx, 's')).isNew, true, 'the oldest was evicted');
    const third = request(cookies[2]);
    assert.equal((await store.get(third.ctx, 's')).values.n, 2);
  });

  it('refuses a missing keyring or a bad maxEntries at construction', () => {
    for (const bad of [{}, { keyring, maxEntries: 0 }, { keyring, maxEntries: 1.5 }, { keyring, maxEntries: Number.POSITIVE_INFINITY }]) {
      assert.throws(() => new MemoryStore(bad as never), (err: SessionError) => err instanceof SessionError && err.code === 'ERR_OPTIONS_INVALID' && err.kind === 'usage');
    }
    assert.throws(() => new MemoryStore(undefined as never), TypeError);
  });

  it('refuses a bad maxBytes or maxDataBytes at construction, and takes Infinity to turn maxDataBytes off', () => {
    const bad = [
      { maxBytes: 0 }, { maxBytes: 1.5 }, { maxBytes: Number.POSITIVE_INFINITY }, { maxBytes: '1000' },
      { maxDataBytes: 0 }, { maxDataBytes: -1 }, { maxDataBytes: 2.5 }, { maxDataBytes: Number.NaN }, { maxDataBytes: '1000' },
    ];
    for (const options of bad) {
      assert.throws(() => new MemoryStore({ keyring, ...options } as never), (err: SessionError) => err.code === 'ERR_OPTIONS_INVALID' && err.kind === 'usage', JSON.stringify(options));
    }
    assert.doesNotThrow(() => new MemoryStore({ keyring, maxDataBytes: Number.POSITIVE_INFINITY, maxBytes: 1 }));
  });

  it('refuses a session past 64 KiB of values by default, and keeps any size with maxDataBytes: Infinity', async () => {
    // {"big":"x…x"}: 10 bytes around the text.
    const attempt = async (store: MemoryStore<{ big?: string }>, length: number) => {
      const r = request();
      (await store.get(r.ctx, 's')).values.big = 'x'.repeat(length);
      try {
        await r.send();
        return r.set.has('__Host-s') ? 'written' : 'not written';
      } catch (err) {
        return err instanceof SessionTooLargeError ? `refused: ${err.size} over ${err.limit}` : 'other error';
      }
    };
    const bounded = new MemoryStore<{ big?: string }>({ keyring });
    assert.equal(await attempt(bounded, 65_536 - 10), 'written');
    assert.equal(await attempt(bounded, 65_536 - 9), 'refused: 65537 over 65536');
    const unbounded = new MemoryStore<{ big?: string }>({ keyring, maxDataBytes: Number.POSITIVE_INFINITY });
    assert.equal(await attempt(unbounded, 1_000_000), 'written');
  });

  it('applies the shared cookie option checks', () => {
    assert.throws(() => new MemoryStore({ keyring, cookie: { secure: false } }), { code: 'ERR_OPTIONS_INVALID' });
  });
});
