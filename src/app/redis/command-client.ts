/**
 * The app's Redis commands, sent through node-redis's base client with `sendCommand`.
 *
 * `createClient()` does not give the base class: it first builds a subclass carrying a method for
 * each of node-redis's ~400 commands (and a second one for `MULTI`). An app process that holds
 * such a client promotes about 30% more of every request to V8's old generation, whatever the
 * client does, connected or not, and even while it sends nothing: measured on the reference app's
 * logged-in page, 770–890 bytes per view against 575–630 without it; with two connected clients of
 * the base class, 596–606 (docs/reference-app-speed.md). Why V8 reacts that way was not
 * found. The app sends nine commands; this class spells them out, and connect.ts builds the
 * connections from the base class when the `redis` package exports it.
 * @module
 */
import type { RedisClientLike } from '../../session/server-store/redis/redis-records.js';
import type { EvalArguments, RedisScriptClient } from './client.js';

/** What this needs of node-redis's base client (`RedisClient`): `sendCommand`, readiness and `'ready'`. */
export interface SendCommandClient {
  readonly isReady: boolean;
  sendCommand(args: string[]): Promise<unknown>;
  on(event: 'ready', listener: () => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
}

/**
 * The commands `RedisStore`, the revocations and the login limiter send, over a base client.
 * Each answers what node-redis's method of the same name answers.
 *
 * @example
 * ```ts
 * // RedisClient: the base class the `redis` package exports (connect.ts loads the package)
 * const connection = new RedisClient({ url: 'redis://127.0.0.1:6379' });
 * await connection.connect();
 * const client = new CommandClient(connection);
 * await client.set('k', 'v', { PX: 60_000 }); // 'OK'
 * ```
 */
export class CommandClient implements RedisScriptClient, RedisClientLike {
  constructor(readonly connection: SendCommandClient) {}

  get isReady(): boolean {
    return this.connection.isReady;
  }

  get(key: string): Promise<string | null> {
    return this.connection.sendCommand(['GET', key]) as Promise<string | null>;
  }

  set(key: string, value: string, options: { PX: number; XX?: boolean }): Promise<unknown> {
    const args = ['SET', key, value, 'PX', String(options.PX)];
    if (options.XX === true) args.push('XX');
    return this.connection.sendCommand(args);
  }

  del(key: string): Promise<unknown> {
    return this.connection.sendCommand(['DEL', key]);
  }

  zAdd(key: string, member: { score: number; value: string }): Promise<unknown> {
    return this.connection.sendCommand(['ZADD', key, String(member.score), member.value]);
  }

  zRem(key: string, member: string): Promise<unknown> {
    return this.connection.sendCommand(['ZREM', key, member]);
  }

  zRange(key: string, start: number, stop: number): Promise<string[]> {
    return this.connection.sendCommand(['ZRANGE', key, String(start), String(stop)]) as Promise<string[]>;
  }

  zRemRangeByScore(key: string, min: number | string, max: number | string): Promise<unknown> {
    return this.connection.sendCommand(['ZREMRANGEBYSCORE', key, String(min), String(max)]);
  }

  pExpire(key: string, ms: number): Promise<unknown> {
    return this.connection.sendCommand(['PEXPIRE', key, String(ms)]);
  }

  eval(script: string, options: EvalArguments): Promise<unknown> {
    return this.connection.sendCommand(['EVAL', script, String(options.keys.length), ...options.keys, ...options.arguments]);
  }

  on(event: 'ready', listener: () => void): unknown {
    return this.connection.on(event, listener);
  }

  off(event: 'ready', listener: () => void): unknown {
    return this.connection.off(event, listener);
  }
}
