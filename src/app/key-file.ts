/**
 * The key file (`keys.json` in the data directory) and `CACHET_KEYS`: where the cookie keys live.
 *
 *     { "keys": [ { "id": "k2611a7f3", "secret": "<32 bytes, base64url>", "createdAt": "2026-11-26T01:02:03.000Z",
 *                   "state": "primary", "promotedAt": "2026-11-27T09:00:00.000Z" }, ... ] }
 *
 * What the states mean and how a key moves between them is in {@link ./key-states.ts}. Keys are
 * written primary first, so that a cachet from before key states (which seals with the first key
 * and ignores `state`) reads the same file the same way. `CACHET_KEYS` in the environment
 * overrides the file, for deployments that keep secrets out of the file system.
 * @module
 */
import { dataFile, ensureDataDir, readJsonFile, writeFileAtomic } from './data-dir.js';
import { newStoredKey, primaryFirst, type StoredKey, type StoredKeyState } from './key-states.js';

export { newStoredKey, retireKey, rotateKeys, type StoredKey } from './key-states.js';

/** Where the keys came from. */
export type KeySource = 'file' | 'env';

/** The loaded key list, primary first. */
export interface LoadedKeys {
  keys: StoredKey[];
  source: KeySource;
  /** True when this call created the key file (first start). */
  created: boolean;
}

const ID_PATTERN = /^[A-Za-z0-9_-]{1,16}$/; // the keyring's KEY_ID_PATTERN
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43,}$/;
// An ISO time as toISOString writes it; promotedAt decides when a key may be retired, so a value
// Date.parse would read some other way (or not at all) is refused rather than guessed at.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const STATES: readonly StoredKeyState[] = ['primary', 'pending'];

function checkKeys(value: unknown, origin: string): StoredKey[] {
  const list = Array.isArray(value) ? value : (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list) || list.length === 0) throw new Error(`${origin}: expected a non-empty "keys" list`);
  const seen = new Set<string>();
  const keys = list.map((entry: unknown, index): StoredKey => {
    const { id, secret, createdAt, state, promotedAt } = (entry ?? {}) as Record<string, unknown>;
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) throw new Error(`${origin}: key ${index} has an invalid id (1-16 of A-Z a-z 0-9 _ -)`);
    if (typeof secret !== 'string' || !SECRET_PATTERN.test(secret)) {
      throw new Error(`${origin}: key ${id} needs a base64url secret of at least 32 bytes`);
    }
    if (seen.has(id)) throw new Error(`${origin}: key id ${id} appears twice`);
    seen.add(id);
    if (state !== undefined && !STATES.includes(state as StoredKeyState)) {
      throw new Error(`${origin}: key ${id} has state ${JSON.stringify(state)}; a state is "primary" or "pending", and a key that only opens cookies has none`);
    }
    if (promotedAt !== undefined && (typeof promotedAt !== 'string' || !ISO_TIME.test(promotedAt) || Number.isNaN(Date.parse(promotedAt)))) {
      throw new Error(`${origin}: key ${id} has a promotedAt that is not an ISO time such as 2026-11-26T01:02:03.000Z`);
    }
    return {
      id,
      secret,
      ...(typeof createdAt === 'string' ? { createdAt } : {}),
      ...(state === undefined ? {} : { state: state as StoredKeyState }),
      ...(promotedAt === undefined ? {} : { promotedAt: promotedAt as string }),
    };
  });
  return primaryFirst(keys, origin);
}

/**
 * Parses `CACHET_KEYS`: either the key file's JSON (with the same `state` fields), or
 * `id:secret[:state]` entries separated by commas. The state is `pending` or `primary`; without
 * one marked `primary`, the first entry not marked `pending` is the primary.
 *
 * @example
 * ```ts
 * parseKeysEnv('k2:SECRET2,k1:SECRET1');            // k2 primary, k1 opens only
 * parseKeysEnv('k2:SECRET2,k3:SECRET3:pending');    // k2 primary, k3 pending
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
  const entries = trimmed.split(',').map((entry, index) => {
    // Ids and base64url secrets never contain ":", so the fields split without ambiguity.
    const [id, secret, state, ...extra] = entry.split(':').map((field) => field.trim());
    if (secret === undefined || extra.length > 0) {
      throw new Error(`CACHET_KEYS: entry ${index + 1} is not "id:secret" or "id:secret:state"; the format is "id:secret,id:secret" (primary first; a third field ":pending" or ":primary" sets a state) or the keys.json JSON`);
    }
    return state === undefined ? { id, secret } : { id, secret, state };
  });
  return checkKeys(entries, 'CACHET_KEYS');
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
 * Writes the key file atomically with mode 0600, primary first (see the module comment).
 *
 * @example
 * ```ts
 * writeKeyFile('.data', [newStoredKey(), ...old]);
 * ```
 */
export function writeKeyFile(dir: string, keys: readonly StoredKey[]): void {
  ensureDataDir(dir);
  const ordered = checkKeys(keys, 'keys');
  writeFileAtomic(dataFile(dir, 'keys.json'), `${JSON.stringify({ keys: ordered }, null, 2)}\n`);
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
  const keys: StoredKey[] = [{ ...newStoredKey(now), state: 'primary' }];
  writeKeyFile(dir, keys);
  return { keys, source: 'file', created: true };
}
