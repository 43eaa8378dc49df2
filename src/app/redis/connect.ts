/**
 * Opens the app's two Redis connections with the `redis` npm package (node-redis), loaded only
 * here and only when a Redis URL is given: cachet has no runtime dependency, and an app without
 * `--redis` never loads it.
 *
 * - `disableOfflineQueue`: while Redis is away a command fails at once instead of waiting in a
 *   queue for a reconnect, so a login answers 503 now and a logout is queued by the app (which
 *   knows which writes matter) rather than by the client.
 * - A listener for `'error'` on both connections: an EventEmitter's unheard `'error'` is thrown,
 *   which would end the process at the first lost connection. Errors are logged once per outage.
 * - Reconnects forever, with a delay that grows to `maxReconnectDelayMs`.
 * - The first connection must succeed within `connectTimeoutMs`, or the start fails: an instance
 *   that never read the revocations would accept every revoked cookie.
 * @module
 */
import { type AppRedis } from './client.js';
import { CommandClient } from './command-client.js';

/** Why {@link connectRedis} failed, as a stable code (startup-errors.ts turns it into a hint). */
export type RedisConnectErrorCode = 'ERR_REDIS_MISSING' | 'ERR_REDIS_UNREACHABLE';

/**
 * A failed {@link connectRedis}; the message never holds the URL's password.
 *
 * @example
 * ```ts
 * try { await connectRedis(url, { log }); } catch (err) {
 *   if (err instanceof RedisConnectError && err.code === 'ERR_REDIS_MISSING') console.error('npm install redis');
 * }
 * ```
 */
export class RedisConnectError extends Error {
  readonly code: RedisConnectErrorCode;
  /** The URL without credentials, for messages. */
  readonly where: string;

  constructor(code: RedisConnectErrorCode, where: string, message: string) {
    super(message);
    this.name = 'RedisConnectError';
    this.code = code;
    this.where = where;
  }
}

/** The part of node-redis's client that connecting uses. */
interface NodeRedisClient {
  readonly isReady: boolean;
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  duplicate(): NodeRedisClient;
  close(): Promise<unknown>;
  destroy(): void;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
  sendCommand(args: string[]): Promise<unknown>;
}

/** How connectRedis configures each connection. */
interface ClientOptions {
  url: string;
  disableOfflineQueue: boolean;
  socket: { reconnectStrategy: (retries: number) => number; connectTimeout: number };
  commandOptions: { timeout: number };
}

/** The part of the `redis` module that connecting uses. */
export interface RedisModule {
  createClient(options: ClientOptions): unknown;
  /**
   * node-redis's base client class, without the command methods `createClient` attaches
   * (command-client.ts says why the app prefers it). Used when the package exports it.
   */
  RedisClient?: unknown;
}

/** The base client class of `redis`, when the package exports one that can send commands. */
function baseClientClass(redis: RedisModule): (new (options: ClientOptions) => NodeRedisClient) | undefined {
  const base = redis.RedisClient;
  if (typeof base !== 'function') return undefined;
  const proto = (base as { prototype?: { sendCommand?: unknown; duplicate?: unknown } }).prototype;
  if (typeof proto?.sendCommand !== 'function' || typeof proto.duplicate !== 'function') return undefined;
  return base as new (options: ClientOptions) => NodeRedisClient;
}

/** Options for {@link connectRedis}. */
export interface ConnectRedisOptions {
  /** Where connection changes are reported. */
  log: (line: string) => void;
  /** The first connection must be up within this, ms. Default 10,000. */
  connectTimeoutMs?: number;
  /** Longest wait between reconnect attempts, ms. Default 2000. */
  maxReconnectDelayMs?: number;
  /** Loads the `redis` package. Default `import('redis')`; tests pass one that fails. */
  load?: () => Promise<RedisModule>;
  /** How long `close()` waits for the replies of commands already sent, ms. Default 2000. */
  closeTimeoutMs?: number;
}

/**
 * The URL without user name and password: `redis://host:port` (what messages show).
 *
 * @example
 * ```ts
 * redactRedisUrl('redis://app:s3cret@cache.internal:6379/2'); // 'redis://cache.internal:6379/2'
 * ```
 */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return 'the Redis URL';
  }
}

