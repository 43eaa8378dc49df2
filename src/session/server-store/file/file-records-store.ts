/**
 * The file-system record backend behind `FileStore`: one JSON file per session, safe to share
 * between several processes.
 *
 * Layout under `dir` (every directory 0700, every file 0600):
 * ```
 * sessions/<id>.json           the record (id checked against /^[A-Za-z0-9_-]{22}$/ first)
 * subjects/<sha256(subject)>/<id>   an empty marker: the per-subject index
 * tmp/<id>.<pid>.<random>       a write in progress
 * gone/<id>                     a tombstone: the session was deleted (emptied, kept an hour)
 * ```
 * Why it is safe with several writers:
 * - A record is written to `tmp/`, fsynced, then renamed over `sessions/<id>.json`. rename(2) is
 *   atomic within a file system, so a reader sees the old file or the new one, never a mix, even if
 *   the writer is killed half-way. A torn file left by anything else fails `parseRecord` and is
 *   treated as absent.
 * - The index is one marker file per (subject, session), created or removed by single system
 *   calls. No file is ever read, changed and written back, so two processes cannot lose each
 *   other's updates. Subjects are hashed so that any string is a safe, fixed-length name.
 * - A marker is written before its record and removed after it. A crash in between leaves an
 *   orphan marker (harmless, swept later), never a live session missing from the index, which
 *   "log out everywhere" would miss. Because of that order, an orphan marker is only swept once it
 *   is older than a grace period: a young one may belong to a write still in flight.
 * - The index is a hint: every marker is checked against its record before it is trusted.
 * - A deletion cannot be undone by another process's update. Within a process, a write of an id
 *   and its deletion take turns; between processes, an update that checked the record was there
 *   can rename its file into place after another process deleted it. So a deletion renames the
 *   record to `gone/<id>` (the record leaves and its tombstone appears in one step), and an update
 *   looks for `gone/<id>` after its own rename, removing its record when it is there. Either the
 *   update sees the tombstone, or its look came before the deletion and so did its rename, which
 *   the deletion then moved away: in both orders the record is gone.
 * - Of two deletions of one session at once (two processes), exactly one succeeds: the other's
 *   rename finds no record. So a logout and another process's login `regenerate()` of the same
 *   session cannot both believe they ended it, as within one process they cannot either.
 *
 * The file-system steps themselves (the atomic replace, the sweeper's age checks, the subject
 * hash) are in `file-system-store.ts`.
 * @module
 */
