/**
 * `RedisStore`: server-side sessions in Redis, for deployments on several machines. cachet ships
 * no Redis client: the app passes its own through {@link RedisClientLike}. See docs/stores.md.
 * @module
 */
import { type RedisClientLike, RedisRecords } from './redis-records.js';
import { ServerSideStore } from '../server-store.js';
import { type ServerStoreOptions, checkOption, resolveServerStoreOptions, warnStoreError } from '../server-store-options.js';
import type { SessionValues } from '../../core/session-record.js';

/** Options for {@link RedisStore}. */
export interface RedisStoreOptions extends ServerStoreOptions {
  /** A connected client; a `redis` npm client (v4+) fits as is. */
  client: RedisClientLike;
  /** Prepended to every key. Default `'cachet:'`. */
  prefix?: string;
  /** Milliseconds a command may take before Redis counts as down (ERR_STORE_UNAVAILABLE). Default 2000. */
  commandTimeout?: number;
}

const COMMANDS = ['get', 'set', 'del', 'zAdd', 'zRem', 'zRange', 'zRemRangeByScore', 'pExpire'] as const;

/**
 * Sessions stored in Redis, behind a signed session-id cookie. While Redis is down, requests fail
 * with `ERR_STORE_UNAVAILABLE` (the app answers 503); when it is back, service resumes.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * const client = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true });
 * client.on('error', (err) => console.error('redis:', err.message));
 * await client.connect();
 * const store = new RedisStore<{ userId?: string }>({ keyring, client });
 * ```
 */
export class RedisStore<T extends SessionValues = SessionValues> extends ServerSideStore<T> {
  constructor(options: RedisStoreOptions) {
    const resolved = resolveServerStoreOptions(options, 'RedisStore', { client: true, prefix: true, commandTimeout: true });
    const client = options.client as Partial<Record<(typeof COMMANDS)[number], unknown>> | undefined;
    const missing = COMMANDS.filter((name) => typeof client?.[name] !== 'function');
    checkOption(missing.length === 0, `client must be a connected Redis client; it lacks ${missing.join(', ')} (see docs/stores.md).`);
    const commandTimeout = options.commandTimeout ?? 2000;
    checkOption(Number.isFinite(commandTimeout) && commandTimeout > 0, `commandTimeout is in milliseconds, above 0 (got ${String(commandTimeout)}).`);
    const prefix = options.prefix ?? 'cachet:';
    checkOption(typeof prefix === 'string', 'prefix must be a string.');
    const records = new RedisRecords({
      client: options.client,
      prefix,
      now: resolved.now,
      indexTtl: Math.ceil(resolved.absoluteTimeout) * 1000,
      commandTimeout,
      onStoreError: options.onStoreError ?? warnStoreError,
    });
    super(records, options, resolved);
  }
}
