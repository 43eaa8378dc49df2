// RedisRevocations against a real redis-server: instances A, B (and C) are separate connections
// in one process, as separate machines would be. Every wait is for an event the instance
// reports (a message applied, a sync done, a write taken), never for time; resyncs and retries
// run when the test fires their timers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AppRedis } from '../../src/app/redis/client.js';
import { connectRedis } from '../../src/app/redis/connect.js';
import { RedisRevocations, type RedisRevocationsOptions } from '../../src/app/redis/revocations.js';
import { RedisServer, redisSkipReason } from '../session/redis-server.js';
import { EventLog, manualSchedule, rawCommand, RedisProxy, until, whenDown, whenReady } from './redis-helpers.js';

const T0 = 1_764_115_200_000;
const DAY = 86_400;
let server: RedisServer | undefined;
const closers: (() => Promise<unknown>)[] = [];
let prefixes = 0;

after(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await server?.close();
});

interface Instance {
  revocations: RedisRevocations;
  redis: AppRedis;
  events: EventLog;
  timers: ReturnType<typeof manualSchedule>;
  logs: string[];
}

async function instance(prefix: string, options: Partial<RedisRevocationsOptions> & { url?: string } = {}): Promise<Instance> {
  const { url, ...rest } = options;
  const logs: string[] = [];
  const redis = await connectRedis(url ?? server!.url, { log: (l) => logs.push(l), maxReconnectDelayMs: 20 });
  closers.push(() => redis.close());
  const events = new EventLog();
  const timers = manualSchedule();
  const revocations = await RedisRevocations.open({
    client: redis.client,
    subscriber: redis.subscriber,
    retainSeconds: DAY,
    prefix,
    now: () => T0,
    schedule: timers.schedule,
    onEvent: events.listener,
    ...rest,
  });
  closers.push(() => revocations.close());
  return { revocations, redis, events, timers, logs };
}

const session = (id: string, subject?: string, createdAt = T0 - 1000) => ({ id, subject, createdAt });

/** Instances A and B on a fresh prefix: A connected to Redis directly, B through a proxy the test can cut. */
async function directAndProxied(): Promise<{ prefix: string; proxy: RedisProxy; a: Instance; b: Instance }> {
  const prefix = `r${prefixes++}:`;
  const proxy = await RedisProxy.start(server!.port);
  closers.push(() => proxy.close());
  const a = await instance(prefix);
  const b = await instance(prefix, { url: proxy.url });
  return { prefix, proxy, a, b };
}

