import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import type { SessionError } from '../../src/errors.js';
import { type RedisClientLike, RedisRecords } from '../../src/session/server-store/redis/redis-records.js';
import { randomId } from '../../src/session/core/session-record.js';
import { record, runBackendSuite } from './record-backend.case.js';
import { RedisServer, redisSkipReason } from './redis-server.js';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);

let server: RedisServer | undefined;
const clients: { isOpen: boolean; destroy(): void }[] = [];
let prefixes = 0;

async function connect() {
  if (server === undefined) throw new Error('no redis-server');
  // disableOfflineQueue: while Redis is down a command fails at once (→ 503) instead of waiting.
  const client = createClient({ url: server.url, disableOfflineQueue: true, socket: { reconnectStrategy: () => 20 } });
  client.on('error', () => undefined);
  await client.connect();
  clients.push(client);
  return client;
}

function backendOn(client: RedisClientLike, now: () => number = () => T0, errors: SessionError[] = []): RedisRecords {
  return new RedisRecords({
    client, prefix: `t${prefixes++}:`, now, indexTtl: 7 * 86_400_000, commandTimeout: 2000,
    onStoreError: (err) => errors.push(err),
  });
}

before(async () => {
  if (redisSkipReason === undefined) server = await RedisServer.start();
});
after(async () => {
  for (const c of clients) if (c.isOpen) c.destroy();
  await server?.close();
});

runBackendSuite('redis', async (now) => {
  const backend = backendOn(await connect(), now);
  return { backend, dispose: () => backend.close() };
}, { skip: redisSkipReason });

