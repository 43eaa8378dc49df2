/**
 * The Redis record backend behind `RedisStore`, written against a small client interface so that
 * cachet needs no Redis package: the app passes in its own connected client.
 *
 * Keys (the prefix defaults to `cachet:`):
 * ```
 * cachet:session:<id>       string: the record as JSON, with PX = time left before it expires
 * cachet:subject:<subject>  sorted set: session ids of one subject, scored by their expiry time
 * ```
 * Scoring the index by expiry is what keeps it exact without keyspace notifications: Redis drops
 * an expired record by itself, and the next read of the index drops its entry with
 * ZREMRANGEBYSCORE. An entry is added before its record is written and removed after its record
 * is deleted, so "log out everywhere" can never miss a live session; an entry whose record is
 * missing is skipped on read and leaves the index when its score passes.
 *
 * Any client error or timeout becomes `ERR_STORE_UNAVAILABLE`, which the app answers with 503.
 * @module
 */
import { SessionError } from '../../../errors.js';
import { type RecordBackend, type StoredRecord, isSessionId, parseRecord, serializeRecord, storeCorrupt, storeUnavailable } from '../stored-record.js';

/**
 * The Redis commands `RedisStore` uses. A connected client of the `redis` npm package (v4 and
 * later) satisfies it as is; for another client, write these eight one-line methods.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * // Fail fast while Redis is down (503) instead of queueing requests until it is back.
 * const client = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true });
 * client.on('error', (err) => console.error('redis:', err.message)); // without it, an error crashes the process
 * await client.connect();
 * const store = new RedisStore({ keyring, client });
 * ```
 */
export interface RedisClientLike {
  /** GET key: the value, or null. */
  get(key: string): Promise<string | null>;
  /** SET key value PX ms [XX]: resolves to null when XX was given and the key did not exist. */
  set(key: string, value: string, options: { PX: number; XX?: boolean }): Promise<unknown>;
  /** DEL key. */
  del(key: string): Promise<unknown>;
  /** ZADD key score member. */
  zAdd(key: string, member: { score: number; value: string }): Promise<unknown>;
  /** ZREM key member. */
  zRem(key: string, member: string): Promise<unknown>;
  /** ZRANGE key start stop: members by rank (0, -1 = all). */
  zRange(key: string, start: number, stop: number): Promise<string[]>;
  /** ZREMRANGEBYSCORE key min max. */
  zRemRangeByScore(key: string, min: number | string, max: number | string): Promise<unknown>;
  /** PEXPIRE key ms. */
  pExpire(key: string, ms: number): Promise<unknown>;
}

/** Options for {@link RedisRecords}. */
export interface RedisRecordsOptions {
  client: RedisClientLike;
  /** Prepended to every key. */
  prefix: string;
  /** Clock in Unix milliseconds. */
  now: () => number;
  /** Longest a session can live, in ms: how long an idle per-subject index is kept. */
  indexTtl: number;
  /** A command that has not answered after this many ms counts as Redis being down. */
  commandTimeout: number;
  /** Receives corrupt records. */
  onStoreError: (err: SessionError) => void;
}

const STORE = 'RedisStore';

/** A {@link RecordBackend} on Redis. */
export class RedisRecords implements RecordBackend {
  readonly #o: RedisRecordsOptions;

  constructor(options: RedisRecordsOptions) {
    this.#o = options;
  }

