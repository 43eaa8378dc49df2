/**
 * `CookieStore`'s own options — mode, chunking, the verified-value cache — and their checks at
 * construction, apart from the options every store shares (store-options.ts). Its own file so
 * that `CookieStore` reads as load and commit.
 * @module
 */
import { SessionError, checkOptionKeys, type OptionKeys } from '../../errors.js';
import type { Keyring } from '../../keys/keyring.js';
import { splitCookieValue } from '../../cookie/chunk.js';
import { STORE_OPTION_KEYS, type SessionStoreOptions } from '../core/store-options.js';
import type { VerifiedCacheOptions } from '../core/verified-cache.js';

/** Options for {@link CookieStore}. */
export interface CookieStoreOptions extends SessionStoreOptions {
  /** The keys. The primary seals; any key opens. Swap it later with `store.keyring = next`. */
  keyring: Keyring;
  /** `'sealed'` (default): encrypted and authenticated. `'signed'`: readable by the client, tamper-proof. */
  mode?: 'sealed' | 'signed';
  /** Split a session over `name.0 … name.N-1` when it outgrows one cookie. Default off; `maxChunks` default 3. */
  chunking?: boolean | { maxChunks?: number };
  /** The verified-value cache. Default on (5000 entries); `false` to decode every request. */
  cache?: boolean | VerifiedCacheOptions;
}

/** What {@link cookieStoreSettings} resolved. */
export interface CookieStoreSettings {
  mode: 'sealed' | 'signed';
  /** `undefined` when chunking is off. */
  maxChunks: number | undefined;
  /** `undefined` when the cache is off. */
  cache: VerifiedCacheOptions | undefined;
}

const OPTION_KEYS: OptionKeys<CookieStoreOptions> = { ...STORE_OPTION_KEYS, keyring: true, mode: true, chunking: true, cache: true };

/**
 * Checks `CookieStore`'s own options and applies their defaults. Throws `ERR_OPTIONS_INVALID`
 * (kind `usage`) with a message that says how to fix it: at construction, never on a request.
 *
 * @example
 * ```ts
 * cookieStoreSettings({ keyring, chunking: true }); // { mode: 'sealed', maxChunks: 3, cache: {} }
 * ```
 */
export function cookieStoreSettings(options: CookieStoreOptions): CookieStoreSettings {
  if (typeof options !== 'object' || options === null || typeof options.keyring !== 'object' || options.keyring === null) {
    throw new SessionError('ERR_OPTIONS_INVALID', 'usage', 'CookieStore needs a keyring: new CookieStore({ keyring: await Keyring.create([generateKey()]) }).');
  }
  checkOptionKeys('CookieStore', options, OPTION_KEYS);
  const mode = options.mode ?? 'sealed';
  if (mode !== 'sealed' && mode !== 'signed') throw new SessionError('ERR_OPTIONS_INVALID', 'usage', `mode must be 'sealed' or 'signed' (got ${JSON.stringify(mode)}).`);
  const chunking = options.chunking ?? false;
  let maxChunks: number | undefined;
  if (chunking !== false) {
    if (chunking !== true) checkOptionKeys('CookieStore chunking', chunking, { maxChunks: true });
    maxChunks = chunking === true ? 3 : (chunking.maxChunks ?? 3);
    splitCookieValue('x', '', { maxChunks }); // validates maxChunks now, not on the first save
  }
  const cache = options.cache ?? true;
  return { mode, maxChunks, cache: cache === false ? undefined : cache === true ? {} : cache };
}
