/**
 * Revocation records for stateless cookie sessions (`revocations.jsonl` in the data directory).
 *
 * A sealed cookie carries all its data, so deleting it in the browser does not stop an attacker
 * who copied it from replaying it until it expires. Two records close that gap (ASVS 5.0 7.4.1):
 * - a revoked session id, kept until the moment that session would have expired anyway ("log out");
 * - a per-subject "not valid before" time: every session of that user created at or before it is
 *   refused ("log out everywhere", account disablement), kept for the absolute timeout.
 *
 * Bounded and cheap (issue #13: at 300,000 ids in one JSON file rewritten and fsynced per logout,
 * one logout blocked the event loop for 394 ms):
 * - a change appends one line to an append-only log ({@link RecordLog}): one O_APPEND write;
 * - records expire, and the log is compacted (rewritten atomically with the live records only)
 *   when it holds more than twice as many lines as live records, so its size follows the live
 *   set and a compaction's cost is spread over at least as many appends as it keeps records;
 * - a check reads nothing: the list reads the lines other processes appended since its last look
 *   when the data directory's watcher (inotify on Linux) reports a change to the log, and in any
 *   case at most `refreshMs` (default 1 s, by the injected clock) after its last look. A logout in
 *   one worker is honoured by the others as soon as their event loop takes the file event
 *   (typically well under a millisecond), and within `refreshMs` where no watcher works (a
 *   network file system); in the worker that wrote it, at once.
 *
 * `revocations.json`, the whole-file format of earlier versions, is still read; the first change
 * moves its live records into the log and removes it.
 * @module
 */
import { rmSync, watch, type FSWatcher } from 'node:fs';
import { basename } from 'node:path';
import { dataFile, ensureDataDir, readJsonFile, withFileLock } from './data-dir.js';
import { RecordLog } from './record-log.js';
import { checkOptionKeys, type OptionKeys } from '../errors.js';

/** What a revocation check needs to know about a session. */
export interface RevocationSubject {
  /** The session id. */
  id: string;
  /** The user the session belongs to, if any. */
  subject?: string | undefined;
  /** When the session was created, in milliseconds since the epoch. */
  createdAt: number;
}

/**
 * Where the app's revocation records live: {@link RevocationList} (a file log in the data
 * directory, the default) or `RedisRevocations` (src/app/redis/revocations.ts, shared by every
 * instance). The check is synchronous and reads memory only, so a logged-in page view never waits
 * on a disk or a network; the writes may take a round trip.
 *
 * @example
 * ```ts
 * await revocations.revokeSession(session.id, session.createdAt + absoluteTimeoutMs); // log out
 * await revocations.revokeSubject('demo');                                             // everywhere
 * revocations.isRevoked({ id, subject: 'demo', createdAt });                           // true
 * ```
 */
export interface Revocations {
  /** True when the session was logged out, or its user logged out everywhere after it was created. */
  isRevoked(session: RevocationSubject): boolean;
  /**
   * Refuses one session id until `until` (ms). Refused by this process from the next check on,
   * even when the returned promise is still pending or the backend is away.
   */
  revokeSession(id: string, until: number): void | Promise<void>;
  /** Refuses every session of `subject` created up to now; at once in this process, as above. */
  revokeSubject(subject: string): void | Promise<void>;
  /** Stops watching for changes (and, for a shared backend, tries once more to write what is queued). */
  close(): void | Promise<void>;
}

/** Options for {@link RevocationList}. */
export interface RevocationListOptions {
  /** The data directory holding `revocations.jsonl`. */
  dir: string;
  /** How long a "not valid before" record is kept, in seconds: the session absolute timeout. */
  retainSeconds: number;
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number;
  /**
   * How often a check looks for records other processes appended, in ms (by `now`). Default
   * 1000: a logout in another worker is honoured within this; 0 looks on every check.
   */
  refreshMs?: number;
  /** The log is never compacted below this many lines. Default 1000. */
  compactMinLines?: number;
  /**
   * Watch the data directory, so that a change another process makes is read at the next check
   * instead of up to `refreshMs` later. Default `true`; the watcher never keeps the process alive.
   */
  watch?: boolean;
}

