// Test harness: a real redis-server on a free loopback port, without persistence, that a test can
// stop and restart mid-run. Not a test file itself.
//
// When redis-server is not installed, `redisSkipReason` says why the Redis tests are skipped; under
// CI (CI=true) a missing redis-server is an error instead, so the Redis tests can never silently
// vanish from the pipeline (`scripts/install-redis.sh` installs it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BINARY = process.env.REDIS_SERVER ?? 'redis-server';

function installed(): boolean {
  const probe = spawnSync(BINARY, ['--version'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

/**
 * `undefined` when the Redis tests can run; otherwise the reason they are skipped.
 * Throws under CI, where skipping is not allowed.
 */
export const redisSkipReason: string | undefined = (() => {
  if (installed()) return undefined;
  if (process.env.CI === 'true') {
    throw new Error(`${BINARY} is not installed but CI=true: the RedisStore tests must run in CI (run scripts/install-redis.sh)`);
  }
  return `${BINARY} is not installed locally (run scripts/install-redis.sh); CI installs it and never skips`;
})();

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// A test process can end without running its `after` hooks: the mutation run ends a test file at
// its first failure (SIGTERM, which Stryker's hook turns into process.exit). Its servers would be
// left running, orphaned, with their directories. So whatever is still running or still on disk
// is removed on the way out (synchronously: an exit listener cannot wait).
const running = new Set<ChildProcess>();
const dirs = new Set<string>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A redis-server child process bound to 127.0.0.1. */
export class RedisServer {
  readonly port: number;
  readonly #dir: string;
  #child: ChildProcess | undefined;

  private constructor(port: number, dir: string) {
    this.port = port;
    this.#dir = dir;
  }

  /** Starts a server on a free port. */
  static async start(): Promise<RedisServer> {
    const dir = mkdtempSync(join(tmpdir(), 'cachet-redis-'));
    dirs.add(dir);
    for (let attempt = 0; ; attempt++) {
      const server = new RedisServer(await freePort(), dir);
      try {
        await server.restart();
        return server;
      } catch (err) {
        // Another process may have taken the port between probe and bind: try another one.
        if (attempt >= 4) throw err;
      }
    }
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** Starts the server again on the same port (after `stop()`); resolves once it accepts connections. */
  async restart(): Promise<void> {
    if (this.#child !== undefined) throw new Error('redis-server is already running');
    const child = spawn(
      BINARY,
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
        '--dir', this.#dir, '--logfile', '', '--daemonize', 'no', '--protected-mode', 'yes'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const onData = (chunk: Buffer): void => {
        log += chunk.toString();
        if (log.includes('Ready to accept connections')) {
          child.stdout?.off('data', onData);
          child.off('exit', onExit);
          child.stdout?.resume();
          resolve();
        }
      };
      const onExit = (code: number | null): void => reject(new Error(`redis-server exited (${String(code)}) before it was ready:\n${log}`));
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
      child.once('exit', onExit);
      child.once('error', reject);
    });
    this.#child = child;
    running.add(child);
  }

  /** Freezes the server (SIGSTOP): its sockets stay open and nothing is answered, like a hung host. */
  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  /** Wakes a paused server (SIGCONT): it answers what was sent meanwhile. */
  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  /** Stops the server (SIGKILL: like a crash; no persistence, so the data is gone). */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    this.#child = undefined;
    running.delete(child);
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** Stops the server and removes its working directory. */
  async close(): Promise<void> {
    await this.stop();
    rmSync(this.#dir, { recursive: true, force: true });
    dirs.delete(this.#dir);
  }
}
