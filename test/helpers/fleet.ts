/**
 * A fleet of reference-app processes for the multi-instance test (issue #17): each instance is a
 * real `src/server.ts` process on its own loopback port with its own data directory, as separate
 * machines would be; they share only what a fleet shares (the keys, the users, a Redis URL).
 *
 * {@link RoundRobin} is the load balancer: one browser (one cookie jar) whose requests go to the
 * instances in turn, skipping an instance that is down, as a balancer's health check would.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisServer } from '../session/redis-server.js';
import { spawnServer, type SpawnedServer } from './spawn-server.js';
import { TestBrowser, type Reply } from './browser-client.js';

/** One app process of the fleet. */
export class Instance {
  #server: SpawnedServer | undefined;
  #port = 0;
  up = false;

  constructor(
    readonly name: string,
    readonly dataDir: string,
    readonly args: readonly string[],
    readonly env: NodeJS.ProcessEnv,
  ) {}

  get origin(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Everything the process printed so far. */
  output(): string {
    return this.#server?.output() ?? '';
  }

  /** Starts the process (again on its previous port, so the balancer's list stays the same). */
  async start(): Promise<void> {
    const server = spawnServer(['--port', String(this.#port), '--no-explain', ...this.args], { CACHET_DATA_DIR: this.dataDir, ...this.env }, { killAtEnd: false });
    this.#server = server;
    const [, port] = await server.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    this.#port = Number(port);
    this.up = true;
  }

  /** SIGTERM, as a rolling deploy does: in-flight requests finish, then the process exits 0. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.up = false;
    if (server === undefined) return;
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    if (exit.code !== 0) throw new Error(`${this.name} exited with ${String(exit.code)}/${String(exit.signal)}:\n${server.output()}`);
  }

  /** SIGKILL, for the end of a suite that failed half-way (a process left behind would keep its port). */
  kill(): void {
    this.up = false;
    this.#server?.child.kill('SIGKILL');
  }

  /** A stop, a new key file, a start: one step of a rolling restart. */
  async restartWithKeys(keysFile: string): Promise<void> {
    await this.stop();
    copyFileSync(keysFile, join(this.dataDir, 'keys.json'));
    await this.start();
  }

  /** A browser of its own, talking to this instance only. */
  browser(): TestBrowser {
    return new TestBrowser(this.origin);
  }
}

/**
 * Makes `names.length` data directories under `root`, each holding a copy of `seed`'s keys.json
 * and users.json, and an {@link Instance} for each (not started).
 */
export function fleetOf(root: string, seed: string, names: readonly string[], args: readonly string[], env: NodeJS.ProcessEnv = {}): Instance[] {
  return names.map((name) => {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const file of ['keys.json', 'users.json']) copyFileSync(join(seed, file), join(dir, file));
    return new Instance(name, dir, args, env);
  });
}

/**
 * A load balancer in front of the fleet and one browser behind it: every request goes to the next
 * instance that is up; `on(instance)` pins one request to one instance.
 */
export class RoundRobin {
  readonly jar = new Map<string, string>();
  readonly log: { instance: string; method: string; path: string; status: number; location: string | null }[] = [];
  #next = 0;

  constructor(
    readonly instances: readonly Instance[],
    readonly headers: Record<string, string> = {},
  ) {}

  #pick(): Instance {
    for (let tried = 0; tried < this.instances.length; tried++) {
      const instance = this.instances[this.#next++ % this.instances.length]!;
      if (instance.up) return instance;
    }
    throw new Error('no instance is up');
  }

  async #send(instance: Instance, method: string, path: string, form?: Record<string, string>): Promise<Reply> {
    const browser = instance.browser();
    for (const [name, value] of this.jar) browser.jar.set(name, value);
    const reply = await browser.request(method, path, form === undefined ? { headers: this.headers } : { form, headers: this.headers });
    this.jar.clear();
    for (const [name, value] of browser.jar) this.jar.set(name, value);
    this.log.push({ instance: instance.name, method, path, status: reply.status, location: reply.headers.get('location') });
    return reply;
  }

  /** Connection failures of a GET on an instance being stopped, answered by another instance instead. */
  retried = 0;

  async get(path: string): Promise<Reply> {
    const instance = this.#pick();
    try {
      return await this.#send(instance, 'GET', path);
    } catch (err) {
      // A keep-alive connection the stopping instance closed as idle just as the request went out
      // (RFC 9112 §9.3.1): a balancer sends an idempotent request again to another upstream (nginx's
      // proxy_next_upstream error). Only for an instance taken out of the pool: a reset from one in
      // it is a failure of the test.
      if (instance.up) throw err;
      this.retried++;
      return this.#send(this.#pick(), 'GET', path);
    }
  }

  post(path: string, form: Record<string, string>): Promise<Reply> {
    return this.#send(this.#pick(), 'POST', path, form);
  }

  /** Sends one request to `instance`, whatever the rotation says. */
  on(instance: Instance): { get(path: string): Promise<Reply>; post(path: string, form: Record<string, string>): Promise<Reply> } {
    return {
      get: (path) => this.#send(instance, 'GET', path),
      post: (path, form) => this.#send(instance, 'POST', path, form),
    };
  }
}

/** A running fleet on its own redis-server, and how to take it all down. */
export interface RunningFleet {
  redis: RedisServer;
  /** The data directory the instances' copies came from (keys.json, users.json). */
  seed: string;
  instances: Instance[];
  stop(): Promise<void>;
}

/**
 * Starts a redis-server, fills a seed data directory with `prepareSeed`, and starts one instance per
 * name on copies of it, each given `args(redisUrl)`. For a suite's `before`: its directory is not a
 * tempDir(), whose after() would run at the end of the hook, not of the suite.
 */
export async function startFleet(names: readonly string[], prepareSeed: (dir: string) => Promise<void>, args: (redisUrl: string) => string[]): Promise<RunningFleet> {
  const redis = await RedisServer.start();
  const root = mkdtempSync(join(tmpdir(), 'cachet-fleet-'));
  const seed = join(root, 'seed');
  await prepareSeed(seed);
  const instances = fleetOf(root, seed, names, args(redis.url));
  await Promise.all(instances.map((instance) => instance.start()));
  return {
    redis,
    seed,
    instances,
    async stop() {
      try {
        await Promise.all(instances.filter((i) => i.up).map((i) => i.stop()));
      } finally {
        for (const instance of instances) instance.kill();
        await redis.close();
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
