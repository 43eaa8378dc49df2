/**
 * What the server says when it is told to stop. A supervisor's SIGTERM used to end the process
 * without a word, so an operator could not tell a clean stop from a crash, nor whether requests
 * were cut. Now the stop is logged when the signal arrives, with the requests then in flight, and
 * again when the last connection has closed, with how many of those requests finished and how
 * many the shutdown deadline cut.
 * @module
 */
import type { Server, ServerResponse } from 'node:http';

/**
 * Tracks the responses `server` has not finished yet. The set is live: a response joins it when
 * its request arrives and leaves it when it closes (sent in full, or its connection dropped).
 *
 * @example
 * ```ts
 * const active = trackRequests(server);
 * active.size; // requests in flight now
 * ```
 */
export function trackRequests(server: Server): ReadonlySet<ServerResponse> {
  const active = new Set<ServerResponse>();
  server.on('request', (_req, res: ServerResponse) => {
    active.add(res);
    res.once('close', () => active.delete(res));
  });
  return active;
}

/**
 * Logs the stop, runs `close` (the graceful shutdown), then logs how the requests that were in
 * flight when `signal` arrived ended.
 *
 * @example
 * ```ts
 * process.once('SIGTERM', () => void stopAndReport('SIGTERM', active, () => app.close(), console.log).then(() => process.exit(0)));
 * ```
 */
export async function stopAndReport(signal: string, active: ReadonlySet<ServerResponse>, close: () => Promise<void>, log: (line: string) => void): Promise<void> {
  // Snapshot now: requests that arrive on a keep-alive connection while draining are not the
  // ones the operator is waiting for.
  const waiting = [...active];
  log(`cachet: ${signal} received: shutting down, waiting for ${waiting.length} request(s) in flight`);
  await close();
  const finished = waiting.filter((res) => res.writableFinished).length;
  const cut = waiting.length - finished;
  log(`cachet: stopped; ${finished} of ${waiting.length} request(s) in flight finished${cut > 0 ? `, ${cut} cut at the shutdown deadline` : ''}`);
}