import { mkdir, open, readdir, readFile, rename, rmdir, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { SessionError } from '../../../errors.js';
import { errno, exists, ignoreMissing, olderThan, subjectHash, writeAtomic } from './file-system-store.js';
import {
  type RecordBackend,
  type StoredRecord,
  isSessionId,
  parseRecord,
  serializeRecord,
  storeCorrupt,
  storeUnavailable,
} from '../stored-record.js';

/** Options for {@link FileRecords}. */
export interface FileRecordsOptions {
  /** The directory that holds everything; created with mode 0700 if missing. */
  dir: string;
  /** Clock in Unix milliseconds; decides expiry. */
  now: () => number;
  /** Milliseconds between background sweeps; 0 turns the timer off. */
  sweepInterval: number;
  /** fsync files and directories so a write survives a power cut, not only a crash. */
  durable: boolean;
  /** Receives corrupt records and failed background sweeps. */
  onStoreError: (err: SessionError) => void;
  /**
   * Starts the repeating background sweep and returns what stops it. Default: an unref'd
   * `setInterval`. Tests inject one that fires `tick` by hand (and await the sweep it returns),
   * so nothing waits on the real clock.
   */
  startTimer?: (tick: () => Promise<void>, ms: number) => () => void;
  /**
   * @internal Runs between an update's check that its record is there and its write. Tests hold
   * it there to let another process's deletion in.
   */
  beforeUpdate?: (id: string) => Promise<void>;
  /**
   * @internal Runs between a deletion's read of its record and its rename. Tests hold two
   * deletions there to make them meet.
   */
  beforeDelete?: (id: string) => Promise<void>;
}

/** The default sweep timer: a sweeper must never be what keeps a process alive, hence unref. */
function intervalTimer(tick: () => Promise<void>, ms: number): () => void {
  const timer = setInterval(() => void tick(), ms);
  timer.unref();
  return () => clearInterval(timer);
}

const STORE = 'FileStore';
// An orphan index marker or temp file younger than this may belong to a write in flight.
// Measured against the file's mtime, so it uses the real clock, not the injected one.
const GRACE_MS = 60_000;
// A tombstone must outlast every update that checked its record before the deletion and has yet
// to look for it: such an update is one write (a temp file, its fsync, a rename) behind. An hour is
// far past any write that has not failed; the sweeper removes older ones (by mtime, real clock).
const TOMBSTONE_MS = 3_600_000;

/** A {@link RecordBackend} on the local file system. */
export class FileRecords implements RecordBackend {
  readonly #o: FileRecordsOptions;
  readonly #sessions: string;
  readonly #subjects: string;
  readonly #tmp: string;
  readonly #gone: string;
  #ready: Promise<void> | undefined;
  /** The last write or delete of each id in flight (#serial). */
  readonly #busy = new Map<string, Promise<void>>();
  #stopTimer: (() => void) | undefined;

  constructor(options: FileRecordsOptions) {
    this.#o = options;
    this.#sessions = join(options.dir, 'sessions');
    this.#subjects = join(options.dir, 'subjects');
    this.#tmp = join(options.dir, 'tmp');
    this.#gone = join(options.dir, 'gone');
    if (options.sweepInterval > 0) {
      const tick = (): Promise<void> =>
        this.sweep().then(
          () => undefined,
          (err: unknown) => options.onStoreError(storeUnavailable(STORE, err)),
        );
      this.#stopTimer = (options.startTimer ?? intervalTimer)(tick, options.sweepInterval);
    }
  }

  get(id: string): Promise<StoredRecord | undefined> {
    return this.#guard(async () => {
      if (!isSessionId(id)) return undefined;
      const record = await this.#read(id);
      if (record === undefined || record.expiresAt > this.#o.now()) return record;
      await this.#remove(record);
      return undefined;
    });
  }

  set(record: StoredRecord, onlyIfExists = false): Promise<boolean> {
    return this.#guard(() => this.#serial(record.id, async () => {
      if (!isSessionId(record.id)) throw new TypeError('FileStore: refusing to store a record with a malformed id');
      if (record.expiresAt <= this.#o.now() || onlyIfExists) {
        // Check, then rename: #serial keeps this process's deletes of the id out of the gap.
        const current = await this.#read(record.id);
        const live = current !== undefined && current.expiresAt > this.#o.now();
        if (record.expiresAt <= this.#o.now() || !live) {
          if (current !== undefined) await this.#remove(current);
          return false;
        }
        await this.#o.beforeUpdate?.(record.id);
      } else {
        // A record created under an id deleted before starts anew (ids are random, so this is the
        // backend's contract more than a case that happens): its tombstone must not refuse its
        // own updates.
        await unlink(this.#tombstonePath(record.id)).catch(ignoreMissing);
      }
      if (record.subject !== undefined) await this.#mark(record.subject, record.id);
      await writeAtomic(this.#recordPath(record.id), serializeRecord(record), { tmpDir: this.#tmp, tag: record.id, durable: this.#o.durable });
      // Another process deleted the session after our check: our rename must not bring it back
      // (the tombstone's order, in the module comment). Only an update can meet one: a new
      // record has a fresh random id.
      if (onlyIfExists && (await exists(this.#tombstonePath(record.id)))) {
        await this.#remove(record);
        return false;
      }
      return true;
    }));
  }

  delete(id: string): Promise<boolean> {
    return this.#guard(() =>
      this.#serial(id, async () => {
        if (!isSessionId(id)) return false;
        const record = await this.#read(id);
        if (record === undefined) {
          await unlink(this.#recordPath(id)).catch(ignoreMissing);
          return false;
        }
        return (await this.#bury(record)) && record.expiresAt > this.#o.now();
      }),
    );
  }

  /**
   * Runs the writes and deletes of one id one after another, in this process. Between a write's
   * check that its record still exists and its rename lie a temp file's write and fsync: a logout
   * that deleted the record in those milliseconds was undone by the rename, in most trials of a
   * logout sent 0–3 ms after a changed session's request. Across processes sharing the directory
   * that window remains (docs/stores.md).
   */
  #serial<R>(id: string, op: () => Promise<R>): Promise<R> {
    const before = this.#busy.get(id);
    const run = before === undefined ? op() : before.then(op, op);
    const settled = run.then(() => undefined, () => undefined);
    this.#busy.set(id, settled);
    void settled.then(() => {
      if (this.#busy.get(id) === settled) this.#busy.delete(id);
    });
    return run;
  }

  listBySubject(subject: string): Promise<StoredRecord[]> {
    return this.#guard(async () => {
      const out: StoredRecord[] = [];
      for (const id of await this.#markers(subject)) {
        const record = await this.#read(id);
        if (record === undefined) continue; // orphan marker: maybe a write in flight; the sweeper decides
        if (record.subject !== subject) await unlink(await this.#markerPath(subject, id)).catch(ignoreMissing);
        else if (record.expiresAt <= this.#o.now()) await this.#remove(record);
        else out.push(record);
      }
      return out;
    });
  }

  deleteBySubject(subject: string, except?: ReadonlySet<string>): Promise<number> {
    return this.#guard(async () => {
      let removed = 0;
      for (const id of await this.#markers(subject)) {
        if (except?.has(id)) continue;
        // In turn with this process's writes of the id (#serial): a save in flight cannot revive it.
        const went = await this.#serial(id, async () => {
          const record = await this.#read(id);
          if (record === undefined || record.subject !== subject) return false;
          return (await this.#bury(record)) && record.expiresAt > this.#o.now();
        });
        if (went) removed++;
      }
      return removed;
    });
  }

  /**
   * Removes expired and unreadable records, orphan index markers and abandoned temp files older
   * than the grace period, and empty subject directories. Safe to run from several processes.
   * Returns how many records went.
   */
  sweep(): Promise<number> {
    return this.#guard(async () => {
      let removed = 0;
      const realNow = Date.now();
      for (const name of await readdir(this.#sessions)) {
        const id = name.slice(0, -'.json'.length);
        if (!name.endsWith('.json') || !isSessionId(id)) continue;
        const record = await this.#read(id);
        if (record !== undefined && record.expiresAt <= this.#o.now()) {
          await this.#remove(record);
          removed++;
        }
      }
      for (const hash of await readdir(this.#subjects)) {
        const dir = join(this.#subjects, hash);
        for (const id of await readdir(dir).catch(() => [] as string[])) {
          const marker = join(dir, id);
          if (await exists(this.#recordPath(id))) continue;
          if (await olderThan(marker, realNow - GRACE_MS)) await unlink(marker).catch(ignoreMissing);
        }
        // Fails harmlessly (ENOTEMPTY) when a marker is left or a writer just added one.
        await rmdir(dir).catch(() => undefined);
      }
      for (const name of await readdir(this.#tmp)) {
        const file = join(this.#tmp, name);
        if (await olderThan(file, realNow - GRACE_MS)) await unlink(file).catch(ignoreMissing);
      }
      for (const name of await readdir(this.#gone)) {
        const file = join(this.#gone, name);
        if (await olderThan(file, realNow - TOMBSTONE_MS)) await unlink(file).catch(ignoreMissing);
      }
      return removed;
    });
  }

  async close(): Promise<void> {
    this.#stopTimer?.();
    this.#stopTimer = undefined;
  }

  /** Runs `op` once the directories exist; turns any file-system failure into ERR_STORE_UNAVAILABLE. */
  async #guard<R>(op: () => Promise<R>): Promise<R> {
    try {
      this.#ready ??= this.#init();
      await this.#ready;
      return await op();
    } catch (err) {
      // Retry the set-up next time: the disk may have been remounted or the directory restored.
      this.#ready = undefined;
      if (err instanceof SessionError || err instanceof TypeError) throw err;
      throw storeUnavailable(STORE, err);
    }
  }

  async #init(): Promise<void> {
    for (const dir of [this.#o.dir, this.#sessions, this.#subjects, this.#tmp, this.#gone]) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    }
  }

  /** Reads and parses a record without judging expiry. Unreadable → logged, removed, undefined. */
  async #read(id: string): Promise<StoredRecord | undefined> {
    const path = this.#recordPath(id);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      ignoreMissing(err);
      return undefined;
    }
    const record = parseRecord(text, id);
    if (typeof record !== 'string') return record;
    this.#o.onStoreError(storeCorrupt(STORE, path, record));
    await unlink(path).catch(ignoreMissing);
    return undefined;
  }

  /** Record first, marker second: the reverse of `set`, so a crash never hides a live session. */
  /**
   * Deletes a session for good: its record becomes its tombstone in one rename. False when the
   * record was gone by then (another process's deletion took it, or an expiry removed it).
   */
  async #bury(record: StoredRecord): Promise<boolean> {
    await this.#o.beforeDelete?.(record.id);
    const tombstone = this.#tombstonePath(record.id);
    for (let attempt = 0; ; attempt++) {
      try {
        await rename(this.#recordPath(record.id), tombstone);
        break;
      } catch (err) {
        ignoreMissing(err);
        // ENOENT: the record went first (another deletion, an expiry), or gone/ itself is missing
        // (removed by hand), and then the record is still there: a logout must not be lost to it.
        if (attempt > 0 || !(await exists(this.#recordPath(record.id)))) return false;
        await mkdir(this.#gone, { recursive: true, mode: 0o700 });
      }
    }
    // Only its name is needed: the values of a logged-out session do not stay on disk.
    await truncate(tombstone).catch(ignoreMissing);
    if (record.subject !== undefined) await unlink(await this.#markerPath(record.subject, record.id)).catch(ignoreMissing);
    return true;
  }

  async #remove(record: StoredRecord): Promise<void> {
    await unlink(this.#recordPath(record.id)).catch(ignoreMissing);
    if (record.subject !== undefined) await unlink(await this.#markerPath(record.subject, record.id)).catch(ignoreMissing);
  }

  async #mark(subject: string, id: string): Promise<void> {
    const marker = await this.#markerPath(subject, id);
    const dir = join(marker, '..');
    // A sweeper in another process may remove the empty subject directory between our mkdir and
    // our open; one retry closes that window because the marker then keeps it non-empty.
    for (let attempt = 0; ; attempt++) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      try {
        await (await open(marker, 'w', 0o600)).close();
        return;
      } catch (err) {
        if (errno(err) !== 'ENOENT' || attempt > 0) throw err;
      }
    }
  }

  async #markers(subject: string): Promise<string[]> {
    try {
      return (await readdir(join(this.#subjects, await subjectHash(subject)))).filter(isSessionId);
    } catch (err) {
      ignoreMissing(err);
      return [];
    }
  }

  #recordPath(id: string): string {
    return join(this.#sessions, `${id}.json`);
  }

  #tombstonePath(id: string): string {
    return join(this.#gone, id);
  }

  async #markerPath(subject: string, id: string): Promise<string> {
    return join(this.#subjects, await subjectHash(subject), id);
  }
}
