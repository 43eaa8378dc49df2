/**
 * The default log sinks (access lines on stdout, errors on stderr) and the guards that keep a
 * throwing user logger from ending the process.
 * @module
 */
import type { AccessLogEntry } from './types.js';

/** The default access-log line: `GET /path 200 1.2ms id`. No query, cookies or bodies. */
export function formatAccessLine(entry: AccessLogEntry): string {
  return `${entry.method} ${entry.path} ${entry.status} ${entry.durationMs.toFixed(1)}ms ${entry.requestId}\n`;
}

export function writeAccessLine(entry: AccessLogEntry): void {
  process.stdout.write(formatAccessLine(entry));
}

export function writeErrorLine(err: unknown, requestId: string): void {
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`[cachet] request ${requestId} failed: ${detail}\n`);
}

// A logger that throws must not turn into an unhandled rejection (which ends the process).
export function guardAccess(sink: (entry: AccessLogEntry) => void): (entry: AccessLogEntry) => void {
  return (entry) => {
    try {
      sink(entry);
    } catch {
      // The access log is best effort.
    }
  };
}

export function guardError(sink: ((err: unknown, requestId: string) => void) | undefined): (err: unknown, requestId: string) => void {
  if (sink === undefined) return writeErrorLine;
  return (err, requestId) => {
    try {
      sink(err, requestId);
    } catch {
      writeErrorLine(err, requestId);
    }
  };
}
