// Helpers for the tests of the app's state in Redis: an event log to wait on, timers the test
// fires itself, and a TCP proxy that cuts one instance off from Redis while the others stay
// connected. Nothing here sleeps or reads a clock: every wait is for an event.
import assert from 'node:assert/strict';
import { createServer, connect as connectTcp, type Server, type Socket } from 'node:net';
import { after } from 'node:test';
import type { CachetAppOptions } from '../../src/app/create-app.js';
import type { StoredKey } from '../../src/app/key-file.js';
import type { AppRedis } from '../../src/app/redis/client.js';
import { CommandClient } from '../../src/app/redis/command-client.js';
import { connectRedis } from '../../src/app/redis/connect.js';
import { addUser } from '../../src/app/user-file.js';
import { PASSWORD, startApp, WEAK, type Harness } from '../helpers/app-harness.js';
import type { TestBrowser } from '../helpers/browser-client.js';
import { tempDir } from '../helpers/temp-dir.js';
import type { RevocationEvent } from '../../src/app/redis/revocations.js';
import type { Schedule } from '../../src/app/redis/write-queue.js';

/** Every event one instance reported, and promises for the ones still to come. */
export class EventLog {
  readonly events: RevocationEvent[] = [];
  #waiters: { from: number; match: (e: RevocationEvent) => boolean; resolve: (e: RevocationEvent) => void }[] = [];

  readonly listener = (event: RevocationEvent): void => {
    this.events.push(event);
    const index = this.events.length - 1;
    this.#waiters = this.#waiters.filter((w) => {
      if (index < w.from || !w.match(event)) return true;
      w.resolve(event);
      return false;
    });
  };

  /** The position to wait from: take it before the action whose event is awaited. */
  mark(): number {
    return this.events.length;
  }

  /** The first event from `from` on that matches, already logged or still to come. */
  waitFor(match: (e: RevocationEvent) => boolean, from = 0): Promise<RevocationEvent> {
    const seen = this.events.slice(from).find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ from, match, resolve }));
  }
}

/** Timers that run only when the test fires them. */
export function manualSchedule(): { schedule: Schedule; pending(what: 'resync' | 'retry'): number; fire(what: 'resync' | 'retry'): number } {
  const timers = new Set<{ run: () => void; what: 'resync' | 'retry' }>();
  return {
    schedule: (run, _ms, what) => {
      const timer = { run, what };
      timers.add(timer);
      return () => void timers.delete(timer);
    },
    pending: (what) => [...timers].filter((t) => t.what === what).length,
    fire: (what) => {
      const due = [...timers].filter((t) => t.what === what);
      for (const timer of due) {
        timers.delete(timer);
        timer.run();
      }
      return due.length;
    },
  };
}

/**
 * A TCP proxy in front of Redis for one instance: `cut()` drops its connections and refuses new
 * ones (as a network partition would), `heal()` lets them through again.
 */
export class RedisProxy {
  readonly #server: Server;
  readonly #pairs = new Set<[Socket, Socket]>();
  #cut = false;
  readonly port: number;

  private constructor(server: Server, port: number) {
    this.#server = server;
    this.port = port;
  }

