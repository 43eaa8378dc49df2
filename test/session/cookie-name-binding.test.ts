// The full cookie name, prefix included, is bound into every value's authentication
// (docs/cookie-format.md). Planted-bug guard: a store that bound the name *without* its prefix
// would accept a value set as `__Secure-session` or plain `session` (which a subdomain or a plain
// http:// page can plant, RFC 6265bis §4.1.3) as its `__Host-session`, defeating the prefix.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '../../src/keys/keyring.js';
import { generateKey } from '../../src/keys/generate.js';
import { CookieStore } from '../../src/session/cookie-store/cookie-store.js';
import type { DecodeErrorCode } from '../../src/errors.js';
import { Browser, serve } from './harness.js';

const keyring = await Keyring.create([generateKey('k')]);
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

type Prefix = '__Host-' | '__Secure-' | '';
const PREFIXES: Prefix[] = ['__Host-', '__Secure-', ''];

async function stores(mode: 'sealed' | 'signed', cache: boolean) {
  const rejected: DecodeErrorCode[] = [];
  const byPrefix = new Map<Prefix, CookieStore<{ user?: string }>>();
  for (const prefix of PREFIXES) {
    byPrefix.set(prefix, new CookieStore<{ user?: string }>({
      keyring,
      mode,
      cache,
      cookie: prefix === '' ? { prefix, secure: false } : { prefix },
      onDecodeError: (code) => { rejected.push(code); },
    }));
  }
  const server = await serve(async (ctx) => {
    const prefix = (ctx.url.searchParams.get('p') ?? '') as Prefix;
    const store = byPrefix.get(prefix)!;
    const session = await store.get(ctx, 'session');
    if (ctx.url.pathname === '/set') session.values.user = 'alice';
    return { user: session.values.user ?? null, isNew: session.isNew };
  });
  closers.push(server.close);
  return { url: server.url, rejected };
}

for (const mode of ['sealed', 'signed'] as const) {
  for (const cache of [true, false]) {
    test(`${mode}${cache ? '' : ', no cache'}: a value made under one prefix is refused under each other prefix of the same name`, async () => {
      const { url, rejected } = await stores(mode, cache);
      for (const from of PREFIXES) {
        const maker = new Browser(url);
        await maker.get(`/set?p=${from}`);
        const value = maker.jar.get(`${from}session`);
        assert.ok(value !== undefined, `a ${from || 'plain'} cookie was set`);
        // It opens where it was made (the control: the value itself is good)...
        const home = new Browser(url);
        home.jar.set(`${from}session`, value);
        assert.deepEqual((await home.get(`/read?p=${from}`)).body, { user: 'alice', isNew: false });
        // ...and under no other prefix.
        for (const to of PREFIXES.filter((p) => p !== from)) {
          const before = rejected.length;
          const moved = new Browser(url);
          moved.jar.set(`${to}session`, value);
          assert.deepEqual((await moved.get(`/read?p=${to}`)).body, { user: null, isNew: true }, `${from || 'plain'} -> ${to || 'plain'}`);
          assert.equal(rejected.length, before + 1, 'the moved value is reported as a decode failure');
        }
      }
    });
  }
}
