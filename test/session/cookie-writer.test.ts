import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionCookieWriter } from '../../src/session/core/cookie-writer.js';
import { resolveStoreOptions, type SessionStoreOptions } from '../../src/session/core/store-options.js';
import { serializeCookie } from '../../src/cookie/serialize.js';
import type { SessionContext, SessionCookieAttributes } from '../../src/session/core/types.js';

/** A context that records what it was asked to stage, with or without setCookieHeader. */
function recorder(withHeader: boolean) {
  const staged = new Map<string, string>();
  const ctx: SessionContext = {
    cookies: {},
    setCookie: (name: string, value: string, attributes: SessionCookieAttributes) => { staged.set(name, serializeCookie(name, value, attributes)); },
    deleteCookie: () => {},
    onBeforeSend: () => {},
    ...(withHeader ? { setCookieHeader: (name: string, header: string) => { staged.set(name, header); } } : {}),
  };
  return { ctx, staged };
}

test('a ready-made Set-Cookie and setCookie with the attributes put the same bytes on the wire', () => {
  const configs: SessionStoreOptions[] = [
    {},
    { cookie: { prefix: '__Secure-', domain: 'example.com', path: '/app', sameSite: 'Strict', partitioned: true } },
    { cookie: { maxAge: 600 } },
    { cookie: { maxAge: 'session', httpOnly: false } },
    { cookie: { prefix: '', secure: false } },
  ];
  for (const config of configs) {
    const options = resolveStoreOptions(config);
    const writer = new SessionCookieWriter(options);
    const fast = recorder(true);
    const plain = recorder(false);
    for (const [name, value, life] of [[`${options.prefix}session`, 'abc.def', 1800], [`${options.prefix}other`, 'x-y_z', 7], [`${options.prefix}session`, 'second', 60]] as const) {
      writer.write(fast.ctx, name, value, life);
      writer.write(plain.ctx, name, value, life);
      assert.equal(fast.staged.get(name), plain.staged.get(name), JSON.stringify(config));
    }
    const written = fast.staged.get(`${options.prefix}session`) ?? '';
    if (config.cookie?.maxAge === 'session') assert.doesNotMatch(written, /Max-Age/);
    else assert.match(written, new RegExp(`Max-Age=${config.cookie?.maxAge ?? 60}(;|$)`));
  }
});
