/**
 * The key file (`keys.json` in the data directory): the ordered list of cookie keys, primary first.
 *
 *     { "keys": [ { "id": "k2611a7f3", "secret": "<32 bytes, base64url>", "createdAt": "2026-11-26T01:02:03.000Z" }, ... ] }
 *
 * The primary (first) key seals new cookies; every key listed still opens the cookies it sealed.
 * Rotation puts a fresh key first and keeps the rest; retiring removes a key once the cookies it
 * sealed have expired or been re-issued. `CACHET_KEYS` in the environment overrides the file,
 * for deployments that keep secrets out of the file system.
 * @module
 */
import { dataFile, ensureDataDir, readJsonFile, writeFileAtomic } from './data-dir.js';
import { generateKey } from '../keys/generate.js';

/** One key as stored. */
export interface StoredKey {
  id: string;
  /** 32 random bytes, base64url. */
  secret: string;
  /** ISO time of creation (absent for keys that came from `CACHET_KEYS` without one). */
  createdAt?: string;
}

/** Where the keys came from. */
export type KeySource = 'file' | 'env';

/** The loaded key list. */
export interface LoadedKeys {
  keys: StoredKey[];
  source: KeySource;
  /** True when this call created the key file (first start). */
  created: boolean;
}

const ID_PATTERN = /^[A-Za-z0-9_-]{1,16}$/; // the keyring's KEY_ID_PATTERN
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43,}$/;

/**
 * Makes a fresh key: 32 random bytes from `crypto.getRandomValues`, and a short id made of the
 * date (for people reading `keys list`) and random characters (so two keys made the same day differ).
 *
 * @example
 * ```ts
 * const key = newStoredKey(new Date()); // { id: 'k261126a7f3', secret: '...', createdAt: '...' }
 * ```
 */
export function newStoredKey(now: Date = new Date()): StoredKey {
  const date = now.toISOString().slice(2, 10).replaceAll('-', '');
  const suffix = Buffer.from(crypto.getRandomValues(new Uint8Array(3))).toString('hex');
  return { ...generateKey(`k${date}${suffix}`), createdAt: now.toISOString() };
}

function checkKeys(value: unknown, origin: string): StoredKey[] {
  const list = Array.isArray(value) ? value : (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list) || list.length === 0) throw new Error(`${origin}: expected a non-empty "keys" list`);
  const seen = new Set<string>();
  return list.map((entry: unknown, index) => {
    const { id, secret, createdAt } = (entry ?? {}) as Record<string, unknown>;
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) throw new Error(`${origin}: key ${index} has an invalid id (1-16 of A-Z a-z 0-9 _ -)`);
    if (typeof secret !== 'string' || !SECRET_PATTERN.test(secret)) {
      throw new Error(`${origin}: key ${id} needs a base64url secret of at least 32 bytes`);
    }
    if (seen.has(id)) throw new Error(`${origin}: key id ${id} appears twice`);
    seen.add(id);
    return typeof createdAt === 'string' ? { id, secret, createdAt } : { id, secret };
  });
}

/**
 * Parses `CACHET_KEYS`: either the key file's JSON, or `id:secret` pairs separated by commas,
 * primary first.
 *
 * @example
 * ```ts
 * parseKeysEnv('k2:SECRET2,k1:SECRET1');
 * ```
 */
export function parseKeysEnv(text: string): StoredKey[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new Error('CACHET_KEYS: not valid JSON');
    }
    return checkKeys(parsed, 'CACHET_KEYS');
  }
  const pairs = trimmed.split(',').map((pair, index) => {
    const colon = pair.indexOf(':');
    // Without this check, indexOf's -1 made slice(0, -1) cut the last character off the id and
    // the error named a key that does not exist ("bad" reported as "ba").
    if (colon === -1) throw new Error(`CACHET_KEYS: entry ${index + 1} is not "id:secret"; the format is "id:secret,id:secret" (primary first) or the keys.json JSON`);
    return { id: pair.slice(0, colon).trim(), secret: pair.slice(colon + 1).trim() };
  });
  return checkKeys(pairs, 'CACHET_KEYS');
}

/**
 * Reads the key file of a data directory, or `undefined` if there is none. Throws, naming the
 * file, when it is malformed, or when group or others have any access to it (mode `& 077`), with
 * the `chmod 600` that fixes it: cachet writes it 0600, so a looser mode was set by someone else.
 *
 * @example
 * ```ts
 * const keys = readKeyFile('.data');
 * ```
 */
export function readKeyFile(dir: string): StoredKey[] | undefined {
  const path = dataFile(dir, 'keys.json');
  const value = readJsonFile(path, { secret: true });
  return value === undefined ? undefined : checkKeys(value, path);
}

/**
 * Writes the key file atomically with mode 0600.
 *
 * @example
 * ```ts
 * writeKeyFile('.data', [newStoredKey(), ...old]);
 * ```
 */
export function writeKeyFile(dir: string, keys: readonly StoredKey[]): void {
  ensureDataDir(dir);
  checkKeys(keys, 'keys');
  writeFileAtomic(dataFile(dir, 'keys.json'), `${JSON.stringify({ keys }, null, 2)}\n`);
}

/**
 * Loads the keys the server should use: `CACHET_KEYS` if set, else the key file, creating it with
 * one fresh key when it does not exist yet (zero-configuration first start).
 *
 * @example
 * ```ts
 * const { keys, created } = loadKeys('.data', process.env);
 * ```
 */
export function loadKeys(dir: string, env: NodeJS.ProcessEnv, now: Date = new Date()): LoadedKeys {
  const fromEnv = env['CACHET_KEYS'];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { keys: parseKeysEnv(fromEnv), source: 'env', created: false };
  const existing = readKeyFile(dir);
  if (existing !== undefined) return { keys: existing, source: 'file', created: false };
  const keys = [newStoredKey(now)];
  writeKeyFile(dir, keys);
  return { keys, source: 'file', created: true };
}

/**
 * Puts a fresh primary key first and keeps the others for opening existing cookies.
 *
 * @example
 * ```ts
 * writeKeyFile(dir, rotateKeys(readKeyFile(dir) ?? []));
 * ```
 */
export function rotateKeys(keys: readonly StoredKey[], now: Date = new Date()): StoredKey[] {
  let fresh = newStoredKey(now);
  while (keys.some((key) => key.id === fresh.id)) fresh = newStoredKey(now);
  return [fresh, ...keys];
}

/**
 * Removes a non-primary key. Retiring the primary is refused: rotate first, so that new cookies
 * never lose their key.
 *
 * @example
 * ```ts
 * writeKeyFile(dir, retireKey(keys, 'k251001c0ffee'));
 * ```
 */
export function retireKey(keys: readonly StoredKey[], id: string): StoredKey[] {
  const index = keys.findIndex((key) => key.id === id);
  if (index === -1) throw new Error(`no key with id ${id}`);
  if (index === 0) throw new Error(`${id} is the primary key; run "keys rotate" first, then retire it`);
  return keys.filter((key) => key.id !== id);
}
