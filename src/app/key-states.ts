/**
 * The life of a cookie key, and the steps that move a key through it (issue #17).
 *
 * A key is **pending** (it opens cookies but never seals one), **primary** (it seals every new
 * cookie, and opens) or **old** (it was primary; it opens only). A staged rotation is
 * add (pending) → deploy everywhere → promote → wait the absolute timeout → retire. Each step is
 * safe while instances run different versions of the key file, because at every step each key
 * that any instance seals with is listed by every instance:
 *
 * - after `add`, the new file seals with the same key as the old one;
 * - `promote` is only run once every instance lists the pending key, so the old file already
 *   opens what the new primary seals, and the new file still opens the old primary;
 * - `retire` waits until every session the key sealed has passed the absolute timeout.
 *
 * In `keys.json` the primary carries `"state": "primary"`, a pending key `"state": "pending"`,
 * an old key no state. A file with no states at all means what it always did: first key primary.
 * This module is pure (no files): {@link ./key-file.ts} reads and writes them.
 * @module
 */
import { generateKey } from '../keys/generate.js';

/** A key's state as written in `keys.json` or `CACHET_KEYS`; no state means "opens only". */
export type StoredKeyState = 'primary' | 'pending';

/** A key's state as shown by `keys list` and `/healthz`. */
export type KeyState = 'primary' | 'pending' | 'old';

/** One key as stored. */
export interface StoredKey {
  id: string;
  /** 32 random bytes, base64url. */
  secret: string;
  /** ISO time of creation (absent for keys that came from `CACHET_KEYS` without one). */
  createdAt?: string;
  /** `primary` on the sealing key, `pending` on a key added and not yet promoted; absent otherwise. */
  state?: StoredKeyState;
  /** ISO time of the last `promote` (or `rotate`) that made this key primary. */
  promotedAt?: string;
}

/** What `keys list` and `/healthz` say about one key. Never the secret. */
export interface KeyStatus {
  id: string;
  state: KeyState;
  createdAt?: string;
  promotedAt?: string;
  /**
   * For an old key: when it stopped sealing (the next key's promotion) plus the absolute timeout,
   * after which no live session can still be sealed with it. Absent when the file does not say
   * when it stopped sealing (keys rotated before states existed).
   */
  safeToRetireAt?: Date;
}

/** Why a key step was refused; tests switch on the code. */
export type KeyStepCode =
  | 'ERR_KEY_UNKNOWN'
  | 'ERR_KEY_IS_PRIMARY'
  | 'ERR_KEY_PENDING_EXISTS'
  | 'ERR_KEY_RETIRE_TOO_EARLY';

/**
 * A refused `add`, `promote` or `retire`; the message says what to do instead.
 *
 * @example
 * ```ts
 * try {
 *   retireKey(keys, id, { absoluteTimeout: 86_400 });
 * } catch (err) {
 *   if (err instanceof KeyStepError && err.code === 'ERR_KEY_RETIRE_TOO_EARLY') console.error(err.message);
 * }
 * ```
 */
export class KeyStepError extends Error {
  constructor(readonly code: KeyStepCode, message: string) {
    super(message);
    this.name = 'KeyStepError';
  }
}

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

function freshKey(keys: readonly StoredKey[], now: Date): StoredKey {
  let fresh = newStoredKey(now);
  while (keys.some((key) => key.id === fresh.id)) fresh = newStoredKey(now);
  return fresh;
}

/**
 * The keys with the primary first and the others in their given order: the order the keyring
 * needs, since it seals with its first key. The primary is the key marked `primary`, else the
 * first key not marked `pending` (so a list without states keeps its meaning: first is primary).
 * Throws, naming `origin`, unless there is exactly one primary.
 *
 * @example
 * ```ts
 * primaryFirst([pending, primary], 'keys.json'); // [primary, pending]
 * ```
 */
export function primaryFirst(keys: readonly StoredKey[], origin: string): StoredKey[] {
  const marked = keys.filter((key) => key.state === 'primary');
  if (marked.length > 1) {
    throw new Error(`${origin}: keys ${marked.map((key) => key.id).join(' and ')} are marked "primary"; exactly one key may be`);
  }
  const primary = marked[0] ?? keys.find((key) => key.state !== 'pending');
  if (primary === undefined) throw new Error(`${origin}: every key is "pending", so none can seal cookies; mark one "primary"`);
  return [primary, ...keys.filter((key) => key !== primary)];
}

/** When `key` stopped sealing: the first promotion recorded after its own (see {@link KeyStatus}). */
function stoppedSealingAt(keys: readonly StoredKey[], key: StoredKey): number | undefined {
  const own = key.promotedAt === undefined ? -Infinity : Date.parse(key.promotedAt);
  let first: number | undefined;
  for (const other of keys) {
    if (other === key || other.promotedAt === undefined) continue;
    const at = Date.parse(other.promotedAt);
    // A key without promotedAt was primary before any recorded promotion (first start or an old
    // rotate), so the earliest recorded one is a time it had stopped sealing by: late, never early.
    if (at > own && (first === undefined || at < first)) first = at;
  }
  return first;
}

/**
 * Each key's id and state, primary first, with when an old key is safe to retire.
 *
 * @example
 * ```ts
 * keyStatuses(readKeyFile('.data')!, 86_400); // [{ id: 'k2…', state: 'primary', … }, { id: 'k1…', state: 'old', safeToRetireAt: … }]
 * ```
 */
