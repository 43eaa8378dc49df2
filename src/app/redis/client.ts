/**
 * The Redis connections the reference app uses, as the few methods it calls. A connected client
 * of the `redis` npm package (node-redis 4 and later) satisfies these as is; no type of that
 * package appears here, so cachet compiles and runs without it (it is loaded only when a Redis
 * URL is given, by connect.ts).
 *
 * What lives in src/app/redis/: connect.ts opens the two connections; revocations.ts keeps the
 * logouts in memory, current through pub/sub (its options and events in revocations-options.ts,
 * its Redis layout and scripts in revocation-scripts.ts, its retried writes in write-queue.ts);
 * login-limiter.ts counts failed logins with one Lua script. Each imports this file and the app's interfaces (../login-limiter.ts, ../revocations.ts),
 * never another of them.
 * @module
 */
import type { RedisClientLike } from '../../session/server-store/redis/redis-records.js';

/** Arguments of EVAL: the keys the script touches and its other arguments, all strings. */
export interface EvalArguments {
  keys: string[];
  arguments: string[];
}

/**
 * The command connection: EVAL for every script, and its readiness.
 *
 * @example
 * ```ts
 * const reply = await client.eval("return redis.call('GET', KEYS[1])", { keys: ['k'], arguments: [] });
 * ```
 */
export interface RedisScriptClient {
  /** True while connected and able to take commands. */
  readonly isReady: boolean;
  /** EVAL script numkeys key... arg... */
  eval(script: string, options: EvalArguments): Promise<unknown>;
  /** `'ready'`: connected (again), after a start or a reconnect. */
  on(event: 'ready', listener: () => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
}

/**
 * The second connection, in subscriber mode. node-redis subscribes again by itself after a
 * reconnect, before it reports `'ready'`.
 *
 * @example
 * ```ts
 * await subscriber.subscribe('cachet:revoked', (message) => apply(message));
 * ```
 */
export interface RedisSubscriberClient {
  readonly isReady: boolean;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  unsubscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  on(event: 'ready', listener: () => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
}

/**
 * The app's Redis: a command connection (which `RedisStore` can use as well: it satisfies
 * `RedisClientLike`) and a subscriber connection, with one `close` for both.
 *
 * @example
 * ```ts
 * const redis = await connectRedis('redis://127.0.0.1:6379', { log: console.log });
 * const { app } = await createCachetApp({ dataDir: '.data', keys, redis });
 * // ... on shutdown, after the app's close:
 * await redis.close();
 * ```
 */
export interface AppRedis {
  /** The command connection. */
  readonly client: RedisScriptClient & RedisClientLike;
  /** The subscriber connection (pub/sub only). */
  readonly subscriber: RedisSubscriberClient;
  /** Closes both connections (commands already sent are answered first). */
  close(): Promise<void>;
}

/** The default prefix of every key and channel the app uses. */
export const DEFAULT_REDIS_PREFIX = 'cachet:';

/** The default time a command may take before Redis counts as away, in ms. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 2000;

/**
 * Rejects when `op` has not settled within `ms`, so that a Redis that hangs (a network partition
 * that drops packets instead of refusing them) cannot hang a request. The command may still run
 * later; every script here is safe to run twice or late (a count errs on the refused side, a
 * revocation is merged by its largest time).
 *
 * @example
 * ```ts
 * const reply = await withTimeout(client.eval(script, args), 2000);
 * ```
 */
export async function withTimeout<T>(op: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
    timer.unref?.();
  });
  try {
    return await Promise.race([op, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * True for a usable key prefix: 1 to 64 printable ASCII characters, no space (it is part of key
 * names in logs and `redis-cli`).
 *
 * @example
 * ```ts
 * isRedisPrefix('myapp:'); // true; '' and 'a b' are false
 * ```
 */
export function isRedisPrefix(prefix: unknown): prefix is string {
  return typeof prefix === 'string' && /^[!-~]{1,64}$/.test(prefix);
}

/**
 * Checks a key prefix ({@link isRedisPrefix}).
 *
 * @example
 * ```ts
 * checkPrefix('RedisRevocations', 'myapp:'); // ok; '' or 'a b' throw a TypeError
 * ```
 */
export function checkPrefix(where: string, prefix: string): void {
  if (!isRedisPrefix(prefix)) {
    throw new TypeError(`${where}: prefix must be 1 to 64 printable ASCII characters without spaces`);
  }
}