async function loadRedis(where: string, load: () => Promise<RedisModule>): Promise<RedisModule> {
  try {
    return await load();
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new RedisConnectError('ERR_REDIS_MISSING', where, 'the redis package is not installed');
    }
    throw err;
  }
}

/** Closes `connection` once its sent commands are answered, or destroys it after `ms`. */
async function closeWithin(connection: { close(): Promise<unknown>; destroy(): unknown }, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const closed = await Promise.race([connection.close().then(() => true, () => false), late]);
  clearTimeout(timer);
  if (!closed) connection.destroy();
}

/**
 * Connects the command and subscriber connections to `url`.
 *
 * @example
 * ```ts
 * const redis = await connectRedis(process.env.CACHET_REDIS_URL!, { log: console.log });
 * const built = await createCachetApp({ dataDir, keys, redis });
 * ```
 */
export async function connectRedis(url: string, options: ConnectRedisOptions): Promise<AppRedis> {
  const where = redactRedisUrl(url);
  const redis = await loadRedis(where, options.load ?? (() => import('redis') as Promise<unknown> as Promise<RedisModule>));
  const maxDelay = options.maxReconnectDelayMs ?? 2000;
  const connectTimeout = options.connectTimeoutMs ?? 10_000;
  const clientOptions: ClientOptions = {
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries) => Math.min(50 * 2 ** Math.min(retries, 10), maxDelay), connectTimeout: Math.min(connectTimeout, 5000) },
    // node-redis 6 gives every command a 5 s AbortSignal.timeout of its own unless told not to (0).
    // The app already bounds every command it sends (withTimeout, RedisStore's commandTimeout),
    // and those signals were a third of the CPU of a page view with --session-store redis (eight
    // commands per view): about 3,100 req/CPU-s with them, 6,600 without (docs/benchmarks.md).
    commandOptions: { timeout: 0 },
  };
  const Base = baseClientClass(redis);
  const client = Base === undefined ? (redis.createClient(clientOptions) as NodeRedisClient) : new Base(clientOptions);
  const subscriber = client.duplicate();
  for (const [name, connection] of [['commands', client], ['subscriber', subscriber]] as const) {
    let down = false;
    let wasUp = false;
    connection.on('error', (err: Error) => {
      // node-redis reports every failed reconnect attempt: one line per outage is enough.
      if (down) return;
      down = true;
      options.log(`redis: ${name} connection to ${where} ${wasUp ? 'lost' : 'failed'} (${err.message}); ${wasUp ? 'reconnecting' : 'retrying'}`);
    });
    connection.on('ready', () => {
      if (down) options.log(`redis: ${name} connection to ${where} is ${wasUp ? 'back' : 'up'}`);
      down = false;
      wasUp = true;
    });
  }
  const closeTimeout = options.closeTimeoutMs ?? 2000;
  const close = async (): Promise<void> => {
    for (const connection of [subscriber, client]) {
      if (!connection.isOpen) continue;
      // close() waits for the replies of commands sent; while Redis is away, destroy. A Redis that
      // hangs (stopped, or a partition that drops packets) still looks ready and never replies: a
      // shutdown waited for it forever, so an orchestrator's SIGTERM ended in SIGKILL.
      if (connection.isReady) await closeWithin(connection, closeTimeout);
      else connection.destroy();
    }
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisConnectError('ERR_REDIS_UNREACHABLE', where, `no connection to Redis at ${where} within ${connectTimeout} ms`)), connectTimeout);
  });
  try {
    await Promise.race([Promise.all([client.connect(), subscriber.connect()]), timeout]);
  } catch (err) {
    await close();
    throw err instanceof RedisConnectError ? err : new RedisConnectError('ERR_REDIS_UNREACHABLE', where, `cannot connect to Redis at ${where}: ${(err as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
  // The base class sends only what it is told: CommandClient gives it the app's commands by name.
  const commands = Base === undefined ? (client as unknown as AppRedis['client']) : new CommandClient(client);
  return { client: commands, subscriber: subscriber as unknown as AppRedis['subscriber'], close };
}
