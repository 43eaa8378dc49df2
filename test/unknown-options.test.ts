// Every public options bag refuses a key it does not know (ERR_OPTIONS_UNKNOWN, kind usage), with
// a message naming the key, and still accepts its valid keys. One table, one row per bag; nested
// bags (a store's `cookie`, the app's `body`) have rows of their own.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createNodeServer } from 'node:http';
import { SessionError, checkOptionKeys } from '../src/errors.js';
import { Keyring } from '../src/keys/keyring.js';
import { generateKey } from '../src/keys/generate.js';
import { CookieCodec } from '../src/codec/cookie-codec.js';
import { prepareCookie, serializeCookie, serializeCookieDeletion } from '../src/cookie/serialize.js';
import { findCookie, parseCookies } from '../src/cookie/parse.js';
import { joinCookieChunks, splitCookieValue } from '../src/cookie/chunk.js';
import { VerifiedCache } from '../src/session/core/verified-cache.js';
import { CookieStore } from '../src/session/cookie-store/cookie-store.js';
import { MemoryStore } from '../src/session/server-store/memory/memory-store.js';
import { FileStore } from '../src/session/server-store/file/file-store.js';
import { RedisStore } from '../src/session/server-store/redis/redis-store.js';
import type { RedisClientLike } from '../src/session/server-store/redis/redis-records.js';
import { Router } from '../src/http/router/radix.js';
import { LinearRouter } from '../src/http/router/linear.js';
import { createApp } from '../src/http/app.js';
import { createServer } from '../src/http/server.js';
import { shutdown } from '../src/http/shutdown.js';
import { csrf } from '../src/http/csrf.js';
import { withSessions } from '../src/adapters/fetch/index.js';
import { securityHeaders } from '../src/http/security-headers.js';
import { HttpError } from '../src/http/http-error.js';
import { RateLimiter } from '../src/app/rate-limit.js';
import { HashGate } from '../src/app/hash-gate.js';
import { hashPassword } from '../src/app/passwords.js';
import { RevocationList } from '../src/app/revocations.js';
import { createCachetApp } from '../src/app/create-app.js';
import { tempDir } from './helpers/temp-dir.js';
import { start } from './http/helpers.js';

type Extra = Record<string, unknown>;

const keyring = await Keyring.create([generateKey('k')]);
const codec = new CookieCodec({ keyring });
const dir = tempDir();
const redis = Object.fromEntries(
  ['get', 'set', 'del', 'zAdd', 'zRem', 'zRange', 'zRemRangeByScore', 'pExpire'].map((name) => [name, async () => null]),
) as unknown as RedisClientLike;
const listener = (): void => undefined;
// Returns the store so the row can close it (FileStore runs a sweeper unless sweepInterval is 0).
const closing = async (store: { close(): Promise<void> }): Promise<void> => store.close();

