/**
 * Revocations ("log out", "log out everywhere") shared by every instance through Redis, with no
 * round trip on the hot path: a check reads this process's memory only.
 *
 * How memory stays current (layout and scripts in revocation-scripts.ts):
 * - **Pub/sub.** Every write is one script that adds the record, counts a version and publishes
 *   the record; every instance applies it on arrival. A logout on A is refused on B from the
 *   moment B's subscriber reads the message: one pub/sub hop.
 * - **Resync.** Every `resyncMs` (default 5 s) an instance asks Redis for its version, one O(1)
 *   round trip off the hot path. When it differs from the version this instance has applied (a
 *   message was lost), it reads both sets in full (ZSCAN, 1000 at a time) and merges them. So a
 *   lost message is applied within `resyncMs`.
 * - **Reconnect.** When either connection comes back, the queued writes are flushed, then both
 *   sets are read in full: everything written while this instance was cut off is applied. While
 *   cut off, the checks use what the last sync had, plus this instance's own writes.
 * - **Redis lost its data** (restarted without persistence): the epoch key is new, so the
 *   instance writes back every live record it holds, and the fleet's union is back in Redis.
 *
 * Writes hold in this process at once and then go through a {@link WriteQueue}: retried with
 * backoff while Redis is away, never dropped. Memory is bounded like `RevocationList`'s: a
 * session id is dropped once its session has ended, a user's "not valid before" after the
 * absolute timeout (swept at each resync). The options and the events it reports are in
 * revocations-options.ts.
 * @module
 */
import { checkOptionKeys } from '../../errors.js';
import type { Revocations, RevocationSubject } from '../revocations.js';
import { checkPrefix, DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_REDIS_PREFIX, type RedisScriptClient, type RedisSubscriberClient, withTimeout } from './client.js';
import {
  parseMessage, parseScan, parseState, revocationKeys, SCAN, STATE, WRITE, writeArguments,
  type RevocationKeys, type RevocationRecord,
} from './revocation-scripts.js';
import { realSchedule, type Schedule, WriteQueue } from './write-queue.js';
import { REDIS_REVOCATIONS_OPTION_KEYS, type RedisRevocationsOptions, type RevocationEvent } from './revocations-options.js';

export type { RedisRevocationsOptions, RevocationEvent } from './revocations-options.js';

/** Versions seen ahead of a gap, at most; past this the next resync reads everything anyway. */
const MAX_AHEAD = 1000;