const OPTION_KEYS: OptionKeys<RevocationListOptions> = { dir: true, retainSeconds: true, now: true, refreshMs: true, compactMinLines: true, watch: true };

/** A revoked session id, as a line of the log. */
interface SessionRecord {
  id: string;
  until: number;
}

/** A subject's "not valid before" time, as a line of the log. */
interface SubjectRecord {
  subject: string;
  notValidBefore: number;
}

type RevocationRecord = SessionRecord | SubjectRecord;

/**
 * The revocation records of one data directory.
 *
 * @example
 * ```ts
 * const revocations = new RevocationList({ dir: '.data', retainSeconds: 86400 });
 * revocations.revokeSession(session.id, expiresAtMs);      // log out
 * revocations.revokeSubject('demo');                        // log out everywhere
 * revocations.isRevoked({ id, subject: 'demo', createdAt }); // true afterwards
 * ```
 */
export class RevocationList implements Revocations {
  readonly #dir: string;
  readonly #log: RecordLog;
  readonly #legacyPath: string;
  readonly #retainMs: number;
  readonly #now: () => number;
  readonly #refreshMs: number;
  readonly #compactMinLines: number;
  #sessions = new Map<string, number>();
  #subjects = new Map<string, number>();
  #checkedAt = -Infinity;
  #loaded = false;
  #legacy = false; // revocations.json was present at the last full read
  #nextCompactionCheck = 0; // log lines at which the next compaction check runs
  #watcher: FSWatcher | undefined;
  #watch: boolean;

  constructor(options: RevocationListOptions) {
    checkOptionKeys('RevocationList', options, OPTION_KEYS);
    this.#dir = options.dir;
    this.#log = new RecordLog(dataFile(options.dir, 'revocations.jsonl'));
    this.#legacyPath = dataFile(options.dir, 'revocations.json');
    this.#retainMs = options.retainSeconds * 1000;
    this.#now = options.now ?? Date.now;
    this.#refreshMs = options.refreshMs ?? 1000;
    this.#compactMinLines = options.compactMinLines ?? 1000;
    this.#nextCompactionCheck = this.#compactMinLines;
    this.#watch = options.watch ?? true;
    this.#startWatching();
    this.#refresh(true);
  }

