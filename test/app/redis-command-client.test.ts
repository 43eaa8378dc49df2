// The app's Redis connections (src/app/redis/connect.ts) are node-redis's base class, whose only
// command is sendCommand, and CommandClient (command-client.ts) spells out the nine the app sends.
// Checked here against a real redis-server: each answers what node-redis's own method of the same
// name answers; RedisStore's whole contract holds over it; and connectRedis picks the base class
// when the package exports it, createClient when it does not.
import assert from 'node:assert/strict';
import { after, before, describe, it, mock } from 'node:test';
import * as redisPackage from 'redis';
import { createClient, RedisClient } from 'redis';
import { CommandClient, type SendCommandClient } from '../../src/app/redis/command-client.js';
import { connectRedis, type RedisModule } from '../../src/app/redis/connect.js';
import { RedisStore } from '../../src/session/server-store/redis/redis-store.js';
import { RedisServer, redisSkipReason } from '../session/redis-server.js';
import { testKeyring } from '../session/server-store-fixture.js';
import { type CaseValues, runStoreCases } from '../session/store.case.js';

const keyring = await testKeyring();

describe('CommandClient over a base node-redis client', { skip: redisSkipReason ?? false }, () => {
  let server: RedisServer;
  let named: ReturnType<typeof createClient>;
  let base: InstanceType<typeof RedisClient>;
  let commands: CommandClient;
  let prefixes = 0;
  before(async () => {
    server = await RedisServer.start();
    named = createClient({ url: server.url });
    base = new RedisClient({ url: server.url });
    for (const c of [named, base]) c.on('error', () => undefined);
    await Promise.all([named.connect(), base.connect()]);
    commands = new CommandClient(base as unknown as SendCommandClient);
  });
  after(async () => {
    named?.destroy();
    base?.destroy();
    await server?.close();
  });

  it('answers every command as node-redis\'s method of the same name does', async () => {
    // Each step runs twice, on two keys: once by name on createClient's client, once through
    // CommandClient. The replies must be equal, step by step.
    const steps: [string, (c: typeof named | CommandClient, k: string) => Promise<unknown>][] = [
      ['GET of a missing key', (c, k) => c.get(`${k}:s`)],
      ['SET PX', (c, k) => c.set(`${k}:s`, 'v1', { PX: 60_000 })],
      ['GET', (c, k) => c.get(`${k}:s`)],
      ['SET PX XX of an existing key', (c, k) => c.set(`${k}:s`, 'v2', { PX: 60_000, XX: true })],
      ['SET PX XX of a missing key', (c, k) => c.set(`${k}:missing`, 'v', { PX: 60_000, XX: true })],
      ['ZADD', (c, k) => c.zAdd(`${k}:z`, { score: 10, value: 'a' })],
      ['ZADD of a second member', (c, k) => c.zAdd(`${k}:z`, { score: 20, value: 'b' })],
      ['ZADD with an infinite score', (c, k) => c.zAdd(`${k}:z`, { score: Infinity, value: 'c' })],
      ['ZRANGE 0 -1', (c, k) => c.zRange(`${k}:z`, 0, -1)],
      ['ZREMRANGEBYSCORE -inf 15', (c, k) => c.zRemRangeByScore(`${k}:z`, '-inf', 15)],
      ['ZREM', (c, k) => c.zRem(`${k}:z`, 'b')],
      ['ZRANGE after both', (c, k) => c.zRange(`${k}:z`, 0, -1)],
      ['PEXPIRE', (c, k) => c.pExpire(`${k}:z`, 60_000)],
      ['PEXPIRE of a missing key', (c, k) => c.pExpire(`${k}:gone`, 60_000)],
      ['DEL', (c, k) => c.del(`${k}:s`)],
      ['DEL of a missing key', (c, k) => c.del(`${k}:s`)],
      ['EVAL', (c, k) => c.eval("return {KEYS[1], ARGV[1], redis.call('ZCARD', KEYS[1])}", { keys: [`${k}:z`], arguments: ['x'] })],
    ];
    for (const [what, step] of steps) {
      const byName = await step(named, 'named');
      const sent = await step(commands, 'sent');
      // The key names differ by their first word only; EVAL echoes one back.
      assert.deepEqual(JSON.parse(JSON.stringify(sent).replaceAll('sent:', 'named:')), byName, what);
    }
    assert.equal(commands.isReady, true);
  });

  runStoreCases({
    name: 'RedisStore over CommandClient',
    serverSide: true,
    create: (options) => new RedisStore<CaseValues>({ ...options, keyring, client: commands, prefix: `cc${prefixes++}:` }),
  });

  it('connectRedis builds both connections from the base class when the package exports it, and from createClient when not', async () => {
    const withBase = await connectRedis(server.url, { log: () => undefined, load: () => Promise.resolve(redisPackage as unknown as RedisModule) });
    try {
      assert.ok(withBase.client instanceof CommandClient, 'the command connection is wrapped');
      assert.ok((withBase.client as CommandClient).connection instanceof RedisClient);
      assert.equal(Object.getPrototypeOf((withBase.client as CommandClient).connection), RedisClient.prototype, 'the base class itself, not a subclass with command methods');
      assert.equal(Object.getPrototypeOf(withBase.subscriber), RedisClient.prototype, 'the subscriber is its duplicate');
      assert.equal(await withBase.client.set('connect:k', 'v', { PX: 10_000 }), 'OK');
    } finally {
      await withBase.close();
    }
    const without: RedisModule = { createClient: (options) => createClient(options) };
    const named = await connectRedis(server.url, { log: () => undefined, load: () => Promise.resolve(without) });
    try {
      assert.ok(!(named.client instanceof CommandClient), 'an older package: its own client, by name');
      assert.equal(await named.client.get('connect:k'), 'v');
    } finally {
      await named.close();
    }
  });

  it('close() gives up on a Redis that hangs: it destroys the connections after closeTimeoutMs instead of waiting for replies forever', { timeout: 20_000 }, async () => {
    // SIGSTOP: the sockets stay open and look ready, and nothing is answered. A shutdown used to
    // wait here until Redis woke up, so an orchestrator's SIGTERM ended in SIGKILL.
    const own = await RedisServer.start();
    try {
      const app = await connectRedis(own.url, { log: () => undefined, closeTimeoutMs: 50, load: () => Promise.resolve(redisPackage as unknown as RedisModule) });
      own.pause();
      const unanswered = app.client.get('hang:k');
      unanswered.catch(() => undefined);
      // Closed while Redis is still frozen: nothing but closeTimeoutMs can end it. The 10 s bound
      // tells "gave up" from "waited for Redis" (which would be forever), not how fast it is.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const outcome = await Promise.race([
        app.close().then(() => 'closed'),
        new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still waiting for Redis'), 10_000))),
      ]);
      clearTimeout(timer);
      assert.equal(outcome, 'closed');
      await assert.rejects(unanswered, 'the command sent before the close is failed, not left pending');
    } finally {
      own.resume();
      await own.close();
    }
  });

  it('connectRedis leaves the timing of commands to the app: node-redis makes no timeout signal per command', async () => {
    // node-redis 6 arms an AbortSignal.timeout for every command unless its commandOptions say 0;
    // the app bounds each command itself, and those signals cost a third of a page view's CPU.
    const timeouts = mock.method(AbortSignal, 'timeout');
    try {
      const plain = new RedisClient({ url: server.url });
      plain.on('error', () => undefined);
      await plain.connect();
      const before = timeouts.mock.callCount();
      await plain.sendCommand(['PING']);
      assert.equal(timeouts.mock.callCount() - before, 1, 'the check sees the signal node-redis makes by default');
      plain.destroy();

      const app = await connectRedis(server.url, { log: () => undefined, load: () => Promise.resolve(redisPackage as unknown as RedisModule) });
      try {
        const from = timeouts.mock.callCount();
        await app.client.set('connect:t', 'v', { PX: 10_000 });
        assert.equal(await app.client.get('connect:t'), 'v');
        await app.subscriber.subscribe('connect:channel', () => undefined);
        assert.equal(timeouts.mock.callCount() - from, 0, 'no signal for the commands or the subscriber');
      } finally {
        await app.close();
      }
    } finally {
      timeouts.mock.restore();
    }
  });
});
