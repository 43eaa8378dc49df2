/**
 * Multi-core: N worker processes share one port through node:cluster (the primary accepts and
 * hands connections round-robin). The primary only supervises: it replaces a worker that dies,
 * with a growing delay when workers die young so a crash loop does not spin the CPU.
 * @module
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { installSignals } from './shutdown.js';

/** What the primary needs of `app.listen()`'s options (listen.ts's `ClusterListenOptions` has them). */
export interface ClusterOptions {
  /** Run N worker processes on one port (`'auto'`: one per core). A dead worker is replaced. */
  workers: number | 'auto';
  /** Install SIGTERM/SIGINT handlers that shut the workers down gracefully. Default false. */
  signals?: boolean;
}

/** What `app.listen({ workers })` resolves to in the primary process. */
export interface Cluster {
  /** The shared port (useful with `port: 0`). */
  readonly port: number;
  /** Process ids of the live workers. */
  pids(): number[];
  /** Asks every worker to shut down gracefully, then resolves when all have exited. */
  close(): Promise<void>;
}

/** A worker living less than this is a crash, not a retirement: restarts back off. */
const YOUNG_MS = 5_000;
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 10_000;

/**
 * @internal How long to wait before replacing a worker that lived `lifetimeMs`, given the previous
 * delay: none after a worker that lived a while; 100 ms, then doubling up to 10 s, while workers
 * keep dying young (a crash loop).
 */
export function restartDelay(lifetimeMs: number, previousDelayMs: number): number {
  if (lifetimeMs >= YOUNG_MS) return 0;
  return Math.min(MAX_DELAY_MS, previousDelayMs === 0 ? FIRST_DELAY_MS : previousDelayMs * 2);
}

/**
 * @internal Starts the workers; resolves once all of them listen. Rejects (`code`
 * `ERR_WORKER_START`, the other workers stopped) when one exits before that.
 */
export function startCluster(options: ClusterOptions): Promise<Cluster> {
  const count = options.workers === 'auto' ? availableParallelism() : options.workers;
  if (!Number.isInteger(count) || count < 1) throw new TypeError("workers must be a positive integer or 'auto'");
  const born = new Map<Worker, number>();
  let stopping = false;
  let delay = 0;
  let port = 0;
  // Until every worker listens, a worker that exits failed to start (the port is in use, say):
  // the start fails, rather than the primary replacing it forever while nothing serves.
  let starting = true;
  let failStart: (err: Error) => void = () => {};

  const fork = (): void => {
    if (stopping) return;
    born.set(cluster.fork(), Date.now());
  };
  cluster.on('exit', (worker, code, signal) => {
    const birth = born.get(worker) ?? 0;
    born.delete(worker);
    if (stopping) return;
    if (starting) {
      stopping = true;
      for (const other of born.keys()) other.kill('SIGTERM');
      failStart(Object.assign(new Error(`a worker exited (${signal ?? `status ${code}`}) before it was listening, so no worker was started`), { code: 'ERR_WORKER_START' }));
      return;
    }
    delay = restartDelay(Date.now() - birth, delay);
    setTimeout(fork, delay).unref();
  });

  const close = async (): Promise<void> => {
    stopping = true;
    const workers = [...born.keys()];
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) return resolve();
            w.once('exit', () => resolve());
            // A worker that cannot be reached over IPC any more is simply killed.
            if (w.isConnected()) w.send('cachet:shutdown');
            else w.kill('SIGTERM');
          }),
      ),
    );
  };
  // A second signal ends the primary at once; the workers get it too, so that they end at once
  // as well instead of draining on, orphaned, until their own deadline.
  const force = (signal: NodeJS.Signals): void => {
    for (const w of born.keys()) if (!w.isDead()) w.process.kill(signal);
  };
  if (options.signals === true) installSignals(close, force);

  return new Promise((resolve, reject) => {
    failStart = reject;
    let listening = 0;
    const onListening = (_worker: Worker, address: { port: number }): void => {
      port = address.port;
      if (++listening === count) {
        starting = false;
        cluster.off('listening', onListening);
        resolve({ port, pids: () => [...born.keys()].map((w) => w.process.pid ?? 0), close });
      }
    };
    cluster.on('listening', onListening);
    for (let i = 0; i < count; i++) fork();
  });
}
