/**
 * Graceful shutdown: stop accepting, let requests in flight finish, close idle keep-alive
 * connections as they become idle, and cut whatever is left at the deadline.
 * @module
 */
import type { Server } from 'node:http';
import { checkOptionKeys, type OptionKeys } from '../errors.js';

/** Options for {@link shutdown}. */
export interface ShutdownOptions {
  /** Milliseconds to wait for requests in flight before closing every connection. Default 10 000. */
  timeout?: number;
}

const OPTION_KEYS: OptionKeys<ShutdownOptions> = { timeout: true };

// Set by listen() so responses written while draining carry Connection: close.
const draining = new WeakMap<Server, () => void>();

/** @internal Registers what to call when `server` starts draining. */
export function onDrain(server: Server, fn: () => void): void {
  draining.set(server, fn);
}

/**
 * Shuts `server` down gracefully. Resolves when every connection is closed; never rejects.
 *
 * @example
 * ```ts
 * const server = await app.listen({ port: 8080 });
 * process.once('SIGTERM', () => void shutdown(server, { timeout: 5_000 }).then(() => process.exit(0)));
 * ```
 */
export function shutdown(server: Server, options: ShutdownOptions = {}): Promise<void> {
  checkOptionKeys('shutdown', options, OPTION_KEYS);
  // A second call (SIGINT to the whole process group and the primary's message both reach a
  // cluster worker) joins the first instead of cutting the requests the first lets finish.
  const running = inProgress.get(server);
  if (running !== undefined) return running;
  const done = drain(server, options.timeout ?? 10_000);
  inProgress.set(server, done);
  return done;
}

const inProgress = new WeakMap<Server, Promise<void>>();

function drain(server: Server, timeout: number): Promise<void> {
  draining.get(server)?.();
  return new Promise((resolve) => {
    if (!server.listening) {
      server.closeAllConnections();
      resolve();
      return;
    }
    // A keep-alive connection becomes idle between requests; sweep often so none waits for its
    // keep-alive timeout (node closes only the connections idle at the moment close() is called).
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => server.closeAllConnections(), timeout);
    sweep.unref();
    deadline.unref();
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * @internal Runs `stop` on the first SIGTERM or SIGINT, then exits 0; a second signal runs `force`
 * with it, then exits at once with status 1.
 */
export function installSignals(stop: () => Promise<void>, force: (signal: NodeJS.Signals) => void = () => {}): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      force(signal);
      process.exit(1);
    }
    stopping = true;
    void stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
