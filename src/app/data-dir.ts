/**
 * The app's data directory (`CACHET_DATA_DIR`, default `.data`): created with mode 0700, files
 * written with mode 0600 through a temporary file and a rename, so a crash mid-write leaves either
 * the old file or the new one, never half of one (rename(2) is atomic within a file system).
 * @module
 */
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
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
 * Creates the directory (mode 0700) if needed and tightens its mode if it is looser.
 *
 * @example
 * ```ts
 * ensureDataDir('.data');
 * ```
 */
export function ensureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode is masked by the umask and ignored for a directory that already exists.
  if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

let counter = 0;

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

/**
 * Reads and parses a JSON file, or returns `undefined` when it does not exist.
 * A file that exists but is not JSON throws, naming the file (an operator must look at it).
 *
 * @example
 * ```ts
 * const users = readJsonFile('.data/users.json');
 * ```
 */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
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
export function dataFile(dir: string, name: 'keys.json' | 'users.json' | 'revocations.json'): string {
  return join(dir, name);
}
