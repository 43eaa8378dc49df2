/**
 * `FileStore`: server-side sessions as one file each in a directory, safe for several processes
 * on one machine; they survive restarts. The file format and the reasoning behind it are in
 * `file-records-store.ts` and docs/stores.md.
 * @module
 */
import { FileRecords } from './file-records-store.js';
import { ServerSideStore } from '../server-store.js';
import { type ServerStoreOptions, checkOption, resolveServerStoreOptions, warnStoreError } from '../server-store-options.js';
import type { SessionValues } from '../../core/session-record.js';

/** Options for {@link FileStore}. */
export interface FileStoreOptions extends ServerStoreOptions {
  /** The directory that holds the sessions; created with mode 0700 if missing. Put it on a local disk. */
  dir: string;
  /** Seconds between background sweeps of expired sessions; 0 sweeps only on read. Default 600. */
  sweepInterval?: number;
  /** fsync every write (file and directory) so it survives a power cut, not only a crash. Default `true`. */
  durable?: boolean;
}

/**
 * Sessions stored as files (one per session, atomic writes, per-user index), behind a signed
 * session-id cookie. Several processes may share the directory.
 *
 * @example
 * ```ts
 * const store = new FileStore<{ userId?: string }>({ keyring, dir: '/var/lib/myapp/sessions' });
 * process.on('SIGTERM', () => void store.close()); // stops the sweeper
 * ```
 */
export class FileStore<T extends SessionValues = SessionValues> extends ServerSideStore<T> {
  readonly #records: FileRecords;

  constructor(options: FileStoreOptions) {
    const resolved = resolveServerStoreOptions(options, 'FileStore', { dir: true, sweepInterval: true, durable: true });
    checkOption(typeof options.dir === 'string' && options.dir !== '', 'dir must name the directory that holds the sessions.');
    const sweepInterval = options.sweepInterval ?? 600;
    checkOption(Number.isFinite(sweepInterval) && sweepInterval >= 0, `sweepInterval is in seconds, 0 or more (got ${String(sweepInterval)}).`);
    const records = new FileRecords({
      dir: options.dir,
      now: resolved.now,
      sweepInterval: sweepInterval * 1000,
      durable: options.durable ?? true,
      onStoreError: options.onStoreError ?? warnStoreError,
    });
    super(records, options, resolved);
    this.#records = records;
  }

  /**
   * Removes expired and unreadable sessions, stray index entries and interrupted writes now;
   * resolves to how many sessions went. Runs by itself every `sweepInterval` seconds.
   *
   * @example
   * ```ts
   * const removed = await store.sweep();
   * ```
   */
  sweep(): Promise<number> {
    return this.#records.sweep();
  }
}
