/**
 * The in-process record backend behind `MemoryStore`: a bounded map with least-recently-used
 * eviction, expiry on read and on sweep, and a per-subject index that every removal path updates
 * (delete, eviction, expiry), so the index never names a record that is gone.
 *
 * Records are kept as their JSON text, not as objects: a handler that keeps a reference to its
 * session values cannot change what is stored, and a value that would not survive the file or
 * Redis store (a Date, a Map) does not survive here either.
 *
 * Everything is lost when the process exits.
 * @module
 */
import { type RecordBackend, type StoredRecord, parseRecord, serializeRecord } from '../stored-record.js';
import { utf8ByteLength } from '../../../cookie/size.js';

/** Options for {@link MemoryRecords}. */
export interface MemoryRecordsOptions {
  /** Most records kept; the least recently used goes first when full. */
  maxEntries: number;
  /**
   * Most bytes kept, counted as the records' JSON in UTF-8; the least recently used go first. A
   * record is never evicted by its own write: one larger than this alone is kept, alone. Default
   * no bound (`MemoryStore` sets one).
   */
  maxBytes?: number;
  /** Clock in Unix milliseconds. */
  now: () => number;
}

interface Entry {
  readonly text: string;
  /** `text` as UTF-8 bytes: what it adds to the total. */
  readonly bytes: number;
  readonly subject: string | undefined;
  readonly expiresAt: number;
}

/** A bounded, TTL-aware, in-memory {@link RecordBackend}. */
export class MemoryRecords implements RecordBackend {
  readonly #max: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  #bytes = 0;
  // Map iteration order is insertion order, so re-inserting on use makes the first key the LRU one.
  readonly #entries = new Map<string, Entry>();
  readonly #bySubject = new Map<string, Set<string>>();

  constructor(options: MemoryRecordsOptions) {
    this.#max = options.maxEntries;
    this.#maxBytes = options.maxBytes ?? Infinity;
    this.#now = options.now;
  }

  /** How many records are held (expired ones not yet swept included). */
  get size(): number {
    return this.#entries.size;
  }

  /** The bytes held: the records' JSON as UTF-8, summed (expired ones not yet swept included). */
  get bytes(): number {
    return this.#bytes;
  }

  async get(id: string): Promise<StoredRecord | undefined> {
    const entry = this.#live(id);
    if (entry === undefined) return undefined;
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    return parseRecord(entry.text, id) as StoredRecord;
  }

  async set(record: StoredRecord, onlyIfExists = false): Promise<boolean> {
    if (onlyIfExists && this.#live(record.id) === undefined) return false;
    this.#remove(record.id);
    if (record.expiresAt <= this.#now()) return false;
    const text = serializeRecord(record);
    const bytes = utf8ByteLength(text);
    this.#entries.set(record.id, { text, bytes, subject: record.subject, expiresAt: record.expiresAt });
    this.#bytes += bytes;
    if (record.subject !== undefined) {
      let ids = this.#bySubject.get(record.subject);
      if (ids === undefined) this.#bySubject.set(record.subject, (ids = new Set()));
      ids.add(record.id);
    }
    // The record just written is the newest, so the last to go; and it never goes by its own write.
    while ((this.#entries.size > this.#max || this.#bytes > this.#maxBytes) && this.#entries.size > 1) {
      const oldest = this.#entries.keys().next().value as string;
      this.#remove(oldest);
    }
    // Without a timer, an expired session nobody asks for again would sit here until evicted.
    // The least recently used end is where expired ones gather, so each write retires up to two.
    for (let i = 0; i < 2; i++) {
      const [id, entry] = this.#entries.entries().next().value as [string, Entry];
      if (entry.expiresAt > this.#now()) break;
      this.#remove(id);
    }
    return true;
  }

  async delete(id: string): Promise<boolean> {
    const live = this.#live(id) !== undefined;
    this.#remove(id);
    return live;
  }

  async listBySubject(subject: string): Promise<StoredRecord[]> {
    const out: StoredRecord[] = [];
    for (const id of [...(this.#bySubject.get(subject) ?? [])]) {
      const entry = this.#live(id);
      if (entry !== undefined) out.push(parseRecord(entry.text, id) as StoredRecord);
    }
    return out;
  }

  async deleteBySubject(subject: string, except?: ReadonlySet<string>): Promise<number> {
    let removed = 0;
    for (const id of [...(this.#bySubject.get(subject) ?? [])]) {
      if (except?.has(id)) continue;
      if (this.#live(id) !== undefined) removed++;
      this.#remove(id);
    }
    return removed;
  }

  /** Removes every expired record; returns how many went. */
  sweep(): number {
    const now = this.#now();
    let removed = 0;
    for (const [id, entry] of [...this.#entries]) {
      if (entry.expiresAt <= now) {
        this.#remove(id);
        removed++;
      }
    }
    return removed;
  }

  async close(): Promise<void> {
    this.#entries.clear();
    this.#bySubject.clear();
    this.#bytes = 0;
  }

  /** The entry for `id` if it has not expired; an expired one is removed on the way. */
  #live(id: string): Entry | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > this.#now()) return entry;
    this.#remove(id);
    return undefined;
  }

  #remove(id: string): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    this.#entries.delete(id);
    this.#bytes -= entry.bytes;
    if (entry.subject === undefined) return;
    const ids = this.#bySubject.get(entry.subject);
    ids?.delete(id);
    if (ids?.size === 0) this.#bySubject.delete(entry.subject);
  }
}
