import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { CookieCodec } from '../../src/codec/cookie-codec.js';
import { MemoryRecords } from '../../src/session/server-store/memory/memory-records.js';
import { fake, TestServerStore, testKeyring } from './server-store-fixture.js';

const keyring = await testKeyring();

describe('ServerSideStore verified-value cache', () => {
  const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);

  async function withSession(options: { cache?: false }) {
    let clock = T0;
    const store = new TestServerStore<{ x?: number }>(new MemoryRecords({ maxEntries: 10, now: () => clock }), {
      keyring, now: () => clock, idleTimeout: 100, absoluteTimeout: 1000, ...options,
    });
    const first = fake();
    (await store.get(first.ctx, 's')).values.x = 1;
    await first.send();
    const cookies = { '__Host-s': first.set.get('__Host-s') ?? '' };
    const decode = mock.method(CookieCodec.prototype, 'decode');
    const read = async () => {
      const r = fake(cookies);
      const session = await store.get(r.ctx, 's');
      await r.send();
      return session;
    };
    return { store, read, decode, tick: (ms: number) => { clock += ms; } };
  }

  it('checks the signature of a repeated cookie once', async (t) => {
    const { read, decode } = await withSession({});
    t.after(() => decode.mock.restore());
    for (let i = 0; i < 3; i++) assert.equal((await read()).values.x, 1);
    assert.equal(decode.mock.callCount(), 0, 'the value was remembered when it was issued');
  });

  it('still refuses a cached cookie once its signed lifetime is over', async (t) => {
    const { read, decode, tick } = await withSession({});
    t.after(() => decode.mock.restore());
    assert.equal((await read()).isNew, false);
    tick(100_000 + 30_001); // past the value's expiry and the codec's clock skew
    assert.equal((await read()).isNew, true);
    assert.equal(decode.mock.callCount(), 1, 'the expired hit was decoded again, and refused');
  });

  it('forgets verified cookies when the keyring changes', async (t) => {
    const { store, read, decode } = await withSession({});
    t.after(() => decode.mock.restore());
    assert.equal((await read()).isNew, false);
    const { Keyring } = await import('../../src/keys/keyring.js');
    const other = await Keyring.create([{ id: 'other', secret: 'b3RoZXIga2V5IG9mIHRoaXJ0eS10d28gYnl0ZXMgbG9uZw' }]);
    store.keyring = other;
    assert.equal(store.keyring, other);
    assert.equal((await read()).isNew, true, 'the old key no longer verifies it');
  });

  it('checks every time with cache: false', async (t) => {
    const { read, decode } = await withSession({ cache: false });
    t.after(() => decode.mock.restore());
    await read();
    await read();
    assert.equal(decode.mock.callCount(), 2);
  });
});
