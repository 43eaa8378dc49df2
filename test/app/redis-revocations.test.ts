// RedisRevocations against a real redis-server: instances A, B (and C) are separate connections
// in one process, as separate machines would be. Every wait is for an event the instance
// reports (a message applied, a sync done, a write taken), never for time; resyncs and retries
// run when the test fires their timers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AppRedis, RedisScriptClient, RedisSubscriberClient } from '../../src/app/redis/client.js';
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


/**
 * A command connection over `real` whose scripts (those `only` matches) wait while `hold()` is in
 * force (until `release()`), and whose 'ready' listeners the test calls with `ready()`, as a
 * reconnect would.
 */
function gated(real: RedisScriptClient) {
  let gate: Promise<void> | undefined;
  let open: () => void = () => undefined;
  let only: (script: string) => boolean = () => true;
  const listeners = new Set<() => void>();
  const state = { waiting: 0 };
  const client: RedisScriptClient = {
    get isReady() { return real.isReady; },
    eval: async (script, options) => {
      if (gate !== undefined && only(script)) {
        state.waiting++;
        await gate;
        state.waiting--;
      }
      return real.eval(script, options);
    },
    on: (_e, l) => void listeners.add(l),
    off: (_e, l) => void listeners.delete(l),
  };
  return {
    client,
    state,
    hold: (match: (script: string) => boolean = () => true) => {
      only = match;
      gate = new Promise((resolve) => (open = resolve));
    },
    release: () => {
      gate = undefined;
      open();
    },
    ready: () => {
      for (const l of [...listeners]) l();
    },
  };
}

/** A subscriber over `real` that drops every message while `deaf` is set, and counts unsubscribes. */
function deafened(real: RedisSubscriberClient) {
  const state = { deaf: false, unsubscribes: 0 };
  const wrappers = new Map<(m: string) => void, (m: string) => void>();
  const subscriber: RedisSubscriberClient = {
    get isReady() { return real.isReady; },
    subscribe: (channel, listener) => {
      const wrapped = (m: string): void => (state.deaf ? undefined : listener(m));
      wrappers.set(listener, wrapped);
      return real.subscribe(channel, wrapped);
    },
    unsubscribe: (channel, listener) => (state.unsubscribes++, real.unsubscribe(channel, wrappers.get(listener) ?? listener)),
    on: (e, l) => real.on(e, l),
    off: (e, l) => real.off(e, l),
  };
  return { subscriber, state };
}

/** Publishes raw messages on the prefix's channel and sets Redis's version, as writes elsewhere would. */
async function forge(i: Instance, prefix: string, version: number | undefined, messages: string[]): Promise<void> {
  if (version !== undefined) await i.redis.client.eval("return redis.call('SET', KEYS[1], ARGV[1])", { keys: [`${prefix}revoked:version`], arguments: [String(version)] });
  for (const text of messages) await i.redis.client.eval("return redis.call('PUBLISH', KEYS[1], ARGV[1])", { keys: [`${prefix}revoked`], arguments: [text] });
}

/** Publishes the messages of versions `from` to `to` (each for an ended session) in one script. */
async function forgeRange(i: Instance, prefix: string, from: number, to: number): Promise<void> {
  const script = "for v = tonumber(ARGV[1]), tonumber(ARGV[2]) do redis.call('PUBLISH', KEYS[1], v .. ' s 1 m' .. v) end return 0";
  await i.redis.client.eval(script, { keys: [`${prefix}revoked`], arguments: [String(from), String(to)] });
}

/**
 * A gap at `gap` filled late: Redis's version set to `last`, the versions after the gap published
 * first, then the one at the gap; resolves once `i` has applied it (events after `mark`).
 */
async function fillGapLate(i: Instance, prefix: string, gap: number, last: number, mark: number): Promise<void> {
  await forge(i, prefix, last, []);
  await forgeRange(i, prefix, gap + 1, last);
  await forge(i, prefix, undefined, [`${gap} s 1 m${gap}`]);
  await heard(i, gap, mark);
}

/** Redis loses the prefix's data, as a restart without persistence does. */
async function forget(i: Instance, prefix: string): Promise<void> {
  const keys = ['sessions', 'subjects', 'version', 'epoch'].map((k) => `${prefix}revoked:${k}`);
  await i.redis.client.eval("return redis.call('DEL', unpack(KEYS))", { keys, arguments: [] });
}

