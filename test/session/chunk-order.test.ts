// docs/cookies.md and docs/sessions.md promise that a reordered chunk fails: the chunks are joined
// and the joined value is authenticated as one piece. Swapping two *full* chunks keeps every
// layout rule (same count, same lengths), so only the authentication can catch it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '../../src/keys/keyring.js';
import { generateKey } from '../../src/keys/generate.js';
import { CookieStore } from '../../src/session/cookie-store/cookie-store.js';
import type { DecodeErrorCode } from '../../src/errors.js';
import { Browser, serve } from './harness.js';

for (const mode of ['sealed', 'signed'] as const) {
  test(`${mode}: a session whose two full chunks are swapped is refused as tampered, and the original order still opens`, async () => {
    const rejected: DecodeErrorCode[] = [];
    const store = new CookieStore<{ big?: string }>({ keyring: await Keyring.create([generateKey('k')]), mode, chunking: true, cache: false, onDecodeError: (code) => { rejected.push(code); } });
    const server = await serve(async (ctx) => {
      const session = await store.get(ctx, 'session');
      // Random text: it does not compress, and in signed mode it is readable, so chunk 0 and 1 differ.
      if (ctx.url.pathname === '/big') session.values.big = Array.from(crypto.getRandomValues(new Uint8Array(7000)), (b) => (b % 36).toString(36)).join('');
      return { length: session.values.big?.length ?? null };
    });
    try {
      const browser = new Browser(server.url);
      await browser.get('/big');
      const names = [...browser.jar.keys()].sort();
      assert.deepEqual(names, ['__Host-session.0', '__Host-session.1', '__Host-session.2']);
      const [c0, c1] = [browser.jar.get('__Host-session.0')!, browser.jar.get('__Host-session.1')!];
      assert.equal(c0.length, c1.length, 'two full chunks: swapping them keeps the layout');
      assert.notEqual(c0, c1);
      assert.deepEqual((await browser.get('/read')).body, { length: 7000 }, 'the control: in order, it opens');

      browser.jar.set('__Host-session.0', c1);
      browser.jar.set('__Host-session.1', c0);
      assert.deepEqual((await browser.get('/read')).body, { length: null });
      assert.deepEqual(rejected, ['ERR_COOKIE_TAMPERED']);
    } finally {
      await server.close();
    }
  });
}
