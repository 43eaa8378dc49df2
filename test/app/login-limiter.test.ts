import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { MemoryLoginLimiter } from '../../src/app/login-limiter.js';
import { RedisLoginLimiter } from '../../src/app/redis/login-limiter.js';
import type { RedisScriptClient } from '../../src/app/redis/client.js';
import { RedisServer, redisSkipReason } from '../session/redis-server.js';
import { runLimiterCases } from './login-limiter.case.js';
import { whenReady } from './redis-helpers.js';

describe('MemoryLoginLimiter', () => {
  runLimiterCases({ name: 'memory', create: (options) => new MemoryLoginLimiter(options) });
});

describe('RedisLoginLimiter, with a Redis that hangs and then answers', () => {
  /** A client whose every script waits until the test answers it. */
  function held() {
    const calls: { refund: boolean; keys: string[]; args: string[]; answer: (reply: unknown) => void }[] = [];
    const client: RedisScriptClient = {
      isReady: true,
      eval: (script, options) =>
        new Promise((resolve) => calls.push({ refund: script.includes('HINCRBY\', key, \'n\', -1'), keys: options.keys, args: options.arguments, answer: resolve })),
      on: () => undefined,
      off: () => undefined,
    };
    return { client, calls };
  }
  const flush = () => new Promise((resolve) => setImmediate(resolve));
  // The limiter's timeout timer does not hold the process open (a real Redis socket does): this does.
  let alive: ReturnType<typeof setInterval>;
  before(() => void (alive = setInterval(() => undefined, 1_000)));
  after(() => clearInterval(alive));

  it('takes back the count of a check that timed out (503) but ran late', async () => {
    const { client, calls } = held();
    const limiter = new RedisLoginLimiter({ client, perUser: 5, perIp: 20, windowSeconds: 900, prefix: 'hang:', commandTimeoutMs: 5 });
    await assert.rejects(limiter.take('bob', '192.0.2.6'), /no answer from Redis within 5 ms/);
    assert.equal(calls.length, 1);
    calls[0]!.answer(0); // Redis wakes: the script counted the attempt
    await flush();
    assert.equal(calls.length, 2, 'a give-back follows the late count');
    assert.equal(calls[1]!.refund, true);
    assert.deepEqual(calls[1]!.keys, ['hang:login:user:bob', 'hang:login:ip:192.0.2.6']);
    assert.equal(calls[1]!.args[1], '0', 'one failure taken back, the user not forgotten');
  });

  it('takes nothing back when the late script counted nothing (over the limit) or failed', async () => {
    const { client, calls } = held();
    const limiter = new RedisLoginLimiter({ client, perUser: 5, perIp: 20, windowSeconds: 900, prefix: 'hang:', commandTimeoutMs: 5 });
    await assert.rejects(limiter.take('bob', '192.0.2.6'));
    await assert.rejects(limiter.take('eve', '192.0.2.7'));
    calls[0]!.answer(60_000); // refused: nothing was counted
    calls[1]!.answer(Promise.reject(new Error('connection lost')));
    await flush();
    assert.equal(calls.length, 2);
  });

  it('refuses (throws) on a reply that is not a number, rather than letting the guess through', async () => {
    const { client, calls } = held();
    const limiter = new RedisLoginLimiter({ client, perUser: 5, perIp: 20, windowSeconds: 900, prefix: 'odd:' });
    for (const reply of ['OK', undefined, {}]) {
      const taking = limiter.take('bob', '192.0.2.6');
      calls.at(-1)!.answer(reply);
      await assert.rejects(taking, /^Error: unexpected reply from the login limit script$/);
    }
  });

  it('refuses an option it does not know, naming itself', () => {
    const { client } = held();
    assert.throws(
      () => new RedisLoginLimiter({ client, perUser: 5, perIp: 20, windowSeconds: 900, perIP: 20 } as never),
      (err: Error & { code?: string }) => err.code === 'ERR_OPTIONS_UNKNOWN' && /^RedisLoginLimiter: unknown option "perIP"/.test(err.message),
    );
  });
});

let server: RedisServer | undefined;
const clients: { destroy(): void; isOpen: boolean }[] = [];
let prefixes = 0;

after(async () => {
  for (const client of clients) if (client.isOpen) client.destroy();
  await server?.close();
});

async function connect(): Promise<RedisScriptClient> {
  const client = createClient({ url: server?.url ?? '', disableOfflineQueue: true, socket: { reconnectStrategy: () => 20 } });
  client.on('error', () => undefined);
  await client.connect();
  clients.push(client);
  return client as unknown as RedisScriptClient;
}

describe('RedisLoginLimiter', { skip: redisSkipReason ?? false }, () => {
  let client: RedisScriptClient;
  before(async () => {
    server = await RedisServer.start();
    client = await connect();
  });

  runLimiterCases({ name: 'redis', create: (options) => new RedisLoginLimiter({ ...options, client, prefix: `limits${prefixes++}:` }) });

  it('counts over every connection: 40 parallel guesses from 4 instances let exactly 5 through', async () => {
    const instances = await Promise.all([connect(), connect(), connect(), connect()]);
    const prefix = `limits${prefixes++}:`;
    const limiters = instances.map((c) => new RedisLoginLimiter({ client: c, perUser: 5, perIp: 1000, windowSeconds: 900, prefix }));
    const verdicts = await Promise.all(Array.from({ length: 40 }, (_, i) => limiters[i % 4]!.take('demo', `203.0.113.${i}`)));
    assert.equal(verdicts.filter((v) => v.ok).length, 5);
  });

  it('keeps a counter only for its window: Redis drops it when the window ends', async () => {
    const limiter = new RedisLoginLimiter({ client, perUser: 5, perIp: 20, windowSeconds: 900, prefix: 'ttl:' });
    await limiter.take('demo', '192.0.2.1');
    const ttl = Number(await client.eval("return redis.call('PTTL', KEYS[1])", { keys: ['ttl:login:user:demo'], arguments: [] }));
    assert.ok(ttl > 0 && ttl <= 900_000, `a TTL within the window, got ${ttl}`);
  });

  it('throws while Redis is away, and counts again once it is back', async () => {
    const own = await connect();
    const limiter = new RedisLoginLimiter({ client: own, perUser: 5, perIp: 20, windowSeconds: 900, prefix: 'away:' });
    await server!.stop();
    try {
      await assert.rejects(limiter.take('demo', '192.0.2.1'));
    } finally {
      await server!.restart();
    }
    await whenReady(own);
    assert.deepEqual(await limiter.take('demo', '192.0.2.1'), { ok: true });
  });

  it('refuses a bad limit, window or prefix when built', () => {
    assert.throws(() => new RedisLoginLimiter({ client, perUser: 0, perIp: 20, windowSeconds: 900 }), /perUser must be a positive integer/);
    assert.throws(() => new RedisLoginLimiter({ client, perUser: 5, perIp: 1.5, windowSeconds: 900 }), /perIp must be a positive integer/);
    assert.throws(() => new RedisLoginLimiter({ client, perUser: 5, perIp: 20, windowSeconds: 0 }), /windowSeconds must be positive/);
    assert.throws(() => new RedisLoginLimiter({ client, perUser: 5, perIp: 20, windowSeconds: 900, prefix: 'a b' }), /prefix must be/);
  });
});