export function keyStatuses(keys: readonly StoredKey[], absoluteTimeoutSeconds = 86_400): KeyStatus[] {
  const ordered = primaryFirst(keys, 'keys');
  return ordered.map((key, index) => {
    const state: KeyState = index === 0 ? 'primary' : key.state === 'pending' ? 'pending' : 'old';
    const status: KeyStatus = { id: key.id, state };
    if (key.createdAt !== undefined) status.createdAt = key.createdAt;
    if (key.promotedAt !== undefined) status.promotedAt = key.promotedAt;
    if (state === 'old') {
      const stopped = stoppedSealingAt(ordered, key);
      if (stopped !== undefined) status.safeToRetireAt = new Date(stopped + absoluteTimeoutSeconds * 1000);
    }
    return status;
  });
}

/** Drops `state` (an old key carries none) and keeps everything else, `promotedAt` included. */
function demoted(key: StoredKey): StoredKey {
  const { state: _state, ...rest } = key;
  return rest;
}

/**
 * Step 1 of a staged rotation: appends a fresh **pending** key, which every instance that loads the
 * file can open but none seals with. Only one pending key at a time: a second would make "promote
 * the pending key once every instance lists it" ambiguous, so it is refused.
 *
 * @example
 * ```ts
 * writeKeyFile(dir, addKey(readKeyFile(dir)!));
 * ```
 */
export function addKey(keys: readonly StoredKey[], now: Date = new Date()): StoredKey[] {
  const ordered = primaryFirst(keys, 'keys');
  const pending = ordered.find((key, index) => index > 0 && key.state === 'pending');
  if (pending !== undefined) {
    throw new KeyStepError('ERR_KEY_PENDING_EXISTS', `${pending.id} is already pending; promote it or retire it before adding another key`);
  }
  // The primary is marked too, so that a file from before states says which key seals once it has a pending key.
  const [primary, ...rest] = ordered as [StoredKey, ...StoredKey[]];
  return [{ ...primary, state: 'primary' }, ...rest, { ...freshKey(keys, now), state: 'pending' }];
}

/**
 * Step 2: makes a pending key the primary, stamping `promotedAt`; the former primary becomes old
 * (opens only). Promoting an old key is a rollback, allowed: every instance still lists it.
 *
 * @example
 * ```ts
 * writeKeyFile(dir, promoteKey(readKeyFile(dir)!, 'k261201bb00'));
 * ```
 */
export function promoteKey(keys: readonly StoredKey[], id: string, now: Date = new Date()): StoredKey[] {
  const ordered = primaryFirst(keys, 'keys');
  const target = ordered.find((key) => key.id === id);
  if (target === undefined) throw new KeyStepError('ERR_KEY_UNKNOWN', `no key with id ${id}`);
  const [primary] = ordered as [StoredKey];
  if (target === primary) throw new KeyStepError('ERR_KEY_IS_PRIMARY', `${id} is already the primary key`);
  const promoted: StoredKey = { ...target, state: 'primary', promotedAt: now.toISOString() };
  return [promoted, demoted(primary), ...ordered.slice(1).filter((key) => key !== target)];
}

/**
 * Puts a fresh primary first at once and keeps the others for opening existing cookies: the
 * one-machine rotation. On a fleet, instances that have not reloaded yet cannot open what the
 * fresh key seals, so a rolling restart logs users out; use add → promote → retire there.
 *
 * @example
 * ```ts
 * writeKeyFile(dir, rotateKeys(readKeyFile(dir) ?? []));
 * ```
 */
export function rotateKeys(keys: readonly StoredKey[], now: Date = new Date()): StoredKey[] {
  const fresh: StoredKey = { ...freshKey(keys, now), state: 'primary', promotedAt: now.toISOString() };
  if (keys.length === 0) return [fresh];
  const [primary, ...rest] = primaryFirst(keys, 'keys') as [StoredKey, ...StoredKey[]];
  return [fresh, demoted(primary), ...rest];
}

/** Options for {@link retireKey}. */
export interface RetireOptions {
  /** The current time. Default `new Date()`. */
  now?: Date;
  /** The server's session absolute timeout, seconds. Default 86400, as the server's. */
  absoluteTimeout?: number;
  /** Retire an old key before it is safe: sessions still sealed with it are logged out. Default false. */
  force?: boolean;
}

/**
 * Step 3: removes a key. The primary is refused (promote another key first). An old key is refused
 * until its safe time (see {@link KeyStatus.safeToRetireAt}) unless `force`; one whose safe time is
 * not recorded is removed, as before states existed. A pending key is removed at once: it never
 * sealed a cookie, so retiring it (an abandoned rollout) logs nobody out.
 *
 * @example
 * ```ts
 * writeKeyFile(dir, retireKey(keys, 'k251001c0ffee', { absoluteTimeout: 86_400 }));
 * ```
 */
export function retireKey(keys: readonly StoredKey[], id: string, options: RetireOptions = {}): StoredKey[] {
  const status = keyStatuses(keys, options.absoluteTimeout ?? 86_400).find((key) => key.id === id);
  if (status === undefined) throw new KeyStepError('ERR_KEY_UNKNOWN', `no key with id ${id}`);
  if (status.state === 'primary') {
    throw new KeyStepError('ERR_KEY_IS_PRIMARY', `${id} is the primary key; promote another key first (or rotate, on a single machine), then retire it`);
  }
  const safeAt = status.safeToRetireAt;
  const now = options.now ?? new Date();
  if (safeAt !== undefined && now < safeAt && options.force !== true) {
    throw new KeyStepError(
      'ERR_KEY_RETIRE_TOO_EARLY',
      `${id} is not safe to retire before ${safeAt.toISOString()}: sessions it sealed before the next key was promoted can live until then (the absolute timeout). ` +
        'Retiring it now logs those users out; wait, or pass --force to accept that.',
    );
  }
  return primaryFirst(keys, 'keys').filter((key) => key.id !== id);
}
