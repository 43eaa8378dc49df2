/**
 * The app's data directory (`CACHET_DATA_DIR`, default `.data`): created with mode 0700, files
 * written with mode 0600 through a temporary file and a rename, so a crash mid-write leaves either
 * the old file or the new one, never half of one (rename(2) is atomic within a file system).
 * @module
 */
import { chmodSync, closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The data directory used when `CACHET_DATA_DIR` is unset. */
export const DEFAULT_DATA_DIR = '.data';

/**
 * Resolves the data directory from the environment.
 *
 * @example
 * ```ts
 * const dir = dataDirFromEnv(process.env); // '/srv/app/.data'
 * ```
 */
export function dataDirFromEnv(env: NodeJS.ProcessEnv): string {
  const value = env['CACHET_DATA_DIR'];
  return resolve(value !== undefined && value !== '' ? value : DEFAULT_DATA_DIR);
}

/**
 * Creates the directory (mode 0700) if needed and tightens its mode if it is looser. A directory
 * it creates gets a `.gitignore` of `*`: the default `.data` lands in the working directory,
 * which in an app that installed cachet is the project's root, and keys.json there holds the
 * cookie secrets that `git add .` would otherwise commit. A directory that already exists is the
 * operator's, and is left as it is.
 *
 * @example
 * ```ts
 * ensureDataDir('.data');
 * ```
 */
export function ensureDataDir(dir: string): void {
  const created = mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (created !== undefined) {
    try {
      writeFileSync(join(dir, '.gitignore'), '# made by cachet: keys.json holds secrets\n*\n', { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // another process wrote it first
    }
  }
  // mkdir's mode is masked by the umask and ignored for a directory that already exists.
  if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

let counter = 0;

/**
 * Throws the file system's own error (`EACCES`, `EROFS`, `ENOSPC`…) when no file can be made in
 * `dir`. Without `--redis` every logout writes to the revocation list here: a server started on a
 * directory it can read but not write (a read-only mount, another owner) served pages and
 * answered each logout with a 500, leaving the user signed in. Found at start instead, with the
 * start-up line that names the directory. The probe is named after the process, and removed.
 *
 * @example
 * ```ts
 * checkWritable('.data'); // throws EROFS on a read-only file system
 * ```
 */
export function checkWritable(dir: string): void {
  const probe = join(dir, `.write-check-${process.pid}`);
  writeFileSync(probe, '', { mode: 0o600 });
  rmSync(probe, { force: true });
}

/**
 * Writes a file atomically with mode 0600: temporary file in the same directory, fsync, rename.
 *
 * @example
 * ```ts
 * writeFileAtomic('.data/keys.json', JSON.stringify(file));
 * ```
 */
export function writeFileAtomic(path: string, text: string): void {
  const temp = `${path}.${process.pid}.${Date.now()}.${counter++}.tmp`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(temp, path);
}

/** Options for {@link withFileLock}. */
export interface FileLockOptions {
  /** How long to wait for another process to release the lock, in ms. Default 2000. */
  timeoutMs?: number;
  /** A lock older than this (ms) was left by a crashed process and is broken. Default 10000. */
  staleMs?: number;
}

// A 4-byte shared buffer lets Atomics.wait sleep the thread briefly without spinning the CPU.
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs `fn` while holding the lock file `<path>.lock`, so read-modify-write cycles of several
 * processes (cluster workers, a CLI next to the server) on one data file never lose an update:
 * without it, two processes changing users.json at the same moment could each rewrite it from
 * their own copy, and one change would be silently forgotten (the revocation log appends under
 * it, so that a compaction never drops a line appended meanwhile). The lock is an O_EXCL create; writes
 * are rare and short, so waiting is synchronous (a few ms at most in practice).
 *
 * @example
 * ```ts
 * withFileLock('.data/users.json', () => writeUsers(dir, [...readUsers(dir), user]));
 * ```
 */
export function withFileLock<T>(path: string, fn: () => T, options: FileLockOptions = {}): T {
  const lock = `${path}.lock`;
  const staleMs = options.staleMs ?? 10_000;
  const deadline = Date.now() + (options.timeoutMs ?? 2000);
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx', 0o600));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let age: number;
    try {
      age = Date.now() - statSync(lock).mtimeMs;
    } catch {
      continue; // released between our create and our stat: try again at once
    }
    if (age > staleMs) rmSync(lock, { force: true });
    else if (Date.now() > deadline) throw new Error(`${path} is locked by another process (${lock}); remove the lock file if no cachet process is running`);
    else Atomics.wait(pause, 0, 0, 2);
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Options for {@link readJsonFile}. */
export interface ReadJsonOptions {
  /**
   * The file holds secrets: refuse it when its mode gives group or others any access, as ssh
   * refuses a private key others can read. Default false. Ignored on Windows (no mode bits).
   */
  secret?: boolean;
}

/**
 * Reads and parses a JSON file, or returns `undefined` when it does not exist.
 * A file that exists but is not JSON throws, naming the file (an operator must look at it);
 * so does a `secret` file that group or others may access, with the `chmod` that fixes it.
 *
 * @example
 * ```ts
 * const users = readJsonFile('.data/users.json');
 * const keys = readJsonFile('.data/keys.json', { secret: true });
 * ```
 */
export function readJsonFile(path: string, options: ReadJsonOptions = {}): unknown {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let text: string;
  try {
    // The mode of the file actually opened (fstat), not of whatever the path names a moment later.
    const mode = fstatSync(fd).mode & 0o777;
    if (options.secret === true && process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new Error(
        `${path} has mode 0${mode.toString(8)}, so group or others can access it: a key others can read is refused, as ssh does. ` +
          `Fix it with: chmod 600 ${path} (and, if others could read it, rotate the keys)`,
      );
    }
    text = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`${path} is not valid JSON; fix or remove it`);
  }
}

/**
 * The path of a named file inside the data directory.
 *
 * @example
 * ```ts
 * dataFile(dir, 'users.json');
 * ```
 */
export function dataFile(dir: string, name: 'keys.json' | 'users.json' | 'revocations.json' | 'revocations.jsonl'): string {
  return join(dir, name);
}
