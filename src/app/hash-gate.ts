/**
 * Admission control for password hashing: how many PBKDF2 runs may be in flight at once, per user
 * name, per client IP and overall, and how many may wait for a turn.
 *
 * Why: every `crypto.subtle` call — the 300 ms PBKDF2 of a login, and the AES-GCM, HMAC and HKDF
 * of every session read and write — runs on libuv's thread pool (4 threads unless
 * `UV_THREADPOOL_SIZE` says otherwise). Without a cap, 200 parallel logins from one client queued
 * 200 hashes in front of every session operation, and an idle 29 ms page took 20–25 s (issue #13).
 * With at most `maxInFlight` hashes running, and `maxInFlight` below the pool size, the remaining
 * threads are always free for session crypto.
 *
 * - `enter()` is synchronous: it either hands out a ticket (running now, or queued) or refuses,
 *   so a refusal (503) costs no work at all.
 * - The queue is FIFO, but an entry whose user or IP is already at its cap is skipped, not waited
 *   on: one client's backlog cannot hold up another client's login (head-of-line blocking).
 * - Per process, like the failed-login limits.
 * @module
 */
import { checkOptionKeys, type OptionKeys } from '../errors.js';

/** Options for {@link HashGate}. */
export interface HashGateOptions {
  /** Hashes running at once, overall. Keep it below the thread pool size (see {@link hashSlotsFor}). */
  maxInFlight: number;
  /** Hashes running at once for one user name. Default 1. */
  maxPerUser?: number;
  /** Hashes running at once for one client IP. Default 1. */
  maxPerIp?: number;
  /** Attempts that may wait for a turn; past this, `enter` refuses. Default 64. */
  maxQueue?: number;
}

const OPTION_KEYS: OptionKeys<HashGateOptions> = { maxInFlight: true, maxPerUser: true, maxPerIp: true, maxQueue: true };

/** Admission to hash: wait for `ready`, do the work, then call `release` exactly once. */
export interface HashTicket {
  /** Resolves when this attempt may start hashing. */
  readonly ready: Promise<void>;
  /** Gives the slot back (idempotent); a queued ticket released before its turn leaves the queue. */
  release(): void;
}

interface Entry {
  user: string;
  ip: string;
  running: boolean;
  done: boolean;
  start: () => void;
}

/**
 * The pool threads a server may give to password hashing: half the pool, at least one, so that
 * with a pool of 2 or more some thread is always left for session crypto.
 *
 * @example
 * ```ts
 * hashSlotsFor(poolSize(process.env)); // 2 with the default pool of 4
 * ```
 */
export function hashSlotsFor(poolThreads: number): number {
  return Math.max(1, Math.floor(poolThreads / 2));
}

/**
 * The size of libuv's thread pool this process runs with, read from `UV_THREADPOOL_SIZE` the way
 * libuv reads it (default 4, clamped to 1–1024). libuv reads the variable once,
 * when the pool is first used, which (on Node 20, whose ESM loader reads files through the pool)
 * is before any application code runs: setting the variable from inside the process is not
 * reliable, so it must come from the environment the process is started with.
 *
 * @example
 * ```ts
 * poolSize({ UV_THREADPOOL_SIZE: '8' }); // 8
 * ```
 */
export function poolSize(env: Readonly<Record<string, string | undefined>>): number {
  const value = Number.parseInt(env['UV_THREADPOOL_SIZE'] ?? '', 10);
  if (!Number.isFinite(value) || value < 1) return 4;
  return Math.min(value, 1024);
}

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`HashGate: ${name} must be a positive integer, got ${value}`);
  return value;
}

/**
 * Caps password hashes in flight per user, per IP and overall, with a bounded queue.
 *
 * @example
 * ```ts
 * const gate = new HashGate({ maxInFlight: 2 });
 * const ticket = gate.enter('demo', '203.0.113.7');
 * if (ticket === undefined) return serviceUnavailable(); // queue full: no work done
 * try {
 *   await ticket.ready;
 *   ok = await verifyPassword(password, stored);
 * } finally {
 *   ticket.release();
 * }
 * ```
 */
export class HashGate {
  readonly #maxInFlight: number;
  readonly #maxPerUser: number;
  readonly #maxPerIp: number;
  readonly #maxQueue: number;
  readonly #queue: Entry[] = [];
  readonly #perUser = new Map<string, number>();
  readonly #perIp = new Map<string, number>();
  #running = 0;

  constructor(options: HashGateOptions) {
    checkOptionKeys('HashGate', options, OPTION_KEYS);
    this.#maxInFlight = positive('maxInFlight', options.maxInFlight);
    this.#maxPerUser = positive('maxPerUser', options.maxPerUser ?? 1);
    this.#maxPerIp = positive('maxPerIp', options.maxPerIp ?? 1);
    const maxQueue = options.maxQueue ?? 64;
    if (!Number.isSafeInteger(maxQueue) || maxQueue < 0) throw new TypeError(`HashGate: maxQueue must be a whole number, got ${maxQueue}`);
    this.#maxQueue = maxQueue;
  }

  /** Hashes running now. */
  get inFlight(): number {
    return this.#running;
  }

  /** Attempts waiting for a turn. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Admits an attempt for `user` from `ip`: a ticket that is ready now or once a slot frees, or
   * `undefined` when the queue is full (answer 503 and do no work).
   */
  enter(user: string, ip: string): HashTicket | undefined {
    const entry: Entry = { user, ip, running: false, done: false, start: () => {} };
    const ready = new Promise<void>((resolve) => (entry.start = resolve));
    if (this.#eligible(entry)) this.#run(entry);
    else if (this.#queue.length >= this.#maxQueue) return undefined;
    else this.#queue.push(entry);
    return { ready, release: () => this.#release(entry) };
  }

  #eligible(entry: Entry): boolean {
    return (
      this.#running < this.#maxInFlight &&
      (this.#perUser.get(entry.user) ?? 0) < this.#maxPerUser &&
      (this.#perIp.get(entry.ip) ?? 0) < this.#maxPerIp
    );
  }

  #run(entry: Entry): void {
    entry.running = true;
    this.#running++;
    this.#perUser.set(entry.user, (this.#perUser.get(entry.user) ?? 0) + 1);
    this.#perIp.set(entry.ip, (this.#perIp.get(entry.ip) ?? 0) + 1);
    entry.start();
  }

  #release(entry: Entry): void {
    if (entry.done) return;
    entry.done = true;
    if (!entry.running) {
      const at = this.#queue.indexOf(entry);
      if (at !== -1) this.#queue.splice(at, 1);
      return;
    }
    this.#running--;
    decrement(this.#perUser, entry.user);
    decrement(this.#perIp, entry.ip);
    // First in, first served, skipping entries whose user or IP is still at its cap.
    for (let i = 0; i < this.#queue.length && this.#running < this.#maxInFlight; ) {
      const next = this.#queue[i] as Entry;
      if (this.#eligible(next)) {
        this.#queue.splice(i, 1);
        this.#run(next);
      } else {
        i++;
      }
    }
  }
}

function decrement(counts: Map<string, number>, key: string): void {
  const n = (counts.get(key) ?? 0) - 1;
  if (n <= 0) counts.delete(key);
  else counts.set(key, n);
}
