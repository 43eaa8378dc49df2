/**
 * What the server says when it is told to stop. A supervisor's SIGTERM used to end the process
 * without a word, so an operator could not tell a clean stop from a crash, nor whether requests
 * were cut. Now the stop is logged when the signal arrives, with the requests then in flight, and
 * again when the last connection has closed, with how many of those requests finished and how
 * many the shutdown deadline cut.
 * @module
 */
import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** The responses a server is still writing, read when the stop signal arrives. */
export interface InFlight {
  /** The responses not finished now, at most one per connection (see {@link trackRequests}). */
  responses(): ServerResponse[];
}

/**
 * Tracks the connections of `server`, so that the responses still in flight can be listed when a
 * stop signal arrives: on each open connection, the response node is writing (`_httpMessage`,
 * which node's own `closeIdleConnections` reads too), if it has not finished.
 *
 * Why connections, not requests: a set of every response, each joining on arrival and leaving on
 * `close`, kept each request's objects alive across a young-generation GC, so they were promoted
 * to the old generation: 3.2 KB per page view of the reference app, and about a tenth of its CPU
 * in GC (measured with `--trace-gc-nvp`: promoted bytes per request 3,830 → 610, GC pause per
 * request 14 → 4 us; docs/reference-app-speed.md). A connection is long-lived, so the set
 * barely changes under load.
 *
 * What it leaves out: a pipelined request queued behind the response its connection is writing
 * (browsers do not pipeline); it is still answered before the connection closes, only not counted.
 *
 * @example
 * ```ts
 * const inFlight = trackRequests(server);
 * inFlight.responses().length; // requests in flight now
 * ```
 */
export function trackRequests(server: Server): InFlight {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    responses() {
      const out: ServerResponse[] = [];
      for (const socket of sockets) {
        const res = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
        if (res !== undefined && res !== null && !res.writableFinished) out.push(res);
      }
      return out;
    },
  };
}

/**
 * Logs the stop, runs `close` (the graceful shutdown), then logs how the requests that were in
 * flight when `signal` arrived ended. `who` starts both lines (`"worker 4242: "` in a cluster
 * worker, so that the lines of several workers can be told apart).
 *
 * @example
 * ```ts
 * process.once('SIGTERM', () => void stopAndReport('SIGTERM', active, () => app.close(), console.log).then(() => process.exit(0)));
 * ```
 */
export async function stopAndReport(signal: string, active: InFlight, close: () => Promise<void>, log: (line: string) => void, who = ''): Promise<void> {
  // Snapshot now: requests that arrive on a keep-alive connection while draining are not the
  // ones the operator is waiting for.
  const waiting = active.responses();
  log(`cachet: ${who}${signal} received: shutting down, waiting for ${waiting.length} request(s) in flight`);
  await close();
  const finished = waiting.filter((res) => res.writableFinished).length;
  const cut = waiting.length - finished;
  log(`cachet: ${who}stopped; ${finished} of ${waiting.length} request(s) in flight finished${cut > 0 ? `, ${cut} cut at the shutdown deadline` : ''}`);
}

/**
 * The line a second stop signal prints before the process exits at once with status 1: which
 * signal, and how many responses it cuts. The exit used to be silent, so the log ended at
 * "waiting for N request(s) in flight" and an operator could not tell a forced stop from a crash,
 * nor whether those requests were answered.
 *
 * @example
 * ```ts
 * log(forcedStopLine('SIGINT', inFlight)); // "cachet: SIGINT received again: exiting at once with status 1; 1 request(s) in flight cut"
 * process.exit(1);
 * ```
 */
export function forcedStopLine(signal: string, active: InFlight, who = ''): string {
  return `cachet: ${who}${signal} received again: exiting at once with status 1; ${active.responses().length} request(s) in flight cut`;
}
