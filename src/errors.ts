/**
 * The error model shared by every layer of the core (bytes, keys, codec, cookie, session).
 *
 * One class, `SessionError`, with a stable string `code` from a closed union and a `kind`:
 * - `usage`: the program is wrong (a short secret, a bad option). Thrown early, at construction.
 * - `decode`: the input is wrong (a tampered or expired cookie). Expected traffic: the session
 *   layer turns it into "no session", never into a 4xx or 5xx.
 * - `internal`: the platform failed (Web Crypto threw, a store is unreachable).
 *
 * Modelled on jose's `ERR_JWE_DECRYPTION_FAILED` codes and gorilla/securecookie's `IsDecode()`.
 * Every authentication failure shares one code and one message (`ERR_COOKIE_TAMPERED`), so a
 * response never tells an attacker which check failed. The precise reason goes to `detail`,
 * which is only for debug hooks and is never part of `message`.
 * @module
 */

/** What went wrong, in the caller's terms. */
export type ErrorKind = 'usage' | 'decode' | 'internal';

/** Codes for input that failed to decode: expected traffic, never a 500. */
export type DecodeErrorCode =
  | 'ERR_COOKIE_MALFORMED'
  | 'ERR_COOKIE_TAMPERED'
  | 'ERR_COOKIE_EXPIRED'
  | 'ERR_COOKIE_NOT_YET_VALID'
  | 'ERR_COOKIE_KEY_UNKNOWN'
  | 'ERR_COOKIE_VERSION'
  | 'ERR_COOKIE_TOO_LARGE'
  | 'ERR_SESSION_IDLE_TIMEOUT'
  | 'ERR_SESSION_ABSOLUTE_TIMEOUT'
  | 'ERR_SESSION_REVOKED'
  | 'ERR_SESSION_NOT_FOUND';

/** Codes for a program that used the API wrongly: thrown early, fix the code. */
export type UsageErrorCode =
  | 'ERR_KEY_ID_INVALID'
  | 'ERR_KEY_SECRET_INVALID'
  | 'ERR_KEY_SECRET_SHORT'
  | 'ERR_KEY_DUPLICATE'
  | 'ERR_KEYRING_EMPTY'
  | 'ERR_OPTIONS_INVALID'
  | 'ERR_OPTIONS_UNKNOWN'
  | 'ERR_COOKIE_NAME_INVALID'
  | 'ERR_COOKIE_VALUE_INVALID'
  | 'ERR_COOKIE_ATTRIBUTE_INVALID'
  | 'ERR_COOKIE_PREFIX'
  | 'ERR_COOKIE_TOO_LARGE'
  | 'ERR_DATA_INVALID'
  | 'ERR_SESSION_TOO_LARGE'
  | 'ERR_SESSION_DESTROYED';

/** Codes for failures of the platform underneath. */
export type InternalErrorCode = 'ERR_CRYPTO' | 'ERR_STORE_UNAVAILABLE' | 'ERR_STORE_CORRUPT';

/** Every code a `SessionError` can carry. `switch (err.code)` narrows over it. */
export type SessionErrorCode = DecodeErrorCode | UsageErrorCode | InternalErrorCode;

/** Options for {@link SessionError}. */
export interface SessionErrorOptions {
  /** The reason behind a uniform decode failure, for debug hooks only. Never shown to clients. */
  detail?: string;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * The one error class of cachet's core.
 *
 * @example
 * ```ts
 * try {
 *   await codec.decode('session', value);
 * } catch (err) {
 *   if (err instanceof SessionError && err.kind === 'decode') {
 *     // tampered, expired, unknown key...: start a fresh session
 *   } else throw err;
 * }
 * ```
 */
export class SessionError extends Error {
  override readonly name = 'SessionError';
  readonly code: SessionErrorCode;
  readonly kind: ErrorKind;
  /** Why a decode failed, precisely (for logs and debug hooks only; never in `message`). */
  readonly detail: string | undefined;

  constructor(code: SessionErrorCode, kind: ErrorKind, message: string, options: SessionErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.kind = kind;
    this.detail = options.detail;
  }

  /** True when `err` is a `SessionError` of kind `decode`: expected bad input, not a bug. */
  static isDecode(err: unknown): err is SessionError {
    return err instanceof SessionError && err.kind === 'decode';
  }
}

/**
 * Every key of an options type, each mapped to `true`: the valid keys of an options bag, written
 * so that the compiler fails when the interface gains or loses a key and the list does not.
 */
export type OptionKeys<T> = { readonly [K in keyof Required<T>]: true };

/** The valid key closest to `key` (a case slip or up to two typos), if any. */
function nearest(key: string, valid: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of valid) {
    const d = candidate.toLowerCase() === lower ? 0 : distance(lower, candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** Levenshtein distance, for the "did you mean" hint only: keys are short. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length]!;
}

/**
 * Throws `ERR_OPTIONS_UNKNOWN` (kind `usage`) when `options` has an own key that is not in
 * `valid`, naming the key, the closest valid one and all of them. TypeScript already refuses an
 * unknown key in an object literal; this catches what it cannot see: JavaScript callers, and
 * typos that travel through a spread, a cast or a config file. A misspelt `httpOnly` or
 * `sameSite` that is silently ignored is a cookie with weaker attributes than its author wrote.
 * Anything that is not a plain object is left to the caller's own checks.
 *
 * @example
 * ```ts
 * const KEYS: OptionKeys<{ limit?: number }> = { limit: true };
 * checkOptionKeys('RateLimiter', { limt: 5 }, KEYS);
 * // throws: RateLimiter: unknown option "limt" (did you mean "limit"?); valid options: limit
 * ```
 */
export function checkOptionKeys(where: string, options: unknown, valid: Readonly<Record<string, true>>): void {
  if (typeof options !== 'object' || options === null) return;
  for (const key of Object.keys(options)) {
    if (Object.hasOwn(valid, key)) continue;
    const names = Object.keys(valid);
    const hint = nearest(key, names);
    throw new SessionError(
      'ERR_OPTIONS_UNKNOWN',
      'usage',
      `${where}: unknown option ${JSON.stringify(key)}${hint === undefined ? '' : ` (did you mean ${JSON.stringify(hint)}?)`}; ` +
        `valid options: ${names.join(', ')}`,
    );
  }
}
