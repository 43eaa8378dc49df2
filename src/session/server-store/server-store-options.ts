/**
 * Options and result types shared by the server-side stores, and their validation.
 * @module
 */
import { SessionError, checkOptionKeys, type OptionKeys } from '../../errors.js';
import type { Keyring } from '../../keys/keyring.js';
import { type ResolvedStoreOptions, type SessionStoreOptions, STORE_OPTION_KEYS, resolveStoreOptions } from '../core/store-options.js';
import type { VerifiedCacheOptions } from '../core/verified-cache.js';

/** Options every server-side store takes: those of `CookieStore` plus the keyring and a few more. */
export interface ServerStoreOptions extends SessionStoreOptions {
  /** Signs the session-id cookie (the codec's `signed` mode). The first key signs; any key verifies. */
  keyring: Keyring;
  /**
   * Remembers cookie values whose signature was verified, so a repeated cookie skips the HMAC
   * (a Web Crypto round trip). Expiry is still checked on every hit and the record is still read.
   * Default on, 5000 entries; `false` turns it off.
   */
  cache?: boolean | VerifiedCacheOptions;
  /**
   * Receives storage trouble that does not fail a request: a corrupt record (treated as absent),
   * a failed background sweep. Default: one `console.warn` line.
   */
  onStoreError?: (err: SessionError) => void;
  /**
   * Largest session a record may hold: its values as UTF-8 JSON, in bytes. A `save()` past it
   * throws `ERR_SESSION_TOO_LARGE` (`SessionTooLargeError`) and writes nothing, as a cookie past
   * 4096 bytes does in `CookieStore`. Default 65 536 (64 KiB); `Infinity` turns the check off.
   */
  maxDataBytes?: number;
}

/** Default {@link ServerStoreOptions.maxDataBytes}: 64 KiB of values per session. */
export const DEFAULT_MAX_DATA_BYTES = 65_536;

/** One entry of `store.list()`: what a "your active sessions" page shows. */
export interface SessionInfo {
  /** The session id. Safe to show: a cookie for it cannot be made without the keyring. */
  id: string;
  subject: string;
  /** Creation time (ms since the epoch): the login, or the last `regenerate()`. */
  createdAt: number;
  /** Last write (ms since the epoch): accurate to the renewal interval (`renewAfter` × `idleTimeout`). */
  lastSeenAt: number;
  /** When the session will time out unless it is used again (ms since the epoch). */
  expiresAt: number;
  userAgent: string | undefined;
  ip: string | undefined;
  /** True for the session whose id was passed as `current`. */
  current: boolean;
}

/** Throws `ERR_OPTIONS_INVALID` with `message` unless `ok`. */
export function checkOption(ok: boolean, message: string): void {
  if (!ok) throw new SessionError('ERR_OPTIONS_INVALID', 'usage', message);
}

/** Validates what every server-side store needs and applies the shared defaults. */
export function resolveServerStoreOptions<O extends ServerStoreOptions>(
  options: O,
  store: string,
  own: OptionKeys<Omit<O, keyof ServerStoreOptions>>,
): ResolvedStoreOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('A server-side store needs an options object with a keyring.');
  checkOptionKeys(store, options, { ...STORE_OPTION_KEYS, keyring: true, cache: true, onStoreError: true, maxDataBytes: true, ...own });
  checkOption(typeof options.keyring === 'object' && options.keyring !== null, 'keyring is required: it signs the session-id cookie (see Keyring.create).');
  const max = options.maxDataBytes;
  checkOption(max === undefined || max === Infinity || (Number.isSafeInteger(max) && max >= 1), `maxDataBytes must be a positive whole number of bytes, or Infinity (got ${String(max)}).`);
  return resolveStoreOptions(options);
}

/** Default `onStoreError`: one line on stderr, without the stack. */
export function warnStoreError(err: SessionError): void {
  console.warn(`cachet: ${err.message} [${err.code}]${err.detail === undefined ? '' : ` (${err.detail})`}`);
}
