import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { parseServerConfig, SERVER_HELP } from '../../src/app/config.js';

test('defaults to port 8080 on 127.0.0.1, .data, one process, explain on', () => {
  const config = parseServerConfig([], {});
  assert.deepEqual(config, {
    port: 8080,
    host: '127.0.0.1',
    dataDir: resolve('.data'),
    workers: 1,
    explain: true,
    insecureCookies: false,
    trustProxy: 0,
    idleTimeout: 1800,
    absoluteTimeout: 86_400,
    maxConnections: 4096,
    sessionCache: 5000,
    sessionStore: 'cookie',
    redisUrl: undefined,
    redisPrefix: undefined,
    help: false,
  });
});

test('reads the environment and lets flags override it', () => {
  const env = { PORT: '9000', HOST: '0.0.0.0', CACHET_DATA_DIR: '/tmp/d', CACHET_WORKERS: '2', CACHET_TRUST_PROXY: '1', CACHET_INSECURE_COOKIES: '1' };
  const fromEnv = parseServerConfig([], env);
  assert.equal(fromEnv.port, 9000);
  assert.equal(fromEnv.host, '0.0.0.0');
  assert.equal(fromEnv.dataDir, '/tmp/d');
  assert.equal(fromEnv.workers, 2);
  assert.equal(fromEnv.trustProxy, 1);
  assert.equal(fromEnv.insecureCookies, true);
  const flags = parseServerConfig(['--port', '0', '--host=::1', '--data-dir', 'x', '--workers=3', '--idle-timeout', '60', '--absolute-timeout', '120'], env);
  assert.equal(flags.port, 0);
  assert.equal(flags.host, '::1');
  assert.equal(flags.dataDir, resolve('x'));
  assert.equal(flags.workers, 3);
  assert.equal(flags.idleTimeout, 60);
  assert.equal(flags.absoluteTimeout, 120);
});

test('CACHET_INSECURE_COOKIES is on only for 1, off for 0 or empty, and any other word is refused (regression: "yes" was read as off)', () => {
  assert.equal(parseServerConfig([], { CACHET_INSECURE_COOKIES: '1' }).insecureCookies, true);
  assert.equal(parseServerConfig([], { CACHET_INSECURE_COOKIES: '0' }).insecureCookies, false);
  assert.equal(parseServerConfig([], { CACHET_INSECURE_COOKIES: '' }).insecureCookies, false);
  assert.equal(parseServerConfig(['--insecure-cookies'], { CACHET_INSECURE_COOKIES: '0' }).insecureCookies, true);
  for (const word of ['yes', 'true', 'on', 'TRUE', ' 1']) {
    assert.throws(() => parseServerConfig([], { CACHET_INSECURE_COOKIES: word }), { message: `CACHET_INSECURE_COOKIES must be 1 (on) or 0 (off), got ${JSON.stringify(word)}` }, word);
  }
});

test('turns explain off in production or with --no-explain, and back on with --explain', () => {
  assert.equal(parseServerConfig([], { NODE_ENV: 'production' }).explain, false);
  assert.equal(parseServerConfig(['--no-explain'], {}).explain, false);
  assert.equal(parseServerConfig(['--explain'], { NODE_ENV: 'production' }).explain, true);
});

test('rejects unknown options and bad numbers with a message naming them', () => {
  assert.throws(() => parseServerConfig(['--frob'], {}), /unknown option "--frob"/);
  assert.throws(() => parseServerConfig(['--port'], {}), /--port needs a value/);
  assert.throws(() => parseServerConfig([], { PORT: 'http' }), /port must be a whole number/);
  assert.throws(() => parseServerConfig(['--port', '70000'], {}), /port/);
  assert.throws(() => parseServerConfig(['--workers', '0'], {}), /workers/);
  assert.throws(() => parseServerConfig(['--idle-timeout', '100', '--absolute-timeout', '50'], {}), /absolute timeout/);
});

test('lists every flag and environment variable in --help', () => {
  assert.equal(parseServerConfig(['-h'], {}).help, true);
  for (const word of ['--port', 'PORT', '--host', 'HOST', '--data-dir', 'CACHET_DATA_DIR', '--workers', 'CACHET_WORKERS', '--trust-proxy', 'CACHET_TRUST_PROXY', '--idle-timeout', 'CACHET_IDLE_TIMEOUT', '--absolute-timeout', 'CACHET_ABSOLUTE_TIMEOUT', '--max-connections', 'CACHET_MAX_CONNECTIONS', '--session-cache', 'CACHET_SESSION_CACHE', '--session-store', 'CACHET_SESSION_STORE', '--redis', 'CACHET_REDIS_URL', 'npm install redis', '--redis-prefix', 'CACHET_REDIS_PREFIX', '--insecure-cookies', 'CACHET_INSECURE_COOKIES', '--no-explain', 'NODE_ENV', 'CACHET_KEYS', 'SIGHUP']) {
    assert.ok(SERVER_HELP.includes(word), word);
  }
});

