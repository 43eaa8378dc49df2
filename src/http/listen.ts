/**
 * `app.listen()`: a hardened server on a port, optional signal handling, optional cluster.
 * @module
 */
import cluster from 'node:cluster';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer, SERVER_OPTION_KEYS } from './server.js';
import { checkOptionKeys, type OptionKeys } from '../errors.js';
import type { ServerOptions } from './server.js';
import { installSignals, onDrain, shutdown } from './shutdown.js';
import type { ShutdownOptions } from './shutdown.js';
import type { Reporter } from './respond.js';
import { startCluster } from './cluster.js';
import type { Cluster, ClusterOptions } from './cluster.js';

export type { ServerOptions } from './server.js';
export type { ShutdownOptions } from './shutdown.js';

/** Options for `app.listen()`: the server options plus where to listen and how to stop. */
export interface ListenOptions extends ServerOptions {
  /** TCP port; 0 picks a free one. Default 3000. */
  port?: number;
  /** Interface to bind. Default '127.0.0.1' (set '0.0.0.0' or '::' to accept remote clients). */
  host?: string;
  /** Install SIGTERM/SIGINT handlers that shut down gracefully and exit 0. Default false. */
  signals?: boolean;
  /** Deadline for graceful shutdown, in ms, after which connections are cut. Default 10 000. */
  shutdownTimeout?: number;
}

/** Options for `app.listen()` in cluster mode: `workers` (cluster.ts) on top of the listen options. */
export interface ClusterListenOptions extends ListenOptions, ClusterOptions {}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

const LISTEN_OPTION_KEYS: OptionKeys<ClusterListenOptions> = {
  ...SERVER_OPTION_KEYS, port: true, host: true, signals: true, shutdownTimeout: true, workers: true,
};

/** @internal Used by the app: starts the server (or the cluster primary). */
export function listen(handler: Listener, options: ListenOptions | ClusterListenOptions, reporter: Reporter): Promise<Server | Cluster> {
  checkOptionKeys('listen', options, LISTEN_OPTION_KEYS);
  if ('workers' in options && options.workers !== undefined && cluster.isPrimary) return startCluster(options);
  return listenHere(handler, options, reporter);
}

async function listenHere(handler: Listener, options: ListenOptions, reporter: Reporter): Promise<Server> {
  // createServer refuses keys that are not server options, such as port.
  const serverOptions = Object.fromEntries(Object.entries(options).filter(([key]) => Object.hasOwn(SERVER_OPTION_KEYS, key)));
  const server = createServer(handler, serverOptions);
  onDrain(server, () => {
    reporter.closing = true;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const stop: ShutdownOptions = options.shutdownTimeout === undefined ? {} : { timeout: options.shutdownTimeout };
  if (options.signals === true) installSignals(() => shutdown(server, stop));
  // A cluster worker also stops when the primary asks (it may not own the terminal's signals).
  if (cluster.isWorker) {
    process.on('message', (msg: unknown) => {
      if (msg !== 'cachet:shutdown') return;
      if (primaryStop !== undefined) primaryStop();
      else void shutdown(server, stop).then(() => process.exit(0));
    });
  }
  return server;
}

let primaryStop: (() => void) | undefined;

/**
 * @internal In a cluster worker, runs `stop` when the primary asks the worker to stop, instead of
 * draining its server and exiting at once. For a script that owns its shutdown: the reference
 * app logs the requests in flight and closes its state (with `--redis`, one last try to write the
 * queued revocations) before it exits, which the plain drain-and-exit skipped.
 */
export function onPrimaryStop(stop: () => void): void {
  primaryStop = stop;
}
