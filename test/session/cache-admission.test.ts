// docs/sessions.md: the verified cache holds only values that decoded successfully, so a client
// that sends garbage or forged values (each one a miss, each one a decrypt) cannot evict the
// entries of real sessions. Observed from outside by counting the AES-GCM decrypts made.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '../../src/keys/keyring.js';
import { generateKey } from '../../src/keys/generate.js';
import { CookieStore } from '../../src/session/cookie-store/cookie-store.js';
import { Browser, serve } from './harness.js';

const subtle = globalThis.crypto.subtle;
const realDecrypt = subtle.decrypt;
let decrypts = 0;
Object.defineProperty(subtle, 'decrypt', {
  configurable: true,
  writable: true,
  value: function (this: SubtleCrypto, ...args: Parameters<SubtleCrypto['decrypt']>) {
    decrypts++;
    return realDecrypt.apply(this, args);
  },
});
after(() => {
  delete (subtle as unknown as Record<string, unknown>)['decrypt'];
});

test('garbage and forged values never enter the verified cache, so they cannot evict a real session', async () => {
  const store = new CookieStore<{ n?: number }>({ keyring: await Keyring.create([generateKey('k')]), cache: { maxEntries: 2 } });
  const server = await serve(async (ctx) => {
    const session = await store.get(ctx, 'session');
    if (ctx.url.pathname === '/inc') session.values.n = (session.values.n ?? 0) + 1;
    return { n: session.values.n ?? null };
  });
  try {
    const alice = new Browser(server.url);
    await alice.get('/inc');
    const good = alice.jar.get('__Host-session')!;
    const start = decrypts;
    assert.deepEqual((await alice.get('/read')).body, { n: 1 });
    assert.equal(decrypts, start, 'the value the store wrote is already verified: no decrypt');

    // Forged values: the real one with one character changed in the ciphertext, each a fresh miss
    // that reaches AES-GCM and fails; and junk that fails before it.
    const parts = good.split('.');
    const attacker = new Browser(server.url);
    for (let i = 0; i < 20; i++) {
      const forged = [...parts];
      const ct = forged[5]!;
      forged[5] = ct.slice(0, i) + (ct[i] === 'A' ? 'B' : 'A') + ct.slice(i + 1);
      attacker.jar.set('__Host-session', forged.join('.'));
      assert.deepEqual((await attacker.get('/read')).body, { n: null });
      attacker.jar.set('__Host-session', `junk${i}`);
      assert.deepEqual((await attacker.get('/read')).body, { n: null });
    }
    assert.ok(decrypts >= start + 20, 'the forged values reached the cipher');

    const beforeGood = decrypts;
    assert.deepEqual((await alice.get('/read')).body, { n: 1 });
    assert.equal(decrypts, beforeGood, 'the real session is still a hit in a cache of 2 entries');
  } finally {
    await server.close();
  }
});
