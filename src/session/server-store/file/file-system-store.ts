/**
 * The file-system steps `FileRecords` is built from: replacing a file atomically, treating ENOENT
 * as "already gone", the existence and age checks the sweeper makes, and hashing a subject into a
 * safe file name.
 *
 * Its own file because each step carries its own crash-safety reasoning, independent of the
 * directory layout; `file-records-store.ts` reads as the layout and the ordering rules (marker
 * before record, record before marker on removal) on top of them. Node-only, like that store: its
name ends in `-store` because the session layer keeps Web APIs only, Node-only store files aside.
 * @module
 */
import { open, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The `code` of a Node system error (`'ENOENT'`, ...), or whatever stands there. */
export const errno = (err: unknown): unknown => (err as { code?: unknown } | null)?.code;

/**
 * Rethrows anything but ENOENT: for unlinks and reads where "already gone" is the goal.
 *
 * @example
 * ```ts
 * await unlink(path).catch(ignoreMissing);
 * ```
 */
export const ignoreMissing = (err: unknown): void => {
  if (errno(err) !== 'ENOENT') throw err;
};

/** Where {@link writeAtomic} stages a write, and how hard it makes it stick. */
export interface WriteAtomicOptions {
  /** The directory for the temp file; on the same file system as the target, so rename(2) is atomic. */
  tmpDir: string;
  /** Starts the temp file's name (then the pid and a random suffix), for whoever finds it. */
  tag: string;
  /** fsync the file and the target's directory, so the write survives a power cut, not only a crash. */
  durable: boolean;
}

/**
 * temp file → write → fsync → rename over the target → fsync the directory. A reader sees the
 * old file or the new one, never a mix, even if the writer is killed half-way.
 *
 * @example
 * ```ts
 * await writeAtomic(join(dir, 'sessions', `${id}.json`), text, { tmpDir: join(dir, 'tmp'), tag: id, durable: true });
 * ```
 */
export async function writeAtomic(target: string, text: string, options: WriteAtomicOptions): Promise<void> {
  const suffix = hex(crypto.getRandomValues(new Uint8Array(6)));
  const tmp = join(options.tmpDir, `${options.tag}.${process.pid}.${suffix}`);
  const file = await open(tmp, 'wx', 0o600);
  try {
    try {
      await file.writeFile(text, 'utf8');
      if (options.durable) await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, target);
  } catch (err) {
    // A half-written temp file (ENOSPC mid-write) must not hold on to the space a full disk
    // needs back; the sweeper would only remove it after its grace period.
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  if (options.durable) {
    const dir = await open(dirname(target), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}

/** SHA-256 of the subject in hex: any string becomes a fixed-length, traversal-free file name. */
export async function subjectHash(subject: string): Promise<string> {
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(subject))));
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Whether `path` exists; any failure to stat it counts as no. */
export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Whether `path` was last modified before `cutoffMs` (real clock); a missing file is not. */
export async function olderThan(path: string, cutoffMs: number): Promise<boolean> {
  return stat(path).then(
    (s) => s.mtimeMs < cutoffMs,
    () => false,
  );
}