test('reads the verified-cache size from --session-cache or CACHET_SESSION_CACHE, 0 for none', () => {
  assert.equal(parseServerConfig([], { CACHET_SESSION_CACHE: '256' }).sessionCache, 256);
  assert.equal(parseServerConfig(['--session-cache', '0'], { CACHET_SESSION_CACHE: '256' }).sessionCache, 0);
  assert.throws(() => parseServerConfig(['--session-cache=-1'], {}), /session cache/);
});

test('reads the connection cap per process from --max-connections or CACHET_MAX_CONNECTIONS, 0 for none', () => {
  assert.equal(parseServerConfig([], { CACHET_MAX_CONNECTIONS: '100' }).maxConnections, 100);
  assert.equal(parseServerConfig(['--max-connections', '0'], { CACHET_MAX_CONNECTIONS: '100' }).maxConnections, 0);
  assert.throws(() => parseServerConfig(['--max-connections=-1'], {}), /max connections/);
  assert.throws(() => parseServerConfig(['--max-connections=many'], {}), /max connections/);
});

test('reads where sessions live from --session-store or CACHET_SESSION_STORE: cookie by default, or redis', () => {
  assert.equal(parseServerConfig([], {}).sessionStore, 'cookie');
  assert.equal(parseServerConfig([], { CACHET_SESSION_STORE: 'redis', CACHET_REDIS_URL: 'redis://127.0.0.1:6379' }).sessionStore, 'redis');
  assert.equal(parseServerConfig(['--session-store', 'cookie'], { CACHET_SESSION_STORE: 'redis' }).sessionStore, 'cookie');
  assert.equal(parseServerConfig(['--session-store=redis', '--redis', 'redis://127.0.0.1:6379'], {}).sessionStore, 'redis');
  for (const bad of ['Redis', 'memory', 'redis ', '__proto__']) {
    assert.throws(() => parseServerConfig(['--session-store', bad], {}), /session store must be "cookie" or "redis"/, bad);
  }
  assert.throws(() => parseServerConfig(['--session-store'], {}), /--session-store needs a value/);
});

test('refuses --session-store redis without a Redis URL, naming the flag that is missing', () => {
  assert.throws(() => parseServerConfig(['--session-store', 'redis'], {}), /--session-store redis needs --redis URL/);
  assert.throws(() => parseServerConfig([], { CACHET_SESSION_STORE: 'redis' }), /--session-store redis needs --redis URL/);
});

test('reads a Redis URL from --redis or CACHET_REDIS_URL; none by default', () => {
  assert.equal(parseServerConfig([], {}).redisUrl, undefined);
  assert.equal(parseServerConfig([], { CACHET_REDIS_URL: '' }).redisUrl, undefined);
  assert.equal(parseServerConfig([], { CACHET_REDIS_URL: 'redis://10.0.0.5:6379' }).redisUrl, 'redis://10.0.0.5:6379');
  assert.equal(parseServerConfig(['--redis', 'rediss://cache.internal:6380/2'], { CACHET_REDIS_URL: 'redis://10.0.0.5:6379' }).redisUrl, 'rediss://cache.internal:6380/2');
  assert.equal(parseServerConfig(['--redis=redis://:pw@h:1'], {}).redisUrl, 'redis://:pw@h:1');
});

test('reads the Redis key prefix from --redis-prefix or CACHET_REDIS_PREFIX; refuses it without --redis, or with a space', () => {
  const url = 'redis://127.0.0.1:6379';
  assert.equal(parseServerConfig(['--redis', url], {}).redisPrefix, undefined);
  assert.equal(parseServerConfig(['--redis', url, '--redis-prefix', 'shop:'], {}).redisPrefix, 'shop:');
  assert.equal(parseServerConfig(['--redis', url], { CACHET_REDIS_PREFIX: 'blog:' }).redisPrefix, 'blog:');
  assert.equal(parseServerConfig(['--redis', url, '--redis-prefix=shop:'], { CACHET_REDIS_PREFIX: 'blog:' }).redisPrefix, 'shop:');
  assert.throws(() => parseServerConfig(['--redis-prefix', 'shop:'], {}), /--redis-prefix needs --redis URL/);
  assert.throws(() => parseServerConfig(['--redis', url, '--redis-prefix', 'my shop:'], {}), /--redis-prefix \(or CACHET_REDIS_PREFIX\) must be 1 to 64 printable ASCII/);
  assert.throws(() => parseServerConfig(['--redis', url, '--redis-prefix', 'x'.repeat(65)], {}), /1 to 64/);
});

test('refuses a Redis URL that is not redis:// or rediss://, without repeating it (it may hold a password)', () => {
  for (const bad of ['http://user:s3cret@h:6379', 'cache.internal:6379', 's3cret', 'redis://', 'redis://:s3cret@']) {
    assert.throws(() => parseServerConfig(['--redis', bad], {}), (err: Error) => {
      assert.match(err.message, /^--redis \(or CACHET_REDIS_URL\) (must|needs)/);
      assert.doesNotMatch(err.message, /s3cret/);
      return true;
    }, bad);
  }
  assert.throws(() => parseServerConfig(['--redis'], {}), /--redis needs a value/);
});