  get(id: string): Promise<StoredRecord | undefined> {
    return this.#guard(async (c) => {
      if (!isSessionId(id)) return undefined;
      const record = await this.#read(c, id);
      if (record === undefined || record.expiresAt > this.#o.now()) return record;
      await this.#remove(c, record);
      return undefined;
    });
  }

  set(record: StoredRecord, onlyIfExists = false): Promise<boolean> {
    return this.#guard(async (c) => {
      const ttl = record.expiresAt - this.#o.now();
      if (ttl <= 0) {
        await this.#removeById(c, record.id);
        return false;
      }
      if (onlyIfExists) {
        // Judged by the app's clock, like every read; SET XX below still closes the race with a delete.
        const current = await this.#read(c, record.id);
        if (current === undefined || current.expiresAt <= this.#o.now()) {
          if (current !== undefined) await this.#remove(c, current);
          return false;
        }
      }
      const index = record.subject === undefined ? undefined : this.#subjectKey(record.subject);
      if (index !== undefined) {
        // Sent together: one connection runs them in order, in one round trip. The record waits
        // for the index entry, so no record is ever live without one (revokeAll finds it); an
        // index kept longer because only its ZADD failed harms nothing.
        await Promise.all([c.zAdd(index, { score: record.expiresAt, value: record.id }), c.pExpire(index, Math.max(ttl, this.#o.indexTtl))]);
      }
      // XX makes "only if it still exists" atomic: a revocation in between always wins.
      const reply = await c.set(this.#sessionKey(record.id), serializeRecord(record), onlyIfExists ? { PX: ttl, XX: true } : { PX: ttl });
      if (reply !== null) return true;
      if (index !== undefined) await c.zRem(index, record.id);
      return false;
    });
  }

  delete(id: string): Promise<boolean> {
    return this.#guard(async (c) => (isSessionId(id) ? this.#removeById(c, id) : false));
  }

  listBySubject(subject: string): Promise<StoredRecord[]> {
    return this.#guard(async (c) => {
      const out: StoredRecord[] = [];
      for (const [id, record] of await this.#indexed(c, subject)) {
        if (record === undefined) continue; // a write in flight, or Redis evicted it: its score retires it
        if (record.subject !== subject) await c.zRem(this.#subjectKey(subject), id);
        else if (record.expiresAt <= this.#o.now()) await this.#remove(c, record);
        else out.push(record);
      }
      return out;
    });
  }

  deleteBySubject(subject: string, except?: ReadonlySet<string>): Promise<number> {
    return this.#guard(async (c) => {
      let removed = 0;
      for (const [id, record] of await this.#indexed(c, subject)) {
        if (except?.has(id) || record === undefined || record.subject !== subject) continue;
        if (record.expiresAt > this.#o.now()) removed++;
        await this.#remove(c, record);
      }
      return removed;
    });
  }

  async close(): Promise<void> {
    // The client belongs to the app, which closes it.
  }

  /** Every id in the subject's index (expired entries dropped first) with its record, read in parallel. */
  async #indexed(c: RedisClientLike, subject: string): Promise<[string, StoredRecord | undefined][]> {
    const index = this.#subjectKey(subject);
    // Sent together (one round trip, run in this order): were the trim to fail, an expired entry
    // read by ZRANGE is still dropped below, its record being gone or past its expiry.
    const [, members] = await Promise.all([c.zRemRangeByScore(index, '-inf', this.#o.now()), c.zRange(index, 0, -1)]);
    const ids = members.filter(isSessionId);
    const records = await Promise.all(ids.map((id) => this.#read(c, id)));
    return ids.map((id, i) => [id, records[i]]);
  }

  async #read(c: RedisClientLike, id: string): Promise<StoredRecord | undefined> {
    const key = this.#sessionKey(id);
    const text = await c.get(key);
    if (text === null) return undefined;
    const record = parseRecord(text, id);
    if (typeof record !== 'string') return record;
    this.#o.onStoreError(storeCorrupt(STORE, key, record));
    await c.del(key);
    return undefined;
  }

  /** Removes the record of `id`; true when a live one went (this call's DEL removed it). */
  async #removeById(c: RedisClientLike, id: string): Promise<boolean> {
    const record = await this.#read(c, id);
    if (record === undefined) return false;
    const removed = await this.#remove(c, record);
    return removed && record.expiresAt > this.#o.now();
  }

  /** Record first, index entry second: the reverse of `set`. True when the record's key was still there. */
  async #remove(c: RedisClientLike, record: StoredRecord): Promise<boolean> {
    const removed = Number(await c.del(this.#sessionKey(record.id)));
    if (record.subject !== undefined) await c.zRem(this.#subjectKey(record.subject), record.id);
    return removed > 0;
  }

  /** Runs `op`; any client failure, or no answer within `commandTimeout`, is ERR_STORE_UNAVAILABLE. */
  async #guard<R>(op: (client: RedisClientLike) => Promise<R>): Promise<R> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.#o.commandTimeout} ms`)), this.#o.commandTimeout);
    });
    try {
      return await Promise.race([op(this.#o.client), timeout]);
    } catch (err) {
      throw err instanceof SessionError ? err : storeUnavailable(STORE, err);
    } finally {
      clearTimeout(timer);
    }
  }

  #sessionKey(id: string): string {
    return `${this.#o.prefix}session:${id}`;
  }

  #subjectKey(subject: string): string {
    return `${this.#o.prefix}subject:${subject}`;
  }
}