describe('RedisRecords', { skip: redisSkipReason ?? false }, () => {
  // What cachet asks of Redis, read from the commands it sends (not from Redis's own clock, which
  // the test does not control): PX = the record's time left by the app's clock, and the index
  // kept at least as long as a session can live.
  it('stores a record with the time it has left, and keeps the subject index alive as long as a session can live', async () => {
    const real = await connect();
    const sent: { set: unknown[][]; pExpire: unknown[][] } = { set: [], pExpire: [] };
    const client = new Proxy(real, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if ((prop === 'set' || prop === 'pExpire') && typeof value === 'function') {
          return (...args: unknown[]) => {
            sent[prop].push(args);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const b = new RedisRecords({ client, prefix: 'ttl:', now: () => T0, indexTtl: 86_400_000, commandTimeout: 2000, onStoreError: () => undefined });
    const r = record({ subject: 'alice', expiresAt: T0 + 60_000 });
    await b.set(r);
    assert.deepEqual(sent.set.map(([key, , options]) => [key, options]), [[`ttl:session:${r.id}`, { PX: 60_000 }]]);
    assert.deepEqual(sent.pExpire, [['ttl:subject:alice', 86_400_000]]);
    assert.ok((await real.pTTL(`ttl:session:${r.id}`)) > 0, 'Redis holds the record with a TTL');
    assert.deepEqual(await real.zScore('ttl:subject:alice', r.id), r.expiresAt);
  });

  // The index entry and its expiry go out together (one round trip), but the record only once
  // Redis has taken the entry: no record is live without one, so revokeAll always finds it.
  it('sends a record only after Redis has taken its index entry', async () => {
    const real = await connect();
    const order: string[] = [];
    let answerZAdd!: () => void;
    const zAddHeld = new Promise<void>((resolve) => { answerZAdd = resolve; });
    const client = new Proxy(real, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        const method = (value as (...a: unknown[]) => Promise<unknown>).bind(target);
        if (prop === 'zAdd') return async (...args: unknown[]) => { order.push('zAdd'); const reply = await method(...args); await zAddHeld; return reply; };
        if (prop === 'pExpire' || prop === 'set') return (...args: unknown[]) => { order.push(prop); return method(...args); };
        return method;
      },
    });
    const b = new RedisRecords({ client, prefix: 'order:', now: () => T0, indexTtl: 86_400_000, commandTimeout: 2000, onStoreError: () => undefined });
    const r = record({ subject: 'alice', expiresAt: T0 + 60_000 });
    const writing = b.set(r);
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(order, ['zAdd', 'pExpire'], 'the expiry goes with the entry; the record waits');
    assert.equal(await real.exists(`order:session:${r.id}`), 0);
    answerZAdd();
    assert.equal(await writing, true);
    assert.deepEqual(order, ['zAdd', 'pExpire', 'set']);
  });

  it('drops index entries whose sessions expired, even though Redis removed the records itself', async () => {
    const client = await connect();
    const clock = { t: T0 };
    const b = new RedisRecords({ client, prefix: 'exp:', now: () => clock.t, indexTtl: 86_400_000, commandTimeout: 2000, onStoreError: () => undefined });
    const gone = record({ subject: 'alice', expiresAt: T0 + 10 });
    const live = record({ subject: 'alice', expiresAt: T0 + 60_000 });
    await b.set(gone);
    await b.set(live);
    await client.del(`exp:session:${gone.id}`); // what Redis does when the PX runs out
    clock.t = T0 + 10;
    assert.deepEqual((await b.listBySubject('alice')).map((x) => x.id), [live.id]);
    assert.deepEqual(await client.zRange('exp:subject:alice', 0, -1), [live.id]);
  });

  it('treats an unreadable value as absent, logs it and deletes it', async () => {
    const client = await connect();
    const errors: SessionError[] = [];
    const b = new RedisRecords({ client, prefix: 'bad:', now: () => T0, indexTtl: 1000, commandTimeout: 2000, onStoreError: (e) => errors.push(e) });
    const id = randomId();
    await client.set(`bad:session:${id}`, '{"v":1,"id":');
    assert.equal(await b.get(id), undefined);
    assert.equal(errors[0]?.code, 'ERR_STORE_CORRUPT');
    assert.equal(await client.exists(`bad:session:${id}`), 0);
  });

  it('gives ERR_STORE_UNAVAILABLE while the server is down and works again once it is back, with no new client', async () => {
    const client = await connect();
    const b = backendOn(client);
    const r = record({ subject: 'alice' });
    await b.set(r);
    await server?.stop();
    for (const op of [() => b.get(r.id), () => b.set(record()), () => b.delete(r.id), () => b.listBySubject('alice'), () => b.deleteBySubject('alice')]) {
      await assert.rejects(op(), (err: SessionError) => err.code === 'ERR_STORE_UNAVAILABLE' && err.kind === 'internal');
    }
    const ready = new Promise<void>((resolve) => client.once('ready', () => resolve()));
    await server?.restart();
    await ready;
    // No persistence: the restarted server is empty, so the old session is gone, and new ones work.
    assert.equal(await b.get(r.id), undefined);
    const next = record({ subject: 'alice' });
    await b.set(next);
    assert.deepEqual(await b.get(next.id), next);
  });

  it('gives ERR_STORE_UNAVAILABLE when a command does not answer in time', async () => {
    const never = new Promise<never>(() => undefined);
    const stuck: RedisClientLike = {
      get: () => never, set: () => never, del: () => never, zAdd: () => never, zRem: () => never,
      zRange: () => never, zRemRangeByScore: () => never, pExpire: () => never,
    };
    const b = new RedisRecords({ client: stuck, prefix: '', now: () => T0, indexTtl: 1000, commandTimeout: 10, onStoreError: () => undefined });
    await assert.rejects(b.get(randomId()), (err: SessionError) => err.code === 'ERR_STORE_UNAVAILABLE' && /10 ms/.test(err.detail ?? ''));
  });

  it('gives ERR_STORE_UNAVAILABLE when the client throws instead of rejecting', async () => {
    const boom = (): never => {
      throw new Error('The client is closed');
    };
    const broken: RedisClientLike = { get: boom, set: boom, del: boom, zAdd: boom, zRem: boom, zRange: boom, zRemRangeByScore: boom, pExpire: boom };
    const b = backendOn(broken);
    await assert.rejects(b.set(record({ subject: 's' })), { code: 'ERR_STORE_UNAVAILABLE', detail: 'The client is closed' });
  });
});
