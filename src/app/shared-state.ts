/**
 * Where the app keeps what its processes must agree on: the revocations and the failed-login
 * counters. Without Redis (the default, one machine): the revocation log in the data directory
 * and counters in this process's memory, exactly as before. With Redis: both in Redis, shared by
 * every instance and worker, checked from memory (src/app/redis/).
 *
 * With Redis the data directory's revocation log is still read, never written: `users remove`
 * (a CLI with no Redis connection) records its "log out everywhere" there, and records written
 * before Redis was turned on keep holding until they expire.
 * @module
 */
import type { LoginLimiter } from './login-limiter.js';
import { MemoryLoginLimiter } from './login-limiter.js';
import { RevocationList, type Revocations } from './revocations.js';
import type { AppRedis } from './redis/client.js';
import { RedisLoginLimiter } from './redis/login-limiter.js';
import { RedisRevocations, type RevocationEvent } from './redis/revocations.js';
import type { Schedule } from './redis/write-queue.js';

/** Tuning of the state kept in Redis. */
export interface RedisStateOptions {
  /** Prefix of every key and channel. Default `cachet:`. */
  prefix?: string;
  /** How often each instance compares its revocations with Redis's, ms (the bound for a lost message). Default 5000. */
  resyncMs?: number;
  /** A Redis command unanswered after this many ms counts as Redis being away. Default 2000. */
  commandTimeoutMs?: number;
  /** Timers for the resync and the write retries. Default: real, unref'd timers. Tests drive their own. */
  schedule?: Schedule;
  /** Told about every message, sync and write (after the app's own logging). */
  onEvent?: (event: RevocationEvent) => void;
}

/** What {@link openSharedState} needs. */
export interface SharedStateOptions {
  dataDir: string;
  /** Session absolute timeout, seconds: how long a "log out everywhere" is kept. */
  absoluteTimeout: number;
  perUser: number;
  perIp: number;
  windowSeconds: number;
  now: () => number;
  log: (line: string) => void;
  redis?: AppRedis | undefined;
  redisOptions?: RedisStateOptions | undefined;
}

/** The app's shared state. */
export interface SharedState {
  revocations: Revocations;
  limiter: LoginLimiter;
  /** `'up'` or `'down'` when Redis is configured, for /healthz; `undefined` without Redis. */
  redisHealth(): 'up' | 'down' | undefined;
  /** Stops watchers and timers; with Redis, tries once more to write queued revocations. */
  close(): Promise<void>;
}

/** What the events say of Redis: whether its last revocation sync worked. */
interface SyncHealth {
  syncing: boolean;
}

function logEvents(log: (line: string) => void, then: ((event: RevocationEvent) => void) | undefined, health: SyncHealth): (event: RevocationEvent) => void {
  let writing = true; // the last write worked
  return (event) => {
    const why = (error: unknown): string => (error instanceof Error ? error.message : String(error));
    if (event.type === 'sync-failed' && health.syncing) {
      health.syncing = false;
      log(`redis: revocations could not be synced (${why(event.error)}); checks use the last synced records until Redis answers`);
    } else if (event.type === 'synced') {
      if (event.reason === 'reconnect') log(`redis: revocations synced in full after a reconnect (version ${event.version})`);
      else if (!health.syncing) log(`redis: revocations sync again (version ${event.version})`);
      else if (event.full && event.reason === 'resync') log(`redis: a revocation message was missed; read every revocation again (version ${event.version})`);
      health.syncing = true;
    } else if (event.type === 'write' && event.error !== undefined && writing) {
      writing = false;
      log(`redis: ${event.waiting} revocation(s) queued: Redis did not take them (${why(event.error)}); retrying until it does`);
    } else if (event.type === 'write' && event.error === undefined && !writing && event.waiting === 0) {
      writing = true;
      log('redis: queued revocations written');
    } else if (event.type === 'reseeded') {
      log(`redis: Redis came back without revocations; wrote back the ${event.count} held here`);
    }
    then?.(event);
  };
}

/**
 * Opens the revocations and the login limiter, in Redis when `options.redis` is given.
 *
 * @example
 * ```ts
 * const state = await openSharedState({ dataDir: '.data', absoluteTimeout: 86400, perUser: 5, perIp: 20, windowSeconds: 900, now: Date.now, log: console.log });
 * state.revocations.isRevoked({ id, subject, createdAt });
 * ```
 */
export async function openSharedState(options: SharedStateOptions): Promise<SharedState> {
  const { now, redis } = options;
  const file = new RevocationList({ dir: options.dataDir, retainSeconds: options.absoluteTimeout, now });
  if (redis === undefined) {
    return {
      revocations: file,
      limiter: new MemoryLoginLimiter({ perUser: options.perUser, perIp: options.perIp, windowSeconds: options.windowSeconds, now }),
      redisHealth: () => undefined,
      close: async () => file.close(),
    };
  }
  const tuning = options.redisOptions ?? {};
  const prefix = tuning.prefix;
  const commandTimeoutMs = tuning.commandTimeoutMs;
  // A Redis that hangs keeps both connections "ready" while it answers nothing: the resync's
  // timeout (every 5 s, 2 s each) is what tells, so /healthz reports it too.
  const health: SyncHealth = { syncing: true };
  let shared: RedisRevocations;
  try {
    shared = await RedisRevocations.open({
      client: redis.client,
      subscriber: redis.subscriber,
      retainSeconds: options.absoluteTimeout,
      now,
      onEvent: logEvents(options.log, tuning.onEvent, health),
      ...(prefix === undefined ? {} : { prefix }),
      ...(commandTimeoutMs === undefined ? {} : { commandTimeoutMs }),
      ...(tuning.resyncMs === undefined ? {} : { resyncMs: tuning.resyncMs }),
      ...(tuning.schedule === undefined ? {} : { schedule: tuning.schedule }),
    });
  } catch (err) {
    file.close();
    throw err;
  }
  const limiter = new RedisLoginLimiter({
    client: redis.client,
    perUser: options.perUser,
    perIp: options.perIp,
    windowSeconds: options.windowSeconds,
    now,
    ...(prefix === undefined ? {} : { prefix }),
    ...(commandTimeoutMs === undefined ? {} : { commandTimeoutMs }),
  });
  const revocations: Revocations = {
    isRevoked: (session) => shared.isRevoked(session) || file.isRevoked(session),
    revokeSession: (id, until) => shared.revokeSession(id, until),
    revokeSubject: (subject) => shared.revokeSubject(subject),
    close: async () => {
      file.close();
      await shared.close();
    },
  };
  return {
    revocations,
    limiter,
    redisHealth: () => (redis.client.isReady && redis.subscriber.isReady && health.syncing ? 'up' : 'down'),
    close: async () => {
      file.close();
      await shared.close();
      const left = shared.queued;
      if (left > 0) options.log(`redis: ${left} revocation(s) were never written to Redis; other instances will not refuse those sessions`);
    },
  };
}
