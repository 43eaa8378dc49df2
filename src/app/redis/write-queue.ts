/**
 * Revocation writes that Redis has not taken yet, retried until it does. A logout is never
 * dropped because Redis was away: the record waits here (and already holds in this process's
 * memory) until a write succeeds, on the next retry or as soon as the connection is back.
 *
 * - One record per session id or user name, merged by its largest time, so a user who logs out
 *   ten times during an outage queues one record, not ten.
 * - Memory is bounded by expiry: before each attempt, records that Redis would drop anyway (a
 *   session already ended, a "not valid before" older than the absolute timeout) are dropped.
 * - Retries back off from `minDelayMs` to `maxDelayMs` (doubling) and start over after a success.
 * - One flush runs at a time; a record added during a flush is written by that flush's next
 *   batch, so the promise `add` returns settles only once its record is written or a write failed.
 * @module
 */
import { type RevocationRecord } from './revocation-scripts.js';

/** Schedules `run` after `ms`; returns a function that cancels it. `what` tells tests which timer it is. */
export type Schedule = (run: () => void, ms: number, what: 'resync' | 'retry') => () => void;

/**
 * Real timers that never keep the process alive.
 *
 * @example
 * ```ts
 * const cancel = realSchedule(() => resync(), 5000, 'resync');
 * ```
 */
export const realSchedule: Schedule = (run, ms) => {
  const timer = setTimeout(run, ms);
  timer.unref?.();
  return () => clearTimeout(timer);
};

/** Options for {@link WriteQueue}. */
export interface WriteQueueOptions {
  /** Writes a batch to Redis and answers Redis's version after it; rejects when Redis did not take it. */
  write(records: RevocationRecord[]): Promise<number>;
  /** True for a record Redis would drop anyway (expired). */
  expired(record: RevocationRecord): boolean;
  schedule: Schedule;
  /**
   * Told after every attempt: how many records it wrote (and Redis's version after them), how
   * many still wait, and why not.
   */
  report(outcome: { written: number; waiting: number; version?: number; error?: unknown; attempt: number }): void;
  /** Records per write. Default 500. */
  batch?: number;
  /** First retry delay, ms. Default 100. */
  minDelayMs?: number;
  /** Longest retry delay, ms. Default 5000. */
  maxDelayMs?: number;
}

/**
 * Queued revocation writes with retry.
 *
 * @example
 * ```ts
 * const queue = new WriteQueue({ write, expired, schedule: realSchedule, report: () => {} });
 * await queue.add({ kind: 's', member: id, time: until }); // written, or queued for retry
 * ```
 */
export class WriteQueue {
  readonly #o: WriteQueueOptions;
  readonly #pending = new Map<string, RevocationRecord>();
  #flushing: Promise<void> | undefined;
  #draining = false;
  #cancelRetry: (() => void) | undefined;
  #delay: number;
  #failures = 0;
  #closed = false;

  constructor(options: WriteQueueOptions) {
    this.#o = options;
    this.#delay = options.minDelayMs ?? 100;
  }

  /** Records waiting to be written. */
  get size(): number {
    return this.#pending.size;
  }

  /** Queues `record` and flushes; settles once it is written or the attempt failed (never rejects). */
  add(record: RevocationRecord): Promise<void> {
    this.#merge(record);
    return this.flush();
  }

  /** Queues `records` without flushing. */
  addAll(records: Iterable<RevocationRecord>): void {
    for (const record of records) this.#merge(record);
  }

  /** Writes what waits (nothing to do: resolves at once). Never rejects. */
  flush(): Promise<void> {
    if (this.#draining) return this.#flushing as Promise<void>;
    this.#flushing = this.#drain();
    return this.#flushing;
  }

  /** A connection came back: the next failure retries after the shortest delay again. */
  resetBackoff(): void {
    this.#delay = this.#o.minDelayMs ?? 100;
  }

  /** Stops retrying; one last flush is up to the caller. */
  close(): void {
    this.#closed = true;
    this.#cancelRetry?.();
    this.#cancelRetry = undefined;
  }

  #merge(record: RevocationRecord): void {
    const key = `${record.kind}:${record.member}`;
    const queued = this.#pending.get(key);
    if (queued === undefined || queued.time < record.time) this.#pending.set(key, record);
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#pending.size > 0) {
        for (const [key, record] of this.#pending) if (this.#o.expired(record)) this.#pending.delete(key);
        const batch: [string, RevocationRecord][] = [];
        for (const entry of this.#pending) {
          batch.push(entry);
          if (batch.length >= (this.#o.batch ?? 500)) break;
        }
        if (batch.length === 0) break;
        let version: number;
        try {
          version = await this.#o.write(batch.map(([, record]) => record));
        } catch (error) {
          this.#failures++;
          this.#o.report({ written: 0, waiting: this.#pending.size, error, attempt: this.#failures });
          this.#retryLater();
          return;
        }
        // A record merged while the write was in flight is a newer object: it stays queued.
        for (const [key, record] of batch) if (this.#pending.get(key) === record) this.#pending.delete(key);
        this.#failures = 0;
        this.resetBackoff();
        this.#o.report({ written: batch.length, waiting: this.#pending.size, version, attempt: 0 });
      }
    } finally {
      // Cleared in the same step the loop ends in, so an `add` after it starts a new flush.
      this.#draining = false;
    }
  }

  #retryLater(): void {
    if (this.#closed || this.#cancelRetry !== undefined) return;
    const delay = this.#delay;
    this.#delay = Math.min(delay * 2, this.#o.maxDelayMs ?? 5000);
    this.#cancelRetry = this.#o.schedule(() => {
      this.#cancelRetry = undefined;
      void this.flush();
    }, delay, 'retry');
  }
}