  /**
   * Stops watching the data directory (the watcher is unref'd: closing is tidiness, not a must).
   * For good: a logout written after it (a request the shutdown let finish) starts no new watcher.
   */
  close(): void {
    this.#watch = false;
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  // A file event only marks the list due: the read itself stays in the next check, where it was
  // before, so nothing about what is read (complete lines, under the generation rule) changes.
  // The directory is watched, not the file: a compaction replaces the file (a rename), which
  // would end a watch on the old inode.
  #startWatching(): void {
    if (!this.#watch || this.#watcher !== undefined) return;
    const name = basename(this.#log.path);
    try {
      const watcher = watch(this.#dir, { persistent: false }, (_event, file) => {
        if (file === null || file === name) this.#checkedAt = -Infinity;
      });
      watcher.on('error', () => {
        // No events any more (the directory went away): refreshMs alone bounds the staleness.
        watcher.close();
        if (this.#watcher === watcher) this.#watcher = undefined;
      });
      this.#watcher = watcher;
    } catch {
      // No directory yet (created by the first logout) or no watcher here: refreshMs bounds it.
    }
  }

  /** True when the session was logged out, or its user logged out everywhere after it was created. */
  isRevoked(session: RevocationSubject): boolean {
    this.#refresh(false);
    const until = this.#sessions.get(session.id);
    if (until !== undefined && until > this.#now()) return true;
    if (session.subject === undefined) return false;
    const notValidBefore = this.#subjects.get(session.subject);
    return notValidBefore !== undefined && session.createdAt <= notValidBefore;
  }

  /** Refuses one session id until `until` (ms), when the session would have expired anyway. */
  revokeSession(id: string, until: number): void {
    this.#write({ id, until });
  }

  /** Refuses every session of `subject` created up to now. */
  revokeSubject(subject: string): void {
    this.#write({ subject, notValidBefore: this.#now() });
  }

  /** Number of live records held (for tests and the health page); drops expired ones from memory. */
  get size(): number {
    this.#prune();
    return this.#sessions.size + this.#subjects.size;
  }

  #write(record: RevocationRecord): void {
    ensureDataDir(this.#dir);
    this.#startWatching();
    // Under the lock, read what others appended first: the offset must be the file's end, and the
    // compaction below must not drop a record another worker wrote since our last look.
    withFileLock(this.#log.path, () => {
      this.#refresh(true);
      this.#apply(record);
      if (!this.#legacy && this.#log.lines + 1 < this.#nextCompactionCheck) {
        this.#log.append(record);
        return;
      }
      // Pruning walks every record, so it runs only after as many appends as there are live
      // records (or compactMinLines): amortised O(1) per logout.
      this.#prune();
      const live = this.#sessions.size + this.#subjects.size;
      if (this.#legacy || this.#log.lines + 1 > 2 * live) {
        this.#log.replace(this.#records());
        if (this.#legacy) rmSync(this.#legacyPath, { force: true });
        this.#legacy = false;
      } else {
        this.#log.append(record);
      }
      this.#nextCompactionCheck = this.#log.lines + Math.max(this.#compactMinLines, live);
    });
  }

  #records(): RevocationRecord[] {
    const records: RevocationRecord[] = [];
    for (const [id, until] of this.#sessions) records.push({ id, until });
    for (const [subject, notValidBefore] of this.#subjects) records.push({ subject, notValidBefore });
    return records;
  }

  #apply(value: unknown): void {
    const record = value as Partial<SessionRecord & SubjectRecord> | null;
    if (typeof record?.id === 'string' && typeof record.until === 'number') {
      this.#sessions.set(record.id, Math.max(record.until, this.#sessions.get(record.id) ?? -Infinity));
    } else if (typeof record?.subject === 'string' && typeof record.notValidBefore === 'number') {
      this.#subjects.set(record.subject, Math.max(record.notValidBefore, this.#subjects.get(record.subject) ?? -Infinity));
    }
  }

  #prune(): void {
    const now = this.#now();
    for (const [id, until] of this.#sessions) if (until <= now) this.#sessions.delete(id);
    // Once the absolute timeout has passed, no session older than the record can still be alive.
    for (const [subject, at] of this.#subjects) if (at + this.#retainMs <= now) this.#subjects.delete(subject);
  }

  #refresh(force: boolean): void {
    const now = this.#now();
    // A clock that went back (a test, or NTP) counts as due, so a step back never stalls reads.
    if (!force && now >= this.#checkedAt && now - this.#checkedAt < this.#refreshMs) return;
    this.#checkedAt = now;
    const { reset, records } = this.#log.read();
    if (reset || !this.#loaded) this.#readLegacy();
    for (const record of records) this.#apply(record);
  }

  /** Starts over from revocations.json (usually absent): on the first read, and when the log was replaced. */
  #readLegacy(): void {
    this.#loaded = true;
    this.#sessions = new Map();
    this.#subjects = new Map();
    const value = readJsonFile(this.#legacyPath) as { sessions?: unknown; subjects?: unknown } | undefined;
    this.#legacy = value !== undefined;
    for (const entry of Array.isArray(value?.sessions) ? (value.sessions as unknown[]) : []) this.#apply(entry);
    for (const entry of Array.isArray(value?.subjects) ? (value.subjects as unknown[]) : []) this.#apply(entry);
  }
}
