/**
 * What `node dist/server.js` does: read the configuration, prepare the data directory on first
 * start, build the app, listen (in one process or as a cluster of workers), reload keys on SIGHUP
 * and shut down gracefully on SIGTERM/SIGINT.
 * @module
 */
import cluster from 'node:cluster';
import type { Server } from 'node:http';
import type { Cluster } from '../http/cluster.js';
import { parseServerConfig, SERVER_HELP, type ServerConfig } from './config.js';
import { createCachetApp, type CachetApp } from './create-app.js';
import { ensureDataDir } from './data-dir.js';
import { loadKeys, readKeyFile } from './key-file.js';
import type { StoredKey } from './key-file.js';
import { ensureDemoUser } from './user-file.js';

/** Where the server writes; `process.stdout`/`stderr` by default. */
export interface MainIo {
  env: NodeJS.ProcessEnv;
  out(line: string): void;
  err(line: string): void;
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
  const loaded = loadKeys(config.dataDir, io.env);
  if (announce && loaded.created) io.out(`cachet: created ${config.dataDir}/keys.json with key ${loaded.keys[0]?.id}`);
  if (announce && loaded.source === 'env') io.out('cachet: using the keys in CACHET_KEYS (keys.json is ignored)');
  return ensureDemoUser(config.dataDir);
}

/**
 * Starts the server as configured by `argv` and `io.env`. Resolves once it listens (or with
 * `undefined` after `--help`, a configuration error (`process.exitCode` 2) or a data file the
 * operator must fix, such as a key file others can read (`process.exitCode` 1).
 *
 * @example
 * ```ts
 * await startServer(process.argv.slice(2), { env: process.env, out: console.log, err: console.error });
 * ```
 */
export async function startServer(argv: readonly string[], io: MainIo): Promise<RunningServer | undefined> {
  let config: ServerConfig;
  try {
    config = parseServerConfig(argv, io.env);
  } catch (err) {
    io.err(`cachet: ${(err as Error).message}`);
    process.exitCode = 2;
    return undefined;
  }
  if (config.help) {
    io.out(SERVER_HELP);
    return undefined;
  }
  const primary = cluster.isPrimary;
  let keys: StoredKey[];
  try {
    const password = await prepare(config, io, primary);
    if (password !== undefined) {
      io.out(`cachet: created user "demo" with password ${password}`);
      io.out('cachet: (shown once; set another with: npm run users -- add demo)');
    }
    keys = loadKeys(config.dataDir, io.env).keys;
  } catch (err) {
    // A data file the operator must fix (a key file others can read, a corrupt users.json): one
    // line saying what and how, exit status 1, no stack trace.
    io.err(`cachet: ${(err as Error).message}`);
    process.exitCode = 1;
    return undefined;
  }
  const built: CachetApp = await createCachetApp({
    dataDir: config.dataDir,
    keys,
    explain: config.explain,
    insecureCookies: config.insecureCookies,
    idleTimeout: config.idleTimeout,
    absoluteTimeout: config.absoluteTimeout,
    trustProxy: config.trustProxy,
    log: io.out,
  });

  const reloadHere = async (): Promise<void> => {
    if (io.env['CACHET_KEYS'] !== undefined && io.env['CACHET_KEYS'] !== '') {
      io.out('cachet: SIGHUP ignored: the keys come from CACHET_KEYS, which a running process cannot re-read');
      return;
    }
    try {
      const next = readKeyFile(config.dataDir);
      if (next === undefined) throw new Error('keys.json is missing');
      await built.setKeys(next);
      io.out(`cachet: keys reloaded; primary is ${next[0]?.id}, ${next.length} key(s) in all`);
    } catch (err) {
      io.err(`cachet: key reload failed, keeping the current keys: ${(err as Error).message}`);
    }
  };

  const where = (port: number): string => `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  if (config.workers > 1 && primary) {
    const group = (await built.app.listen({ port: config.port, host: config.host, signals: true, workers: config.workers, maxConnections: config.maxConnections } as never)) as unknown as Cluster;
    io.out(`cachet: listening on ${where(group.port)} with ${config.workers} workers (pid ${process.pid})`);
    const forward = (): void => {
      for (const pid of group.pids()) if (pid > 0) process.kill(pid, 'SIGHUP');
    };
    process.on('SIGHUP', forward);
    return { config, port: group.port, reload: async () => forward(), close: () => group.close() };
  }
  const server = (await built.app.listen({ port: config.port, host: config.host, signals: true, maxConnections: config.maxConnections })) as Server;
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  process.on('SIGHUP', () => void reloadHere());
  if (primary) io.out(`cachet: listening on ${where(port)} (pid ${process.pid})`);
  return { config, port, reload: reloadHere, close: () => built.app.close() };
}