/** Sets Redis's maxmemory: '1' makes every write fail (OOM) while connected, '0' lifts it. */
async function maxmemory(i: Instance, value: '0' | '1'): Promise<void> {
  if (value === '1') await rawCommand(i.redis.client, ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction']);
  await rawCommand(i.redis.client, ['CONFIG', 'SET', 'maxmemory', value]);
}

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Fires the next resync (once it is scheduled) and answers whether it read both sets in full. */
async function resync(i: Instance): Promise<boolean> {
  await until(() => i.timers.pending('resync') === 1, 'the next resync scheduled');
  const mark = i.events.mark();
  i.timers.fire('resync');
  const synced = await i.events.waitFor((e) => e.type === 'synced' || e.type === 'sync-failed', mark);
  assert.equal(synced.type, 'synced');
  return synced.type === 'synced' && synced.full;
}

/** Waits for the message of `version` (messages on one connection arrive in order). */
function heard(i: Instance, version: number, from = 0): Promise<unknown> {
  return i.events.waitFor((e) => e.type === 'message' && e.version === version, from);
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
  it('refuses an option it does not know, or a bad prefix, naming itself', async () => {
    const redis = await connectRedis(server!.url, { log: () => undefined, maxReconnectDelayMs: 20 });
    closers.push(() => redis.close());
    const base = { client: redis.client, subscriber: redis.subscriber, retainSeconds: DAY };
    await assert.rejects(RedisRevocations.open({ ...base, resync: 10 } as never), (err: Error & { code?: string }) =>
      err.code === 'ERR_OPTIONS_UNKNOWN' && /^RedisRevocations: unknown option "resync"/.test(err.message));
    await assert.rejects(RedisRevocations.open({ ...base, prefix: 'a b' }), (err: Error) =>
      err instanceof TypeError && /^RedisRevocations: prefix must be/.test(err.message));
  });

  it('refuses to open when its first read fails, though it could subscribe', async () => {
    const redis = await connectRedis(server!.url, { log: () => undefined, maxReconnectDelayMs: 20 });
    closers.push(() => redis.close());
    const failing: RedisScriptClient = { isReady: true, eval: () => Promise.reject(new Error('NOSCRIPT no such script')), on: () => undefined, off: () => undefined };
    await assert.rejects(
      RedisRevocations.open({ client: failing, subscriber: redis.subscriber, retainSeconds: DAY, prefix: `r${prefixes++}:` }),
      /NOSCRIPT no such script/,
    );
  });

  it('opens with one full read and writes nothing back', async () => {
    const prefix = `r${prefixes++}:`;
    const a = await instance(prefix);
    await a.revocations.revokeSession('s', T0 + 60_000);
    const b = await instance(prefix);
    assert.deepEqual(b.events.events, [{ type: 'synced', full: true, version: 1, reason: 'start' }]);
  });

  it('keeps in memory the largest time it has seen for a record: from its own writes, from messages, and from full reads', async () => {
    const prefix = `r${prefixes++}:`;
    let now = T0;
    const real = await connectRedis(server!.url, { log: () => undefined, maxReconnectDelayMs: 20 });
    closers.push(() => real.close());
    const d = deafened(real.subscriber);
    const a = await instance(prefix, { now: () => now, client: real.client, subscriber: d.subscriber });
    const b = await instance(prefix, { now: () => now });
    // Its own writes (deaf, so its own messages do not repair memory): a shorter one after a longer.
    d.state.deaf = true;
    await a.revocations.revokeSession('own', T0 + 60_000);
    await a.revocations.revokeSession('own', T0 + 10_000);
    d.state.deaf = false;
    // Messages: a longer one after a shorter one.
    const mark = a.events.mark();
    await b.revocations.revokeSession('heard', T0 + 10_000);
    await b.revocations.revokeSession('heard', T0 + 60_000);
    await b.revocations.revokeSession('wider', T0 + 10_000);
    await b.revocations.revokeSession('kept', T0 + 10_000);
    await a.events.waitFor((e) => e.type === 'message' && e.record.member === 'kept', mark);
    // For the full read: 'wider' grows in Redis unheard; 'kept' grows here only (Redis refuses it).
    d.state.deaf = true;
    await b.revocations.revokeSession('wider', T0 + 60_000);
    await maxmemory(a, '1');
    try {
      await a.revocations.revokeSession('kept', T0 + 60_000);
      assert.equal(a.revocations.queued, 1);
    } finally {
      await maxmemory(a, '0');
    }
    now = T0 + 20_000;
    assert.equal(a.revocations.isRevoked(session('own')), true, 'own');
    assert.equal(a.revocations.isRevoked(session('heard')), true, 'heard');
    now = T0; // the resync forgets what has ended by its clock: at T0 nothing has
    assert.equal(await resync(a), true);
    now = T0 + 20_000;
    assert.equal(a.revocations.isRevoked(session('wider')), true, 'wider');
    assert.equal(a.revocations.isRevoked(session('kept')), true, 'kept');
  });

  it('drops a queued session id from the moment its session ends, and a queued user record once the absolute timeout has passed, while Redis refuses writes', async () => {
    const prefix = `r${prefixes++}:`;
    let now = T0;
    const a = await instance(prefix, { now: () => now, retainSeconds: 100 });
    const retry = async (): Promise<void> => {
      const mark = a.events.mark();
      assert.equal(a.timers.fire('retry'), 1);
      await a.events.waitFor((e) => e.type === 'write', mark);
    };
    await maxmemory(a, '1');
    try {
      await a.revocations.revokeSession('ends', T0 + 10_000);
      await a.revocations.revokeSubject('gina');
      await a.revocations.revokeSession('stays', T0 + 500_000);
      assert.equal(a.revocations.queued, 3);
      now = T0 + 9_999;
      await retry();
      assert.equal(a.revocations.queued, 3);
      now = T0 + 10_000;
      await retry();
      assert.equal(a.revocations.queued, 2, 'the session has ended');
      assert.equal(a.revocations.size, 2, 'and memory forgets it too');
      now = T0 + 99_999;
      await retry();
      assert.equal(a.revocations.queued, 2);
      assert.equal(a.revocations.size, 2);
      now = T0 + 100_000;
      await retry();
      assert.equal(a.revocations.queued, 1, 'the absolute timeout has passed');
      assert.equal(a.revocations.size, 1);
    } finally {
      await maxmemory(a, '0');
    }
  });

  it('messages in order, or out of order once the gap fills, keep it current: the resync after them reads nothing; a gap left open makes it read in full', async () => {
    const prefix = `r${prefixes++}:`;
    const a = await instance(prefix);
    let mark = a.events.mark();
    await forge(a, prefix, 2, ['1 s 1 m1', '2 s 1 m2']);
    await heard(a, 2, mark);
    assert.equal(await resync(a), false, 'in order');
    mark = a.events.mark();
    await forge(a, prefix, 5, ['5 s 1 m5', '4 s 1 m4', '3 s 1 m3']);
    await heard(a, 3, mark);
    assert.equal(await resync(a), false, 'backwards');
    mark = a.events.mark();
    // 6 fills one gap and leaves 8 missing: 9 must still be remembered when 8 comes.
    await forge(a, prefix, 9, ['9 s 1 m9', '7 s 1 m7', '6 s 1 m6', '8 s 1 m8']);
    await heard(a, 8, mark);
    assert.equal(await resync(a), false, 'two gaps filled');
    mark = a.events.mark();
    await forge(a, prefix, 11, ['11 s 1 m11']);
    await heard(a, 11, mark);
    assert.equal(await resync(a), true, 'version 10 never came: read in full');
  });

  it('remembers at most 1000 versions past a gap, and never one it has already applied', async () => {
    const prefix = `r${prefixes++}:`;
    const a = await instance(prefix);
    let mark = a.events.mark();
    // 1, then 1 again (already applied), then exactly 1000 past the gap at 2: all are kept.
    await forge(a, prefix, 1002, ['1 s 1 m1', '1 s 1 m1']);
    await forgeRange(a, prefix, 3, 1002);
    await forge(a, prefix, undefined, ['2 s 1 m2']);
    await heard(a, 2, mark);
    assert.equal(await resync(a), false);
    mark = a.events.mark();
    // 1001 past the gap at 1003: the last is not kept, so the resync reads in full.
    await fillGapLate(a, prefix, 1003, 2004, mark);
    assert.equal(await resync(a), true);
  });

  it('close stops the resync timer and the retries, even with a resync in flight, stops applying messages, and a second close does nothing', async () => {
    const prefix = `r${prefixes++}:`;
    const real = await connectRedis(server!.url, { log: () => undefined, maxReconnectDelayMs: 20 });
    closers.push(() => real.close());
    const g = gated(real.client);
    const d = deafened(real.subscriber);
    const a = await instance(prefix, { client: g.client, subscriber: d.subscriber });
    const b = await instance(prefix);
    await maxmemory(a, '1');
    try {
      await a.revocations.revokeSession('q', T0 + 60_000);
    } finally {
      await maxmemory(a, '0');
    }
    assert.equal(a.timers.pending('retry'), 1);
    g.hold();
    const mark = a.events.mark();
    assert.equal(a.timers.fire('resync'), 1);
    await settle();
    const closing = a.revocations.close();
    g.release();
    await closing;
    await a.events.waitFor((e) => e.type === 'synced', mark);
    await settle();
    assert.equal(a.timers.pending('resync'), 0, 'no resync after close');
    assert.equal(a.timers.pending('retry'), 0, 'no retry after close');
    assert.equal(a.revocations.queued, 0, 'the last flush wrote it');
    await a.revocations.close();
    assert.equal(d.state.unsubscribes, 1);
    // A listener added after close, on the same connection, hears B's next message; A does not.
    const probe = new Promise<void>((resolve) => void real.subscriber.subscribe(`${prefix}revoked`, (m) => (m.endsWith(' after') ? resolve() : undefined)));
    await b.revocations.revokeSession('after', T0 + 60_000);
    await probe;
    assert.ok(!a.events.events.some((e) => e.type === 'message' && e.record.member === 'after'));
  });

  it('a reconnect retries after the shortest delay again, then reads both sets in full even when the version has not moved', async () => {
    const prefix = `r${prefixes++}:`;
    const real = await connectRedis(server!.url, { log: () => undefined, maxReconnectDelayMs: 20 });
    closers.push(() => real.close());
    const g = gated(real.client);
    const timers = manualSchedule();
    const delays: number[] = [];
    const a = await instance(prefix, {
      client: g.client,
      schedule: (run, ms, what) => (what === 'retry' && delays.push(ms), timers.schedule(run, ms, what)),
    });
    // A record in Redis that no version counted (a failover to a replica can leave one): only a full read finds it.
    await a.redis.client.eval("return redis.call('ZADD', KEYS[1], ARGV[1], 'unversioned')", { keys: [`${prefix}revoked:sessions`], arguments: [String(T0 + 60_000)] });
    const failed = async (): Promise<void> => {
      const mark = a.events.mark();
      assert.equal(timers.fire('retry'), 1);
      await a.events.waitFor((e) => e.type === 'write', mark);
    };
    await maxmemory(a, '1');
    try {
      await a.revocations.revokeSession('q', T0 + 60_000);
      await failed();
      await failed();
      assert.deepEqual(delays, [100, 200, 400]);
      // Back, but still refusing writes: the sync fails too (its script sets the epoch).
      const mark = a.events.mark();
      g.ready();
      await a.events.waitFor((e) => e.type === 'sync-failed', mark);
      await failed();
      assert.deepEqual(delays, [100, 200, 400, 100]);
    } finally {
      await maxmemory(a, '0');
    }
    let mark = a.events.mark();
    timers.fire('retry');
    await a.events.waitFor((e) => e.type === 'message' && e.record.member === 'q', mark);
    assert.equal(a.revocations.isRevoked(session('unversioned')), false, 'no version told of it');
    mark = a.events.mark();
    g.ready();
    const synced = await a.events.waitFor((e) => e.type === 'synced' && e.reason === 'reconnect', mark);
    assert.equal(synced.type === 'synced' && synced.full, true);
    assert.equal(a.revocations.isRevoked(session('unversioned')), true);
  });

  it('a sync asked for while one runs waits for it, and a later ask joins the waiting one and only widens it', async () => {
    const prefix = `r${prefixes++}:`;
    const real = await connectRedis(server!.url, { log: () => undefined, maxReconnectDelayMs: 20 });
    closers.push(() => real.close());
    const g = gated(real.client);
    const a = await instance(prefix, { client: g.client });
    const mark = a.events.mark();
    g.hold();
    g.ready(); // a reconnect: its sync runs, held
    await settle();
    g.ready(); // a second reconnect waits behind it
    await settle();
    assert.equal(a.timers.fire('resync'), 1); // a resync joins the waiting reconnect: still full, still a reconnect
    g.release();
    await until(() => a.timers.pending('resync') === 1, 'the resync answered and scheduled again');
    const synced = a.events.events.slice(mark).filter((e) => e.type === 'synced');
    assert.deepEqual(synced, [
      { type: 'synced', full: true, version: 0, reason: 'reconnect' },
      { type: 'synced', full: true, version: 0, reason: 'reconnect' },
    ]);
  });

  it('when Redis has lost its data, writes back the live records it holds and counts versions again from the new start', async () => {
    const prefix = `r${prefixes++}:`;
    let now = T0;
    const a = await instance(prefix, { now: () => now });
    await maxmemory(a, '1');
    try {
      for (const id of ['x', 'y', 'z']) await a.revocations.revokeSession(id, T0 + 60_000);
      await a.revocations.revokeSession('ends', T0 + 1_000);
    } finally {
      await maxmemory(a, '0');
    }
    // A version past a gap, remembered from before the loss: it means nothing after it.
    let mark = a.events.mark();
    await forge(a, prefix, undefined, ['4 s 1 old']);
    await heard(a, 4, mark);
    now = T0 + 1_000;
    await forget(a, prefix);
    mark = a.events.mark();
    a.timers.fire('resync');
    const reseeded = await a.events.waitFor((e) => e.type === 'reseeded', mark);
    assert.deepEqual(reseeded, { type: 'reseeded', count: 3 });
    await heard(a, 3, mark);
    await until(() => a.revocations.queued === 0, 'written back');
    assert.equal(await resync(a), false, 'versions 1 to 3 of the new start are all applied');
  });

  it('after Redis has lost its data, a message missed before the next resync is read by it', async () => {
    const prefix = `r${prefixes++}:`;
    const real = await connectRedis(server!.url, { log: () => undefined, maxReconnectDelayMs: 20 });
    closers.push(() => real.close());
    const d = deafened(real.subscriber);
    const a = await instance(prefix, { client: real.client, subscriber: d.subscriber });
    const b = await instance(prefix);
    await forget(a, prefix);
    const mark = a.events.mark();
    a.timers.fire('resync');
    assert.deepEqual(await a.events.waitFor((e) => e.type === 'reseeded', mark), { type: 'reseeded', count: 0 });
    d.state.deaf = true;
    await b.revocations.revokeSession('missed', T0 + 60_000);
    assert.equal(a.revocations.isRevoked(session('missed')), false);
    assert.equal(await resync(a), true);
    assert.equal(a.revocations.isRevoked(session('missed')), true);
  });
  it('close makes no last attempt while its connection is down: what is queued stays queued', async () => {
    const { proxy, b } = await directAndProxied();
    proxy.cut();
    await Promise.all([whenDown(b.redis.client), whenDown(b.redis.subscriber)]);
    await b.revocations.revokeSession('cut', T0 + 60_000);
    assert.equal(b.revocations.queued, 1);
    const mark = b.events.mark();
    await b.revocations.close();
    await settle();
    assert.deepEqual(b.events.events.slice(mark), [], 'no write tried');
    assert.equal(b.revocations.queued, 1);
  });
  it('a reconnect that finds Redis emptied writes back only the records still live', async () => {
    const prefix = `r${prefixes++}:`;
    let now = T0;
    const real = await connectRedis(server!.url, { log: () => undefined, maxReconnectDelayMs: 20 });
    closers.push(() => real.close());
    const g = gated(real.client);
    const a = await instance(prefix, { now: () => now, client: g.client });
    await a.revocations.revokeSession('ends', T0 + 1_000);
    await a.revocations.revokeSession('live', T0 + 60_000);
    await a.revocations.revokeSubject('hal');
    now = T0 + 1_000;
    await forget(a, prefix);
    const mark = a.events.mark();
    g.ready();
    assert.deepEqual(await a.events.waitFor((e) => e.type === 'reseeded', mark), { type: 'reseeded', count: 2 });
  });

  it('a full read forgets the versions past a gap that it covers: they take no place among the 1000 remembered', async () => {
    const prefix = `r${prefixes++}:`;
    const a = await instance(prefix);
    let mark = a.events.mark();
    // 5 is seen past the gap at 2; the resync reads up to 5 in full, which covers it.
    await forge(a, prefix, 5, ['1 s 1 m1', '5 s 1 m5']);
    await heard(a, 5, mark);
    assert.equal(await resync(a), true);
    mark = a.events.mark();
    // Then exactly 1000 past the gap at 6: all are kept, so none is missing once 6 comes.
    await fillGapLate(a, prefix, 6, 1006, mark);
    assert.equal(await resync(a), false);
  });

  it('a message that arrives while a full read runs stays applied: the read does not take the version back', async () => {
    const prefix = `r${prefixes++}:`;
    const real = await connectRedis(server!.url, { log: () => undefined, maxReconnectDelayMs: 20 });
    closers.push(() => real.close());
    const g = gated(real.client);
    const a = await instance(prefix, { client: g.client });
    const b = await instance(prefix);
    let mark = a.events.mark();
    await b.revocations.revokeSession('one', T0 + 60_000);
    await heard(a, 1, mark);
    g.hold((script) => script.includes('ZSCAN'));
    mark = a.events.mark();
    g.ready(); // a reconnect: its full read has the version (1), and waits to scan
    await until(() => g.state.waiting === 1, 'the scan held');
    await b.revocations.revokeSession('two', T0 + 60_000);
    await heard(a, 2, mark);
    g.release();
    await a.events.waitFor((e) => e.type === 'synced' && e.reason === 'reconnect', mark);
    assert.equal(await resync(a), false, 'version 2 was applied by its message');
  });
});
