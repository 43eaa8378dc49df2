/**
 * What `node dist/server.js` and `npx cachet serve` do: read the configuration, prepare the data directory on first
 * start, build the app, listen (in one process or as a cluster of workers), reload keys on SIGHUP
 * and shut down gracefully on SIGTERM/SIGINT.
 * @module
 */
import cluster from 'node:cluster';
import type { Server } from 'node:http';
import type { Cluster } from '../http/cluster.js';
import { onPrimaryStop } from '../http/listen.js';
import { commandLine, type CommandStyle } from './commands.js';
import { parseServerConfig, serverHelp, type ServerConfig } from './config.js';
import { createCachetApp, type CachetApp } from './create-app.js';
import { checkWritable, ensureDataDir } from './data-dir.js';
import { forcedStopLine, stopAndReport, trackRequests } from './graceful-exit.js';
import { loadKeys, readKeyFile } from './key-file.js';
import { keyStatuses, type StoredKey } from './key-states.js';
import type { AppRedis } from './redis/client.js';
import { connectRedis, RedisConnectError, redactRedisUrl, type ConnectRedisOptions } from './redis/connect.js';
import { startupMessage } from './startup-errors.js';
import { ensureDemoUser } from './user-file.js';

/** "primary is k2, 3 key(s): 1 primary, 1 pending, 1 old": what an operator checks after a reload. */
function keySummary(keys: readonly StoredKey[]): string {
  const statuses = keyStatuses(keys);
  const count = (state: string): number => statuses.filter((key) => key.state === state).length;
  return `primary is ${statuses[0]?.id}, ${statuses.length} key(s): 1 primary, ${count('pending')} pending, ${count('old')} old`;
}

/** Where the server writes; `process.stdout`/`stderr` by default. */
export interface MainIo {
  env: NodeJS.ProcessEnv;
  out(line: string): void;
  err(line: string): void;
  /**
   * Which commands exist where the messages are printed: `'npx'` in a project that installed the
   * package, `'npm-run'` (the default) inside this repository, `'node'` in a built copy without
   * sources (src/app/commands.ts).
   */
  commands?: CommandStyle;
  /**
   * How `--redis` connects: the loader of the `redis` package (default: a dynamic import) and how
   * long the first connection may take (default 10 s). Tests shorten and replace them.
   */
  redisConnect?: Pick<ConnectRedisOptions, 'load' | 'connectTimeoutMs'>;
}

/** A running server, for tests and embedding. */
export interface RunningServer {
  config: ServerConfig;
  port: number;
  /** Re-reads the key file (what SIGHUP does). */
  reload(): Promise<void>;
  close(): Promise<void>;
}

function prepare(config: ServerConfig, io: MainIo, announce: boolean): Promise<string | undefined> {
  ensureDataDir(config.dataDir);
  // Without Redis, logouts are written here while the server runs (revocations.jsonl).
  if (config.redisUrl === undefined) checkWritable(config.dataDir);
  const loaded = loadKeys(config.dataDir, io.env);
  if (announce && loaded.created) io.out(`cachet: created ${config.dataDir}/keys.json with key ${loaded.keys[0]?.id}`);
  if (announce && loaded.source === 'env') io.out('cachet: using the keys in CACHET_KEYS (keys.json is ignored)');

  return ensureDemoUser(config.dataDir);
}

/**
 * Ends a start that failed with status 1 (its `cachet:` line is out already). In a cluster worker
 * it exits at once: the worker's channel to the primary keeps it alive (and letting go of it exits
 * with status 0), and the primary, waiting for it to listen, would wait forever. Exited, the
 * primary stops the start (src/http/cluster.ts). Every failure after the configuration is read
 * goes through here: with --workers only the workers connect to Redis, so an unreachable Redis is
 * a worker's failure. The line is out: stderr is synchronous for files and pipes.
 */
function startFailed(): undefined {
  process.exitCode = 1;
  if (cluster.isWorker) process.exit(1);
  return undefined;
}