  static async start(upstreamPort: number): Promise<RedisProxy> {
    let proxy: RedisProxy | undefined;
    const server = createServer((client) => {
      if (proxy === undefined || proxy.#cut) {
        client.destroy();
        return;
      }
      const pairs = proxy.#pairs;
      const upstream = connectTcp(upstreamPort, '127.0.0.1');
      const pair: [Socket, Socket] = [client, upstream];
      pairs.add(pair);
      const drop = (): void => {
        client.destroy();
        upstream.destroy();
        pairs.delete(pair);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    proxy = new RedisProxy(server, typeof address === 'object' && address !== null ? address.port : 0);
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  cut(): void {
    this.#cut = true;
    for (const [a, b] of this.#pairs) {
      a.destroy();
      b.destroy();
    }
    this.#pairs.clear();
  }

  heal(): void {
    this.#cut = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** Resolves when `client` is ready (now, or at its next 'ready' event). */
export function whenReady(client: { isReady: boolean; on(e: 'ready', l: () => void): unknown; off(e: 'ready', l: () => void): unknown }): Promise<void> {
  if (client.isReady) return Promise.resolve();
  return new Promise((resolve) => {
    const onReady = (): void => {
      client.off('ready', onReady);
      resolve();
    };
    client.on('ready', onReady);
  });
}

/** Resolves when `client` (a node-redis connection) is no longer ready: at its next 'error' or 'end'. */
export function whenDown(connection: { isReady: boolean }): Promise<void> {
  const client = connection as unknown as { isReady: boolean; on(e: string, l: () => void): unknown; off(e: string, l: () => void): unknown };
  if (!client.isReady) return Promise.resolve();
  return new Promise((resolve) => {
    const onDown = (): void => {
      client.off('error', onDown);
      client.off('end', onDown);
      resolve();
    };
    client.on('error', onDown);
    client.on('end', onDown);
  });
}

/** Yields to the event loop until `done()` holds (no clock: a bounded number of turns). */
export async function until(done: () => boolean, what: string): Promise<void> {
  for (let turns = 0; !done(); turns++) {
    if (turns > 200_000) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Sends one raw command (CONFIG, CLIENT: not allowed in scripts) on a node-redis connection, or on
 * the connection under the app's CommandClient (connectRedis's command connection).
 */
export function rawCommand(client: unknown, args: string[]): Promise<unknown> {
  const connection = client instanceof CommandClient ? client.connection : client;
  return (connection as { sendCommand(args: string[]): Promise<unknown> }).sendCommand(args);
}

/** One instance of the app with its own Redis connections, as one machine of a fleet. */
export interface Member {
  h: Harness;
  redis: AppRedis;
  events: EventLog;
  timers: ReturnType<typeof manualSchedule>;
}

export interface MemberOptions {
  url: string;
  /** The key prefix: one per test keeps tests apart in one redis-server. */
  prefix: string;
  keys: StoredKey[];
  verifyPassword?: CachetAppOptions['verifyPassword'];
  loginLimits?: CachetAppOptions['loginLimits'];
  trustProxy?: number;
  /** How long a Redis command may go unanswered, ms (the app's default 2000). */
  commandTimeoutMs?: number;
}

/**
 * Starts one app instance on its own data directory (with the user "demo") and its own Redis
 * connections; every member of a fleet gets the same keys, as machines sharing CACHET_KEYS do.
 * Closed after the test file: servers, then the app's state, then the connections.
 */
export async function startMember(options: MemberOptions): Promise<Member> {
  const dir = tempDir();
  await addUser(dir, 'demo', PASSWORD, WEAK);
  const redis = await connectRedis(options.url, { log: () => undefined, maxReconnectDelayMs: 20 });
  const events = new EventLog();
  const timers = manualSchedule();
  const h = await startApp({
    dir,
    keys: options.keys,
    redis,
    redisOptions: {
      prefix: options.prefix,
      schedule: timers.schedule,
      onEvent: events.listener,
      ...(options.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: options.commandTimeoutMs }),
    },
    ...(options.verifyPassword === undefined ? {} : { verifyPassword: options.verifyPassword }),
    ...(options.loginLimits === undefined ? {} : { loginLimits: options.loginLimits }),
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
  });
  after(async () => {
    await h.close();
    await h.built.close();
    await redis.close();
  });
  return { h, redis, events, timers };
}

/** Copies one browser's cookies into another: the same user agent, sent to another machine. */
export function shareCookies(from: TestBrowser, to: TestBrowser): void {
  to.jar.clear();
  for (const [name, value] of from.jar) to.jar.set(name, value);
}

/**
 * A `/healthz` body without its `keys` list (test/app/healthz-keys.test.ts checks that list), after
 * checking it is there and starts with the primary, so these tests compare what they are about.
 */
export function healthWithoutKeys(body: string): Record<string, unknown> {
  const { keys, ...rest } = JSON.parse(body) as { keys?: { state?: string }[] } & Record<string, unknown>;
  assert.ok(Array.isArray(keys) && keys[0]?.state === 'primary', `/healthz lists the keys, primary first: ${body}`);
  return rest;
}
