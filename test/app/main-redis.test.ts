// `--redis URL` through startServer, in process: the start, the health page, and the start-up
// failures (no redis package, no Redis), each one `cachet:` line with status 1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../src/app/main.js';
import { RedisConnectError, redactRedisUrl } from '../../src/app/redis/connect.js';
import { startupMessage } from '../../src/app/startup-errors.js';
import { addUser } from '../../src/app/user-file.js';
import { createClient } from 'redis';
import { csrfFrom, TestBrowser } from '../helpers/browser-client.js';
import { WEAK } from '../helpers/app-harness.js';
import { tempDir } from '../helpers/temp-dir.js';
import { RedisServer, redisSkipReason } from '../session/redis-server.js';
import { healthWithoutKeys, RedisProxy, until } from './redis-helpers.js';

function io(env: NodeJS.ProcessEnv) {
  const lines: string[] = [];
  return { lines, env, out: (l: string) => void lines.push(l), err: (l: string) => void lines.push(`ERR ${l}`) };
}

async function dataDir(): Promise<string> {
  const dir = tempDir();
  await addUser(dir, 'demo', 'a long passphrase', WEAK);
  return dir;
}

const target = { host: '127.0.0.1', port: 8080, dataDir: '/srv/app/.data' };

it('shows a Redis URL without its user name and password', () => {
  assert.equal(redactRedisUrl('redis://app:s3cret@cache.internal:6379/2'), 'redis://cache.internal:6379/2');
  assert.equal(redactRedisUrl('rediss://:s3cret@10.0.0.5:6380'), 'rediss://10.0.0.5:6380');
  assert.equal(redactRedisUrl('not a url s3cret'), 'the Redis URL');
});

it('says how to install the redis package when it is missing, and how to do without it', () => {
  const line = startupMessage(new RedisConnectError('ERR_REDIS_MISSING', 'redis://h:1', 'missing'), target, 'npx');
  assert.match(line, /^--redis needs the redis package, which is not installed: run npm install redis/);
  assert.match(line, /start without --redis/);
});

it('says what to do when Redis cannot be reached, after what failed', () => {
  const line = startupMessage(new RedisConnectError('ERR_REDIS_UNREACHABLE', 'redis://h:1', 'no connection to Redis at redis://h:1 within 10000 ms'), target, 'npx');
  assert.match(line, /^no connection to Redis at redis:\/\/h:1 within 10000 ms: start Redis or fix --redis URL \(or CACHET_REDIS_URL\)/);
});

it('exits with status 1 and one cachet: line naming npm install redis when the redis package is missing', async () => {
  const out = io({ CACHET_DATA_DIR: await dataDir() });
  const missing = Object.assign(new Error("Cannot find package 'redis'"), { code: 'ERR_MODULE_NOT_FOUND' });
  const running = await startServer(['--port', '0', '--redis', 'redis://127.0.0.1:1'], { ...out, redisConnect: { load: () => Promise.reject(missing) } });
  assert.equal(running, undefined);
  assert.equal(process.exitCode, 1);
  process.exitCode = 0;
  const errors = out.lines.filter((l) => l.startsWith('ERR '));
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /^ERR cachet: --redis needs the redis package, which is not installed: run npm install redis/);
});

describe('startServer with --redis', { skip: redisSkipReason ?? false, timeout: 60_000 }, () => {
  let server: RedisServer;
  before(async () => {
    server = await RedisServer.start();
  });
  after(() => server.close());

  it('starts, says where Redis is, and /healthz reports redis up, then down while Redis is away', async () => {
    const out = io({ CACHET_DATA_DIR: await dataDir(), CACHET_REDIS_URL: server.url });
    const running = await startServer(['--port', '0', '--host', '127.0.0.1'], out);
    assert.ok(running, out.lines.join('\n'));
    try {
      assert.ok(out.lines.includes(`cachet: revocations and login limits are shared in Redis at ${server.url}`), out.lines.join('\n'));
      const browser = new TestBrowser(`http://127.0.0.1:${running.port}`);
      assert.deepEqual(healthWithoutKeys((await browser.get('/healthz')).body), { status: 'ok', redis: 'up' });
      await server.stop();
      try {
        await until(() => out.lines.some((l) => /^redis: commands connection to .* lost/.test(l)), 'the lost connection logged');
        const health = await browser.get('/healthz');
        assert.equal(health.status, 200, 'still serving: pages read the last synced revocations');
        assert.deepEqual(healthWithoutKeys(health.body), { status: 'ok', redis: 'down' });
      } finally {
        await server.restart();
      }
    } finally {
      await running.close();
    }
  });

  it('keeps every key under --redis-prefix: sessions, the user\'s session index, login counts and revocations', async () => {
    const out = io({ CACHET_DATA_DIR: await dataDir() });
    const running = await startServer(['--port', '0', '--insecure-cookies', '--redis', server.url, '--session-store', 'redis', '--redis-prefix', 'shop:'], out);
    assert.ok(running, out.lines.join('\n'));
    const client = createClient({ url: server.url });
    await client.connect();
    try {
      await client.flushDb();
      const browser = new TestBrowser(`http://127.0.0.1:${running.port}`);
      const form = await browser.get('/login');
      const wrong = await browser.post('/login', { username: 'demo', password: 'not it', _csrf: csrfFrom(form.body) });
      assert.equal(wrong.status, 401);
      const ok = await browser.post('/login', { username: 'demo', password: 'a long passphrase', _csrf: csrfFrom(wrong.body) });
      assert.equal(ok.status, 303, out.lines.join('\n'));
      const signedIn = await client.keys('*');
      assert.equal(signedIn.filter((k) => k.startsWith('shop:session:')).length, 1, signedIn.join(' '));
      assert.ok(signedIn.includes('shop:subject:demo'), signedIn.join(' '));
      const home = await browser.get('/');
      assert.equal((await browser.post('/logout-everywhere', { _csrf: csrfFrom(home.body) })).status, 303);
      const keys = await client.keys('*');
      assert.ok(keys.length > 0);
      assert.deepEqual(keys.filter((k) => !k.startsWith('shop:')), [], 'nothing outside the prefix');
    } finally {
      client.destroy();
      await running.close();
    }
  });

  it('exits with status 1 and one cachet: line when Redis cannot be reached at start', async () => {
    const proxy = await RedisProxy.start(server.port);
    proxy.cut();
    try {
      const out = io({ CACHET_DATA_DIR: await dataDir() });
      const running = await startServer(['--port', '0', '--redis', proxy.url], { ...out, redisConnect: { connectTimeoutMs: 200 } });
      assert.equal(running, undefined);
      assert.equal(process.exitCode, 1);
      process.exitCode = 0;
      const errors = out.lines.filter((l) => l.startsWith('ERR '));
      assert.equal(errors.length, 1, out.lines.join('\n'));
      assert.match(errors[0]!, new RegExp(`^ERR cachet: no connection to Redis at ${proxy.url} within 200 ms: start Redis or fix --redis URL`));
    } finally {
      await proxy.close();
    }
  });
});