function epochCandidate(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Revocations in Redis, checked from memory.
 *
 * @example
 * ```ts
 * const revocations = await RedisRevocations.open({ client: redis.client, subscriber: redis.subscriber, retainSeconds: 86400 });
 * await revocations.revokeSession(session.id, expiresAt); // this process refuses it at once
 * revocations.isRevoked({ id, subject, createdAt });      // memory only
 * ```
 */
export class RedisRevocations implements Revocations {
  readonly #client: RedisScriptClient;
  readonly #subscriber: RedisSubscriberClient;
  readonly #keys: RevocationKeys;
  readonly #retainMs: number;
  readonly #now: () => number;
  readonly #resyncMs: number;
  readonly #timeout: number;
  readonly #schedule: Schedule;
  readonly #emit: (event: RevocationEvent) => void;
  readonly #queue: WriteQueue;
  readonly #sessions = new Map<string, number>();
  readonly #subjects = new Map<string, number>();
  #epoch: string | undefined;
  #applied = -1; // every version up to this one is in memory
  readonly #ahead = new Set<number>(); // versions applied past a gap
  #running: Promise<void> = Promise.resolve();
  #nextSync: { full: boolean; reason: 'reconnect' | 'resync'; promise: Promise<void> } | undefined;
  #cancelResync: (() => void) | undefined;
  #closed = false;
  readonly #onMessage = (text: string): void => this.#message(text);
  readonly #onReady = (): void => void this.#recover();

  private constructor(options: RedisRevocationsOptions) {
    checkOptionKeys('RedisRevocations', options, REDIS_REVOCATIONS_OPTION_KEYS);
    const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    checkPrefix('RedisRevocations', prefix);
    this.#client = options.client;
    this.#subscriber = options.subscriber;
    this.#keys = revocationKeys(prefix);
    this.#retainMs = options.retainSeconds * 1000;
    this.#now = options.now ?? Date.now;
    this.#resyncMs = options.resyncMs ?? 5000;
    this.#timeout = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.#schedule = options.schedule ?? realSchedule;
    const onEvent = options.onEvent;
    this.#emit = onEvent === undefined ? () => undefined : (event) => {
      try {
        onEvent(event);
      } catch {
        // A listener's bug must not stop the sync.
      }
    };
    this.#queue = new WriteQueue({
      write: (records) => this.#write(records),
      expired: (record) => this.#expired(record),
      schedule: this.#schedule,
      report: (outcome) => this.#emit({ type: 'write', ...outcome }),
    });
  }

  /**
   * Subscribes, reads both sets in full and starts the resync timer. Rejects (and leaves nothing
   * running) when Redis does not answer: an instance that never synced would accept every
   * revoked cookie, so it must not start serving.
   */
  static async open(options: RedisRevocationsOptions): Promise<RedisRevocations> {
    const revocations = new RedisRevocations(options);
    try {
      await withTimeout(revocations.#subscriber.subscribe(revocations.#keys.channel, revocations.#onMessage), revocations.#timeout);
      await revocations.#sync(true, 'start', true);
    } catch (err) {
      await revocations.close();
      throw err;
    }
    revocations.#client.on('ready', revocations.#onReady);
    revocations.#subscriber.on('ready', revocations.#onReady);
    revocations.#scheduleResync();
    return revocations;
  }

  isRevoked(session: RevocationSubject): boolean {
    const until = this.#sessions.get(session.id);
    if (until !== undefined && until > this.#now()) return true;
    if (session.subject === undefined) return false;
    const notValidBefore = this.#subjects.get(session.subject);
    return notValidBefore !== undefined && session.createdAt <= notValidBefore;
  }

  revokeSession(id: string, until: number): Promise<void> {
    return this.#revoke({ kind: 's', member: id, time: until });
  }

  revokeSubject(subject: string): Promise<void> {
    return this.#revoke({ kind: 'u', member: subject, time: this.#now() });
  }

  /** Live records held in memory (for tests and the health page); drops expired ones first. */
  get size(): number {
    this.#prune();
    return this.#sessions.size + this.#subjects.size;
  }

  /** Revocations made here that Redis has not taken yet. */
  get queued(): number {
    return this.#queue.size;
  }

  /**
   * Stops the timers and listeners and tries once more to write what is queued. What is still
   * {@link RedisRevocations.queued} afterwards was never in Redis: instances that did not see it
   * will accept those cookies again (docs/app.md, "When Redis fails").
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelResync?.();
    this.#queue.close();
    this.#client.off('ready', this.#onReady);
    this.#subscriber.off('ready', this.#onReady);
    if (this.#queue.size > 0 && this.#client.isReady) await this.#queue.flush();
    try {
      if (this.#subscriber.isReady) await withTimeout(this.#subscriber.unsubscribe(this.#keys.channel, this.#onMessage), this.#timeout);
    } catch {
      // The connection is closed next anyway.
    }
  }

  #revoke(record: RevocationRecord): Promise<void> {
    this.#apply(record);
    return this.#queue.add(record);
  }

  #apply(record: RevocationRecord): void {
    const map = record.kind === 's' ? this.#sessions : this.#subjects;
    const known = map.get(record.member);
    if (known === undefined || known < record.time) map.set(record.member, record.time);
  }

  #expired(record: RevocationRecord): boolean {
    const now = this.#now();
    return record.kind === 's' ? record.time <= now : record.time + this.#retainMs <= now;
  }

  #prune(): void {
    const now = this.#now();
    for (const [id, until] of this.#sessions) if (until <= now) this.#sessions.delete(id);
    // Past the absolute timeout no session created before the record can still be alive.
    for (const [subject, at] of this.#subjects) if (at + this.#retainMs <= now) this.#subjects.delete(subject);
  }

  #message(text: string): void {
    const message = parseMessage(text);
    if (message === undefined) return;
    const { version, ...record } = message;
    this.#apply(record);
    if (version === this.#applied + 1) this.#advance(version);
    else if (version > this.#applied && this.#ahead.size < MAX_AHEAD) this.#ahead.add(version);
    this.#emit({ type: 'message', version, record });
  }

  /** Everything up to `version` is applied; so are the versions seen ahead of it that follow on. */
  #advance(version: number): void {
    this.#applied = version;
    while (this.#ahead.delete(this.#applied + 1)) this.#applied++;
    for (const seen of this.#ahead) if (seen <= this.#applied) this.#ahead.delete(seen);
  }

  async #eval(script: string, keys: string[], args: string[]): Promise<unknown> {
    return withTimeout(this.#client.eval(script, { keys, arguments: args }), this.#timeout);
  }

  async #write(records: RevocationRecord[]): Promise<number> {
    const k = this.#keys;
    const args = [String(this.#now()), String(this.#retainMs), k.channel, epochCandidate(), ...writeArguments(records)];
    return parseState(await this.#eval(WRITE, [k.sessions, k.subjects, k.version, k.epoch], args)).version;
  }

  /** A connection is (back) up: write what waits, then read everything missed. */
  async #recover(): Promise<void> {
    if (this.#closed) return;
    this.#queue.resetBackoff();
    await this.#queue.flush();
    await this.#request(true, 'reconnect');
  }

  /** Runs a sync after the one running, at most one waiting (a second request joins it). */
  #request(full: boolean, reason: 'reconnect' | 'resync'): Promise<void> {
    const waiting = this.#nextSync;
    if (waiting !== undefined) {
      waiting.full ||= full;
      if (full) waiting.reason = reason;
      return waiting.promise;
    }
    const next = { full, reason, promise: Promise.resolve() };
    next.promise = this.#running.then(() => {
      this.#nextSync = undefined;
      return this.#closed ? undefined : this.#sync(next.full, next.reason, false);
    });
    this.#nextSync = next;
    this.#running = next.promise;
    return next.promise;
  }

  async #sync(full: boolean, reason: 'start' | 'reconnect' | 'resync', rethrow: boolean): Promise<void> {
    const k = this.#keys;
    try {
      const state = parseState(await this.#eval(STATE, [k.version, k.epoch], [epochCandidate()]));
      const lost = this.#epoch !== undefined && state.epoch !== this.#epoch;
      if (!full && !lost && state.version === this.#applied) {
        this.#emit({ type: 'synced', full: false, version: state.version, reason });
        return;
      }
      if (lost) {
        // Redis restarted empty (or was flushed): versions start over, and what we hold goes back.
        this.#applied = -1;
        this.#ahead.clear();
      }
      this.#epoch = state.epoch;
      await this.#readSet(k.sessions, this.#sessions);
      await this.#readSet(k.subjects, this.#subjects);
      // Everything written up to `state.version` was in the sets read after it.
      if (state.version > this.#applied) this.#advance(state.version);
      this.#emit({ type: 'synced', full: true, version: state.version, reason });
      if (lost) await this.#reseed();
    } catch (error) {
      if (rethrow) throw error;
      this.#emit({ type: 'sync-failed', error });
    }
  }

  async #readSet(key: string, into: Map<string, number>): Promise<void> {
    let cursor = '0';
    do {
      const page = parseScan(await this.#eval(SCAN, [key], [cursor, '1000']));
      for (const [member, time] of page.pairs) {
        const known = into.get(member);
        if (known === undefined || known < time) into.set(member, time);
      }
      cursor = page.cursor;
    } while (cursor !== '0');
  }

  async #reseed(): Promise<void> {
    this.#prune();
    const records: RevocationRecord[] = [];
    for (const [member, time] of this.#sessions) records.push({ kind: 's', member, time });
    for (const [member, time] of this.#subjects) records.push({ kind: 'u', member, time });
    this.#queue.addAll(records);
    this.#emit({ type: 'reseeded', count: records.length });
    await this.#queue.flush();
  }

  #scheduleResync(): void {
    if (this.#closed) return;
    this.#cancelResync = this.#schedule(() => {
      this.#prune();
      void this.#request(false, 'resync').then(() => this.#scheduleResync());
    }, this.#resyncMs, 'resync');
  }
}