/** Reads a form with `options` inside a real request and returns what readForm threw, if anything. */
async function readFormWith(options: Extra): Promise<void> {
  let thrown: unknown;
  const app = createApp({ accessLog: false }).post('/f', async (ctx) => {
    try {
      await ctx.readForm(options);
    } catch (err) {
      thrown = err;
    }
    ctx.text('ok');
  });
  const running = await start(app);
  try {
    await fetch(`http://127.0.0.1:${running.port}/f`, { method: 'POST', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  } finally {
    await running.close();
  }
  if (thrown !== undefined) throw thrown;
}

/**
 * Each row: the bag's name, a misspelt key, and a call that passes valid options plus `extra`.
 * `call({})` must succeed (any error other than an unknown option is the row's own business and
 * counts as a failure too, except where a row says otherwise).
 */
const rows: { bag: string; typo: string; call: (extra: Extra) => unknown }[] = [
  { bag: 'serializeCookie', typo: 'httponly', call: (x) => serializeCookie('n', 'v', { path: '/', ...x }) },
  { bag: 'serializeCookie (another library\'s option)', typo: 'encode', call: (x) => serializeCookie('n', 'v', { ...x }) },
  { bag: 'prepareCookie', typo: 'samesite', call: (x) => prepareCookie('n', { sameSite: 'Lax', ...x })('v') },
  { bag: 'serializeCookieDeletion', typo: 'domian', call: (x) => serializeCookieDeletion('n', { path: '/', ...x }) },
  { bag: 'parseCookies', typo: 'decoder', call: (x) => parseCookies('a=1', { maxPairs: 5, ...x }) },
  { bag: 'findCookie', typo: 'maxpairs', call: (x) => findCookie('a=1', 'a', { maxBytes: 100, ...x }) },
  { bag: 'splitCookieValue', typo: 'maxChunk', call: (x) => splitCookieValue('n', 'v', { maxChunks: 2, ...x }) },
  { bag: 'joinCookieChunks', typo: 'maxCookieByte', call: (x) => joinCookieChunks({ n: 'v' }, 'n', { maxChunks: 2, ...x }) },
  { bag: 'CookieCodec', typo: 'maxage', call: (x) => new CookieCodec({ keyring, maxAge: 60, ...x }) },
  { bag: 'CookieCodec.encode', typo: 'ttl', call: (x) => codec.encode('n', { a: 1 }, { maxAge: 60, ...x }) },
  { bag: 'VerifiedCache', typo: 'max', call: (x) => new VerifiedCache({ maxEntries: 10, ...x }) },
  { bag: 'CookieStore', typo: 'idletimeout', call: (x) => new CookieStore({ keyring, idleTimeout: 60, ...x }) },
  { bag: 'CookieStore cookie', typo: 'httponly', call: (x) => new CookieStore({ keyring, cookie: { httpOnly: true, ...x } }) },
  { bag: 'CookieStore chunking', typo: 'chunks', call: (x) => new CookieStore({ keyring, chunking: { maxChunks: 2, ...x } }) },
  { bag: 'CookieStore cache', typo: 'size', call: (x) => new CookieStore({ keyring, cache: { maxEntries: 10, ...x } }) },
  { bag: 'MemoryStore', typo: 'maxentries', call: (x) => new MemoryStore({ keyring, maxEntries: 10, ...x }) },
  { bag: 'MemoryStore cookie', typo: 'sameSit', call: (x) => new MemoryStore({ keyring, cookie: { sameSite: 'Lax', ...x } }) },
  { bag: 'MemoryStore cache', typo: 'entries', call: (x) => new MemoryStore({ keyring, cache: { maxEntries: 10, ...x } }) },
  { bag: 'FileStore', typo: 'durabel', call: (x) => closing(new FileStore({ keyring, dir, sweepInterval: 0, durable: false, ...x })) },
  { bag: 'RedisStore', typo: 'prefx', call: (x) => new RedisStore({ keyring, client: redis, prefix: 't:', ...x }) },
  { bag: 'Router', typo: 'maxParamLen', call: (x) => new Router({ maxParamLength: 10, ...x }) },
  { bag: 'LinearRouter', typo: 'maxparamlength', call: (x) => new LinearRouter({ maxParamLength: 10, ...x }) },
  { bag: 'createApp', typo: 'trustproxy', call: (x) => createApp({ trustProxy: 1, ...x }) },
  { bag: 'createApp body', typo: 'limt', call: (x) => createApp({ body: { limit: 10, ...x } }) },
  { bag: 'createApp server', typo: 'requestTimout', call: (x) => createApp({ server: { requestTimeout: 1000, ...x } }) },
  { bag: 'createApp logger', typo: 'acess', call: (x) => createApp({ logger: { access: () => undefined, ...x } }) },
  { bag: 'createServer', typo: 'keepAlive', call: (x) => createServer(listener, { keepAliveTimeout: 10, ...x }) },
  {
    bag: 'app.listen',
    typo: 'prot',
    call: async (x) => {
      const app = createApp({ accessLog: false });
      await app.listen({ port: 0, host: '127.0.0.1', ...x });
      await app.close();
    },
  },
  {
    bag: 'shutdown',
    typo: 'timout',
    call: async (x) => {
      const server = createNodeServer().listen(0, '127.0.0.1');
      try {
        await shutdown(server, { timeout: 10, ...x });
      } finally {
        server.close();
      }
    },
  },
  { bag: 'csrf', typo: 'fields', call: (x) => csrf({ store: new CookieStore({ keyring }), field: '_t', ...x }) },
  { bag: 'withSessions', typo: 'maxFormByte', call: (x) => withSessions({ store: new CookieStore({ keyring }), maxFormBytes: 1024, ...x }, () => new Response('')) },
  { bag: 'withSessions csrf', typo: 'feild', call: (x) => withSessions({ store: new CookieStore({ keyring }), csrf: { field: '_t', ...x } }, () => new Response('')) },
  { bag: 'securityHeaders', typo: 'hts', call: (x) => securityHeaders({ referrerPolicy: 'no-referrer', ...x }) },
  { bag: 'securityHeaders hsts', typo: 'maxage', call: (x) => securityHeaders({ hsts: { maxAge: 60, ...x } as { maxAge: number } }) },
  { bag: 'HttpError', typo: 'header', call: (x) => new HttpError(429, 'slow down', { headers: { 'retry-after': '1' }, ...x }) },
  { bag: 'ctx.readForm', typo: 'limt', call: (x) => readFormWith({ limit: 100, ...x }) },
  { bag: 'RateLimiter', typo: 'windowsecond', call: (x) => new RateLimiter({ limit: 1, windowSeconds: 1, ...x }) },
  { bag: 'HashGate', typo: 'maxQueu', call: (x) => new HashGate({ maxInFlight: 1, ...x }) },
  { bag: 'hashPassword', typo: 'iteration', call: (x) => hashPassword('pw', { iterations: 1000, unsafeAllowWeakIterationsForTests: true, ...x }) },
  { bag: 'RevocationList', typo: 'refresh', call: (x) => new RevocationList({ dir, retainSeconds: 60, watch: false, ...x }).close() },
];

async function outcome(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
    return undefined;
  } catch (err) {
    return err;
  }
}

describe('unknown option keys', () => {
  for (const { bag, typo, call } of rows) {
    it(`${bag} refuses the unknown key ${JSON.stringify(typo)} by name and still takes its valid keys`, async () => {
      const err = await outcome(() => call({ [typo]: 1 }));
      assert.ok(err instanceof SessionError, `${bag}: expected a SessionError, got ${String(err)}`);
      assert.equal(err.code, 'ERR_OPTIONS_UNKNOWN');
      assert.equal(err.kind, 'usage');
      assert.ok(err.message.includes(`"${typo}"`), `${bag}: the message names the key: ${err.message}`);
      assert.match(err.message, /valid options: /);
      assert.equal(await outcome(() => call({})), undefined, `${bag}: valid options are accepted`);
    });
  }

  it('createCachetApp refuses an unknown key, and one inside loginLimits, before touching the data directory', async () => {
    const missing = `${dir}/does-not-exist`;
    for (const options of [{ dataDir: missing, keys: [], idletimeout: 5 }, { dataDir: missing, keys: [], loginLimits: { perUsr: 1 } }]) {
      const err = await outcome(() => createCachetApp(options as never));
      assert.ok(err instanceof SessionError && err.code === 'ERR_OPTIONS_UNKNOWN', String(err));
    }
  });

  it('suggests the closest valid key and lists them all', () => {
    assert.throws(() => serializeCookie('n', 'v', { httponly: true } as never), {
      code: 'ERR_OPTIONS_UNKNOWN',
      message: /unknown option "httponly" \(did you mean "httpOnly"\?\); valid options: domain, path, maxAge, expires, secure, httpOnly, sameSite, partitioned, priority$/,
    });
    assert.throws(() => checkOptionKeys('x', { zzzzzz: 1 }, { limit: true }), { message: 'x: unknown option "zzzzzz"; valid options: limit' });
  });

  it('refuses __proto__ and constructor as keys, and ignores an undefined or non-object bag', () => {
    assert.throws(() => checkOptionKeys('x', JSON.parse('{"__proto__": 1}'), { a: true }), { code: 'ERR_OPTIONS_UNKNOWN', message: /"__proto__"/ });
    assert.throws(() => checkOptionKeys('x', { constructor: 1 }, { a: true }), { code: 'ERR_OPTIONS_UNKNOWN', message: /"constructor"/ });
    for (const bag of [undefined, null, 5, 'a']) assert.doesNotThrow(() => checkOptionKeys('x', bag, { a: true }));
  });
});