/**
 * Starts the server as configured by `argv` and `io.env`. Resolves once it listens (or with
 * `undefined` after `--help`, a configuration error (`process.exitCode` 2) or a start-up problem
 * the operator must fix (`process.exitCode` 1): a key file others can read, malformed keys, a data
 * directory that is a file, a port in use, a `--host` that does not resolve. Each problem is one
 * `cachet:` line on `io.err` that says what to do.
 *
 * @example
 * ```ts
 * await startServer(process.argv.slice(2), { env: process.env, out: console.log, err: console.error });
 * ```
 */
export async function startServer(argv: readonly string[], io: MainIo): Promise<RunningServer | undefined> {
  const style = io.commands ?? 'npm-run';
  let config: ServerConfig;
  try {
    config = parseServerConfig(argv, io.env);
  } catch (err) {
    io.err(`cachet: ${(err as Error).message}`);
    process.exitCode = 2;
    return undefined;
  }
  if (config.help) {
    io.out(serverHelp(style));
    return undefined;
  }
  const primary = cluster.isPrimary;
  let keys: StoredKey[];
  try {
    const password = await prepare(config, io, primary);
    if (password !== undefined) {
      io.out(`cachet: created user "demo" with password ${password}`);
      io.out(`cachet: (shown once; set another with: ${commandLine(style, 'users', 'add demo')})`);
    }
    keys = loadKeys(config.dataDir, io.env).keys;
  } catch (err) {
    // A data file the operator must fix (a key file others can read, a corrupt users.json): one
    // line saying what and how, exit status 1, no stack trace.
    io.err(`cachet: ${startupMessage(err, config, style)}`);
    return startFailed();
  }
  if (config.insecureCookies && primary) {
    io.err('cachet: warning: --insecure-cookies: the session cookie is sent without Secure and without the __Host- prefix, so anyone on the network path can read and replay it; use it only for plain-HTTP development on a trusted network, never in production');
  }
  // The cluster's primary serves nothing: only the processes that answer requests connect.
  const redisUrl = config.workers > 1 && primary ? undefined : config.redisUrl;
  let redis: AppRedis | undefined;
  let built: CachetApp;
  try {
    if (redisUrl !== undefined) redis = await connectRedis(redisUrl, { ...io.redisConnect, log: io.out });
    built = await createCachetApp({
      dataDir: config.dataDir,
      keys,
      explain: config.explain,
      insecureCookies: config.insecureCookies,
      idleTimeout: config.idleTimeout,
      absoluteTimeout: config.absoluteTimeout,
      trustProxy: config.trustProxy,
      sessionCache: config.sessionCache,
      log: io.out,
      commands: style,
      ...(redis === undefined ? {} : { redis }),
      ...(config.redisPrefix === undefined ? {} : { redisOptions: { prefix: config.redisPrefix } }),
      // config refuses --session-store redis without --redis, so a client is there when asked for.
      ...(config.sessionStore === 'redis' && redis !== undefined ? { sessionStore: 'redis' as const, redisClient: redis.client } : {}),
    });
  } catch (err) {
    await redis?.close();
    const where = redactRedisUrl(redisUrl ?? '');
    // The first sync failed after the connection was up: Redis went away, or does not answer.
    const reported = redis !== undefined && !(err instanceof RedisConnectError)
      ? new RedisConnectError('ERR_REDIS_UNREACHABLE', where, `Redis at ${where} did not answer the first read of the revocations (${(err as Error).message})`)
      : err;
    io.err(`cachet: ${startupMessage(reported, config, style)}`);
    return startFailed();
  }
  if (config.redisUrl !== undefined && primary) io.out(`cachet: revocations and login limits are shared in Redis at ${redactRedisUrl(config.redisUrl)}`);
  // Servers first (requests in flight may still log out), then the state (one last try to write
  // queued revocations), then the connections.
  const closeAll = async (): Promise<void> => {
    await built.app.close();
    await built.close();
    await redis?.close();
  };

  const reloadHere = async (): Promise<void> => {
    if (io.env['CACHET_KEYS'] !== undefined && io.env['CACHET_KEYS'] !== '') {
      io.out('cachet: SIGHUP ignored: the keys come from CACHET_KEYS, which a running process cannot re-read');
      return;
    }
    try {
      const next = readKeyFile(config.dataDir);
      if (next === undefined) throw new Error('keys.json is missing');
      await built.setKeys(next);
      io.out(`cachet: keys reloaded; ${keySummary(next)}`);
    } catch (err) {
      io.err(`cachet: key reload failed, keeping the current keys: ${(err as Error).message}`);
    }
  };

  const where = (port: number): string => `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const failed = async (err: unknown): Promise<undefined> => {
    await built.close();
    await redis?.close();
    io.err(`cachet: ${startupMessage(err, config, style)}`);
    return startFailed();
  };
  if (config.workers > 1 && primary) {
    let group: Cluster;
    try {
      group = (await built.app.listen({ port: config.port, host: config.host, signals: true, workers: config.workers, maxConnections: config.maxConnections } as never)) as unknown as Cluster;
    } catch (err) {
      return failed(err);
    }
    io.out(`cachet: keys: ${keySummary(keys)}`);
    io.out(`cachet: listening on ${where(group.port)} with ${config.workers} workers (pid ${process.pid})`);
    // The cluster's own handlers stop the workers (each finishes its requests in flight).
    let stopping = false;
    // Prepended: on a second signal the cluster's own handler exits, so this line must come first.
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        io.out(`cachet: ${signal} received again: the workers stop at once, cutting their requests in flight; exiting with status 1`);
        return;
      }
      stopping = true;
      io.out(`cachet: ${signal} received: stopping ${config.workers} workers; each finishes its requests in flight`);
    };
    process.prependListener('SIGTERM', onSignal);
    process.prependListener('SIGINT', onSignal);
    // The cluster replaces a worker that dies, without a word: a worker killed by the OOM killer,
    // or crashing in a loop, was invisible in the log.
    cluster.on('exit', (worker, code, signal) => {
      if (!stopping) io.err(`cachet: worker ${worker.process.pid} exited (${signal ?? `status ${code}`}) while serving; the primary starts another`);
    });
    const forward = (): void => {
      for (const pid of group.pids()) if (pid > 0) process.kill(pid, 'SIGHUP');
    };
    process.on('SIGHUP', forward);
    return { config, port: group.port, reload: async () => forward(), close: async () => {
      await group.close();
      await built.close();
    } };
  }
  let server: Server;
  try {
    server = (await built.app.listen({ port: config.port, host: config.host, maxConnections: config.maxConnections })) as Server;
  } catch (err) {
    return failed(err);
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  process.on('SIGHUP', () => void reloadHere());
  // SIGTERM/SIGINT: drain and exit 0, saying so; a second signal exits at once with status 1.
  const active = trackRequests(server);
  const who = cluster.isWorker ? `worker ${process.pid}: ` : '';
  let stopping = false;
  const stop = (reason: string): void => {
    stopping = true;
    void stopAndReport(reason, active, closeAll, io.out, who).then(() => process.exit(0));
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // Said before the exit (the exit hook writes lines still batched): a silent exit looked
      // like a crash, with the requests it cut unaccounted for.
      io.out(forcedStopLine(signal, active, who));
      process.exit(1);
    }
    stop(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // A worker asked to stop by the primary stops the same way: it used to drain its server and
  // exit on the spot, without a log line and without closeAll, so with --redis the revocations
  // still queued were never tried again. Not a second signal: Ctrl-C sends SIGINT to the workers
  // too, and that message then arrives while they already stop.
  if (cluster.isWorker) {
    onPrimaryStop(() => {
      if (!stopping) stop('stop request from the primary');
    });
  }
  if (primary) {
    // Which keys this instance runs with, as /healthz says: an instance started without
    // CACHET_KEYS exported, or from an old key file, shows it here rather than in logged-out users.
    // Printed once listening, so a start that fails stays one line.
    io.out(`cachet: keys: ${keySummary(keys)}`);
    io.out(`cachet: listening on ${where(port)} (pid ${process.pid})`);
  }
  return { config, port, reload: reloadHere, close: closeAll };
}