describe('RedisRevocations', { skip: redisSkipReason ?? false, timeout: 60_000 }, () => {
  before(async () => {
    server = await RedisServer.start();
  });

  it('a logout on A is refused on A at once and on B after one pub/sub hop', async () => {
    const prefix = `r${prefixes++}:`;
    const [a, b] = [await instance(prefix), await instance(prefix)];
    const mark = b.events.mark();
    const written = a.revocations.revokeSession('s1', T0 + 60_000);
    assert.equal(a.revocations.isRevoked(session('s1')), true, 'A refuses it before Redis has answered');
    await written;
    await b.events.waitFor((e) => e.type === 'message' && e.record.member === 's1', mark);
    assert.equal(b.revocations.isRevoked(session('s1')), true);
    assert.equal(b.revocations.isRevoked(session('s2')), false);
  });

  it('"log out everywhere" on A refuses on B every session of the user created up to then, and no later one', async () => {
    const prefix = `r${prefixes++}:`;
    const [a, b] = [await instance(prefix), await instance(prefix)];
    const mark = b.events.mark();
    await a.revocations.revokeSubject('alice');
    await b.events.waitFor((e) => e.type === 'message' && e.record.member === 'alice', mark);
    assert.equal(b.revocations.isRevoked(session('x', 'alice', T0)), true);
    assert.equal(b.revocations.isRevoked(session('x', 'alice', T0 + 1)), false);
    assert.equal(b.revocations.isRevoked(session('x', 'bob', T0 - 5)), false);
  });

  it('an instance that opens later reads every live record in full, over several ZSCAN pages', async () => {
    const prefix = `r${prefixes++}:`;
    const a = await instance(prefix);
    await Promise.all(Array.from({ length: 2500 }, (_, i) => a.revocations.revokeSession(`id${i}`, T0 + 60_000)));
    await a.revocations.revokeSubject('carol');
    const c = await instance(prefix);
    assert.equal(c.revocations.size, 2501);
    assert.equal(c.revocations.isRevoked(session('id2499')), true);
    assert.equal(c.revocations.isRevoked(session('y', 'carol')), true);
  });

  it('a lost message is applied at the next resync, and only a changed version costs a full read', async () => {
    const prefix = `r${prefixes++}:`;
    const a = await instance(prefix);
    // B's subscriber drops every message while `deaf` is set: a message lost on the way.
    let deaf = false;
    let onDrop: () => void = () => undefined;
    const dropped = new Promise<void>((resolve) => (onDrop = resolve));
    const real = await connectRedis(server!.url, { log: () => undefined, maxReconnectDelayMs: 20 });
    closers.push(() => real.close());
    const b = await instance(prefix, {
      client: real.client,
      subscriber: {
        get isReady() { return real.subscriber.isReady; },
        subscribe: (channel, listener) => real.subscriber.subscribe(channel, (m) => (deaf ? onDrop() : listener(m))),
        unsubscribe: () => Promise.resolve(),
        on: (e, l) => real.subscriber.on(e, l),
        off: (e, l) => real.subscriber.off(e, l),
      },
    });
    assert.equal(b.timers.fire('resync'), 1);
    const quiet = await b.events.waitFor((e) => e.type === 'synced' && e.reason === 'resync');
    assert.equal(quiet.type === 'synced' && quiet.full, false, 'nothing changed: one version check, no full read');

    deaf = true;
    await a.revocations.revokeSession('lost', T0 + 60_000);
    await dropped;
    assert.equal(b.revocations.isRevoked(session('lost')), false, 'B has not heard of it: the staleness a lost message causes');

    await until(() => b.timers.pending('resync') === 1, 'the next resync scheduled');
    const mark = b.events.mark();
    b.timers.fire('resync');
    const synced = await b.events.waitFor((e) => e.type === 'synced' && e.reason === 'resync', mark);
    assert.equal(synced.type === 'synced' && synced.full, true);
    assert.equal(b.revocations.isRevoked(session('lost')), true);
  });

  it('ignores a malformed message on its channel', async () => {
    const prefix = `r${prefixes++}:`;
    const a = await instance(prefix);
    for (const text of ['', 'x s 1 id', '1 q 5 id', '1 s 12 ', '99999999999999999 s 1 id']) {
      await a.redis.client.eval("return redis.call('PUBLISH', KEYS[1], ARGV[1])", { keys: [`${prefix}revoked`], arguments: [text] });
    }
    await a.revocations.revokeSession('real', T0 + 1000);
    await a.events.waitFor((e) => e.type === 'message' && e.record.member === 'real');
    assert.equal(a.revocations.size, 1);
  });

  it('keeps the largest time for a record, whichever instance writes last', async () => {
    const prefix = `r${prefixes++}:`;
    const [a, b] = [await instance(prefix), await instance(prefix)];
    await a.revocations.revokeSession('s', T0 + 60_000);
    await b.revocations.revokeSession('s', T0 + 10_000);
    const score = await a.redis.client.eval("return redis.call('ZSCORE', KEYS[1], 's')", { keys: [`${prefix}revoked:sessions`], arguments: [] });
    assert.equal(Number(score), T0 + 60_000);
    const version = await a.redis.client.eval('return redis.call(\'GET\', KEYS[1])', { keys: [`${prefix}revoked:version`], arguments: [] });
    assert.equal(Number(version), 1, 'the shorter record changed nothing, so it was not published');
  });

  it('drops from memory, at each resync, a session id whose session has ended and a user record past the absolute timeout', async () => {
    const prefix = `r${prefixes++}:`;
    let now = T0;
    const a = await instance(prefix, { now: () => now, retainSeconds: 100 });
    await a.revocations.revokeSession('short', T0 + 10_000);
    await a.revocations.revokeSession('long', T0 + 500_000);
    await a.revocations.revokeSubject('dave');
    assert.equal(a.revocations.size, 3);
    now = T0 + 10_000;
    assert.equal(a.revocations.isRevoked(session('short')), false);
    now = T0 + 100_000;
    a.timers.fire('resync');
    await a.events.waitFor((e) => e.type === 'synced' && e.reason === 'resync');
    assert.equal(a.revocations.size, 1);
    assert.equal(a.revocations.isRevoked(session('long')), true);
  });

  it('a logout while Redis is down holds here at once, is retried with backoff and written once Redis is back; B then refuses it', async () => {
    const prefix = `r${prefixes++}:`;
    const [a, b] = [await instance(prefix), await instance(prefix)];
    await b.revocations.revokeSession('before', T0 + 60_000);
    await a.events.waitFor((e) => e.type === 'message' && e.record.member === 'before');
    await server!.stop();
    await Promise.all([whenDown(a.redis.client), whenDown(b.redis.subscriber)]);
    let restarted = false;
    try {
      await a.revocations.revokeSession('during', T0 + 60_000);
      await a.revocations.revokeSession('during', T0 + 30_000); // merged: one record, the longer
      assert.equal(a.revocations.isRevoked(session('during')), true, 'refused here at once');
      assert.equal(a.revocations.queued, 1);
      assert.ok(a.events.events.some((e) => e.type === 'write' && e.error !== undefined));
      assert.equal(a.timers.pending('retry'), 1, 'a retry is scheduled');
      a.timers.fire('retry');
      await a.events.waitFor((e) => e.type === 'write' && e.attempt >= 3);
      assert.equal(a.revocations.queued, 1, 'still queued: never dropped');
      assert.equal(b.revocations.isRevoked(session('before')), true, 'B keeps what it had synced');
      assert.equal(b.revocations.isRevoked(session('during')), false, 'B has not heard of it yet');
      const mark = b.events.mark();
      await server!.restart();
      restarted = true;
      // B hears of it by its pub/sub message or, when its subscriber came back only after A wrote,
      // by the full read its reconnect makes (the next test forces that order): one of B's events.
      await b.events.waitFor(() => b.revocations.isRevoked(session('during')), mark);
    } finally {
      if (!restarted) await server!.restart();
    }
    // B's message can arrive before A has read Redis's reply to the same write: wait for A's side.
    await until(() => a.revocations.queued === 0, "A's queue is drained once Redis took the write");
    assert.equal(b.revocations.isRevoked(session('during')), true);
    // Redis restarted empty: both wrote back what they held, so a newcomer sees the whole set.
    await a.events.waitFor((e) => e.type === 'reseeded');
    await b.events.waitFor((e) => e.type === 'reseeded');
    await until(() => a.revocations.queued + b.revocations.queued === 0, 'both wrote back what they held');
    const c = await instance(prefix);
    assert.equal(c.revocations.isRevoked(session('during')), true);
    assert.equal(c.revocations.isRevoked(session('before')), true);
  });

  it('a logout A writes to a restarted Redis while B is still cut off reaches B by the full read of its reconnect', async () => {
    const { prefix, proxy, a, b } = await directAndProxied();
    await b.revocations.revokeSession('before', T0 + 60_000);
    await a.events.waitFor((e) => e.type === 'message' && e.record.member === 'before');
    await server!.stop();
    await Promise.all([whenDown(a.redis.client), whenDown(b.redis.client), whenDown(b.redis.subscriber)]);
    proxy.cut(); // B stays away after Redis is back, so A's message is published before B listens
    let restarted = false;
    try {
      await a.revocations.revokeSession('during', T0 + 60_000);
      assert.equal(a.revocations.queued, 1);
      const markA = a.events.mark();
      await server!.restart();
      restarted = true;
      await a.events.waitFor((e) => e.type === 'write' && e.error === undefined && e.waiting === 0, markA);
      await a.events.waitFor((e) => e.type === 'reseeded', markA);
    } finally {
      if (!restarted) await server!.restart();
    }
    assert.equal(b.revocations.isRevoked(session('during')), false, 'B missed the message');
    const markB = b.events.mark();
    proxy.heal();
    await b.events.waitFor((e) => e.type === 'synced' && e.reason === 'reconnect' && e.full, markB);
    assert.equal(b.revocations.isRevoked(session('during')), true, 'read in full on reconnect');
    assert.equal(b.revocations.isRevoked(session('before')), true);
    assert.ok(!b.events.events.slice(markB).some((e) => e.type === 'message' && e.record.member === 'during'), 'not by a message');
    // B found Redis emptied by the restart (a new epoch) and wrote back what it held: a newcomer sees both.
    await b.events.waitFor((e) => e.type === 'reseeded', markB);
    await until(() => a.revocations.queued + b.revocations.queued === 0, 'both wrote back what they held');
    const c = await instance(prefix);
    assert.equal(c.revocations.isRevoked(session('during')), true);
    assert.equal(c.revocations.isRevoked(session('before')), true);
  });

  it('a write Redis refuses while connected is retried when its timer fires, until Redis takes it', async () => {
    const prefix = `r${prefixes++}:`;
    const a = await instance(prefix);
    const admin = a.redis.client;
    await rawCommand(admin, ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction']);
    await rawCommand(admin, ['CONFIG', 'SET', 'maxmemory', '1']);
    try {
      await a.revocations.revokeSession('oom', T0 + 60_000);
      assert.equal(a.revocations.queued, 1);
      const failed = a.events.events.find((e) => e.type === 'write' && e.error !== undefined);
      assert.match(String((failed as { error?: Error } | undefined)?.error?.message), /OOM|maxmemory/);
    } finally {
      await rawCommand(admin, ['CONFIG', 'SET', 'maxmemory', '0']);
    }
    const mark = a.events.mark();
    assert.equal(a.timers.fire('retry'), 1);
    await a.events.waitFor((e) => e.type === 'write' && e.error === undefined && e.waiting === 0, mark);
    assert.equal(a.revocations.queued, 0);
  });

  it('close tries once more to write what is queued', async () => {
    const prefix = `r${prefixes++}:`;
    const a = await instance(prefix);
    await rawCommand(a.redis.client, ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction']);
    await rawCommand(a.redis.client, ['CONFIG', 'SET', 'maxmemory', '1']);
    try {
      await a.revocations.revokeSubject('frank');
      assert.equal(a.revocations.queued, 1);
    } finally {
      await rawCommand(a.redis.client, ['CONFIG', 'SET', 'maxmemory', '0']);
    }
    await a.revocations.close();
    assert.equal(a.revocations.queued, 0);
    const c = await instance(prefix);
    assert.equal(c.revocations.isRevoked(session('f', 'frank')), true);
  });

  it('an instance cut off from Redis keeps its last synced records and applies everything missed when it reconnects', async () => {
    const { proxy, a, b } = await directAndProxied();
    await a.revocations.revokeSession('old', T0 + 60_000);
    await b.events.waitFor((e) => e.type === 'message' && e.record.member === 'old');
    proxy.cut();
    await Promise.all([whenDown(b.redis.client), whenDown(b.redis.subscriber)]);
    await a.revocations.revokeSession('missed', T0 + 60_000);
    await a.revocations.revokeSubject('erin');
    assert.equal(b.revocations.isRevoked(session('old')), true, 'still refused from the last sync');
    assert.equal(b.revocations.isRevoked(session('missed')), false, 'not heard of yet: the documented bound of an outage');
    const mark = b.events.mark();
    proxy.heal();
    await b.events.waitFor((e) => e.type === 'synced' && e.reason === 'reconnect' && e.full, mark);
    await whenReady(b.redis.client);
    assert.equal(b.revocations.isRevoked(session('missed')), true);
    assert.equal(b.revocations.isRevoked(session('z', 'erin')), true);
  });

  it('refuses to open when Redis does not answer', async () => {
    const proxy = await RedisProxy.start(server!.port);
    closers.push(() => proxy.close());
    const redis = await connectRedis(proxy.url, { log: () => undefined, maxReconnectDelayMs: 20 });
    closers.push(() => redis.close());
    proxy.cut();
    await Promise.all([whenDown(redis.client), whenDown(redis.subscriber)]);
    await assert.rejects(RedisRevocations.open({ client: redis.client, subscriber: redis.subscriber, retainSeconds: DAY, prefix: 'never:' }));
  });
});
