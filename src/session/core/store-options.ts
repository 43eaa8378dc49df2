/**
 * Options every store shares (cookie attributes, timeouts, renewal, clock, hooks), their defaults,
 * their validation, and the timeout arithmetic. `CookieStore` and the server-side stores resolve
 * their options here so that they behave identically.
 *
 * Invalid combinations throw at construction (`ERR_OPTIONS_INVALID`, kind `usage`) with a message
 * that says how to fix them: a browser silently drops a `__Host-` cookie without `Secure`, which
 * would otherwise show up as "my session never sticks".
 * @module
 */
import { SessionError, checkOptionKeys, type DecodeErrorCode, type OptionKeys } from '../../errors.js';
import { prepareCookie } from '../../cookie/serialize.js';
import type { SessionCookieAttributes } from './types.js';

/** Cookie attributes of a store. Defaults are the safe ones; loosen them only on purpose. */
export interface SessionCookieOptions {
  /** Prefix added to the session name. `'__Host-'` (default) pins the cookie to this host, `Path=/` and `Secure`. */
  prefix?: '__Host-' | '__Secure-' | '';
  /** Default `'/'` (required with `__Host-`). */
  path?: string;
  /** Default none (host-only). Not allowed with `__Host-`. */
  domain?: string;
  /** Default `true`. Set `false` (with `prefix: ''`) only for development over `http://localhost`. */
  secure?: boolean;
  /** Default `true`: scripts cannot read the session cookie. */
  httpOnly?: boolean;
  /** Default `'Lax'`. `'None'` requires `secure`. */
  sameSite?: 'Strict' | 'Lax' | 'None';
  /** CHIPS partitioned cookie. Default `false`; requires `secure`. */
  partitioned?: boolean;
  /**
   * `Max-Age` in seconds. Default: the time left before the session would time out (idle or
   * absolute, whichever is first), refreshed on each write. `'session'`: no `Max-Age`, so the
   * browser drops the cookie when it closes.
   */
  maxAge?: number | 'session';
}

/** What a revocation hook sees of a session. */
export interface RevocationInfo {
  /** The session id. */
  id: string;
  /** The subject (user id), if the session has one. */
  subject: string | undefined;
  /** Creation time, ms since the epoch. */
  createdAt: number;
}

/** Options shared by every store. */
export interface SessionStoreOptions {
  /** Cookie attributes. See {@link SessionCookieOptions} for the defaults. */
  cookie?: SessionCookieOptions;
  /** Idle timeout in seconds (sliding: each renewal moves it). Default 86 400 (1 day). */
  idleTimeout?: number;
  /** Absolute timeout in seconds, counted from creation; re-saving never extends it. Default 604 800 (7 days). */
  absoluteTimeout?: number;
  /**
   * An unchanged session is re-written (to slide its idle timeout) at most once per this fraction
   * of `idleTimeout`. Default 0.1: with a 1-day idle timeout, at most one renewal every 2.4 hours,
   * so a session times out after between 0.9 and 1 day of inactivity.
   */
  renewAfter?: number;
  /** The clock, ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /** Called with the reason when a cookie is rejected (tampered, expired, revoked...). For logs and metrics. */
  onDecodeError?: (code: DecodeErrorCode, detail: string | undefined) => void;
  /** Stateless revocation: return true to reject this session (checked on every request). */
  isRevoked?: (info: RevocationInfo) => boolean | Promise<boolean>;
  /**
   * Stateless revocation per subject: sessions of `subject` created before the returned time
   * (ms since the epoch) are rejected. "Log out everywhere" = store `Date.now()` for the user.
   */
  notValidBefore?: (subject: string) => number | undefined | Promise<number | undefined>;
}

/** {@link SessionStoreOptions} with defaults applied and checked. */
export interface ResolvedStoreOptions {
  prefix: string;
  attributes: SessionCookieAttributes;
  maxAge: number | 'session' | undefined;
  idleTimeout: number;
  absoluteTimeout: number;
  renewAfter: number;
  now: () => number;
  onDecodeError: ((code: DecodeErrorCode, detail: string | undefined) => void) | undefined;
  isRevoked: ((info: RevocationInfo) => boolean | Promise<boolean>) | undefined;
  notValidBefore: ((subject: string) => number | undefined | Promise<number | undefined>) | undefined;
}

/** The keys every store accepts; each store adds its own (see `checkOptionKeys`). */
export const STORE_OPTION_KEYS: OptionKeys<SessionStoreOptions> = {
  cookie: true, idleTimeout: true, absoluteTimeout: true, renewAfter: true, now: true, onDecodeError: true, isRevoked: true, notValidBefore: true,
};
const COOKIE_OPTION_KEYS: OptionKeys<SessionCookieOptions> = {
  prefix: true, path: true, domain: true, secure: true, httpOnly: true, sameSite: true, partitioned: true, maxAge: true,
};

function invalid(message: string): SessionError {
  return new SessionError('ERR_OPTIONS_INVALID', 'usage', message);
}

// RFC 6265bis §5.5: browsers keep a cookie at most 400 days, so a longer timeout is a promise
// the cookie cannot keep (and the codec refuses lifetimes beyond it).
const MAX_TIMEOUT = 400 * 86_400;

/** A refused option value as the message shows it: a string in quotes, so `'1800'` does not read as 1800. */
function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function positiveSeconds(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0 || value > MAX_TIMEOUT) {
    throw invalid(`${name} must be a whole number of seconds from 1 to ${MAX_TIMEOUT} (400 days) (got ${shown(value)}).`);
  }
  return value;
}

/**
 * Applies defaults and rejects combinations a browser would silently refuse.
 *
 * @example
 * ```ts
 * resolveStoreOptions({ cookie: { prefix: '', secure: false } }); // development over http://localhost
 * resolveStoreOptions({ cookie: { secure: false } }); // throws: __Host- needs Secure
 * ```
 */
export function resolveStoreOptions(options: SessionStoreOptions): ResolvedStoreOptions {
  const cookie = options.cookie ?? {};
  checkOptionKeys('store option cookie', cookie, COOKIE_OPTION_KEYS);
  const prefix = cookie.prefix ?? '__Host-';
  if (prefix !== '__Host-' && prefix !== '__Secure-' && prefix !== '') {
    throw invalid(`cookie.prefix must be '__Host-', '__Secure-' or '' (got ${JSON.stringify(prefix)}).`);
  }
  const secure = cookie.secure ?? true;
  const path = cookie.path ?? '/';
  const sameSite = cookie.sameSite ?? 'Lax';
  if (!secure && prefix !== '') {
    throw invalid(
      `cookie.secure: false cannot be combined with the ${prefix} prefix (browsers drop such cookies). ` +
        `For development over http://localhost use cookie: { prefix: '', secure: false }.`,
    );
  }
  if (prefix === '__Host-' && cookie.domain !== undefined) {
    throw invalid(`cookie.domain cannot be used with the __Host- prefix (it pins the cookie to one host). Use prefix: '__Secure-' to share it across subdomains.`);
  }
  if (prefix === '__Host-' && path !== '/') {
    throw invalid(`cookie.path must be '/' with the __Host- prefix (got ${JSON.stringify(path)}). Use prefix: '__Secure-' for a narrower path.`);
  }
  if (sameSite === 'None' && !secure) throw invalid(`cookie.sameSite: 'None' requires secure: true (browsers reject it otherwise).`);
  if (cookie.partitioned === true && !secure) throw invalid(`cookie.partitioned requires secure: true.`);
  if (!path.startsWith('/')) throw invalid(`cookie.path must start with '/' (got ${JSON.stringify(path)}).`);
  const maxAge = cookie.maxAge;
  if (maxAge !== undefined && maxAge !== 'session' && (!Number.isInteger(maxAge) || maxAge <= 0)) {
    throw invalid(`cookie.maxAge must be a positive whole number of seconds or 'session' (got ${shown(maxAge)}). To delete a session use session.destroy().`);
  }
  const idleTimeout = positiveSeconds('idleTimeout', options.idleTimeout, 86_400);
  const absoluteTimeout = positiveSeconds('absoluteTimeout', options.absoluteTimeout, 604_800);
  const renewAfter = options.renewAfter ?? 0.1;
  if (typeof renewAfter !== 'number' || !(renewAfter >= 0 && renewAfter <= 1)) throw invalid(`renewAfter is a fraction of idleTimeout between 0 and 1 (got ${shown(renewAfter)}).`);

  for (const hook of ['now', 'onDecodeError', 'isRevoked', 'notValidBefore'] as const) {
    // Else the first request that reaches the hook fails with "is not a function": a 500.
    if (options[hook] !== undefined && typeof options[hook] !== 'function') throw invalid(`${hook} must be a function (got ${typeof options[hook]}).`);
  }

  const attributes: SessionCookieAttributes = { path, secure, httpOnly: cookie.httpOnly ?? true, sameSite };
  if (cookie.domain !== undefined) attributes.domain = cookie.domain;
  if (cookie.partitioned !== undefined && cookie.partitioned !== false) attributes.partitioned = cookie.partitioned;
  // Every write builds its Set-Cookie from these attributes, and the serializer refuses what a
  // browser would drop or misread (a ";" in the path, a domain that is no host name, secure: 'no').
  // Built once here, so such a value stops the construction instead of failing every request that
  // writes or deletes the cookie with a 500 (a bad cookie included).
  try {
    prepareCookie(`${prefix}session`, attributes);
  } catch (err) {
    if (err instanceof SessionError) throw invalid(`cookie: ${err.message.replace(/^cookie "[^"]*": /, '')}`);
    throw err;
  }
  return {
    prefix,
    attributes,
    maxAge,
    idleTimeout,
    absoluteTimeout,
    renewAfter,
    now: options.now ?? Date.now,
    onDecodeError: options.onDecodeError,
    isRevoked: options.isRevoked,
    notValidBefore: options.notValidBefore,
  };
}

/**
 * True for the decode failures a store answers with a fresh session but without deleting the
 * cookie: the value's own times refused it (expired, or issued in the future beyond the clock
 * skew). Such values come without any attack: a browser whose clock is behind still sends a
 * cookie the server finds expired, a `maxAge: 'session'` cookie outlives its value, an instance
 * of a fleet whose clock runs ahead issues values another finds too new. And a deletion decided
 * from an old value may delete the newer cookie the browser got meanwhile (a login in another
 * tab), as with a refused session. Every other failure (tampered, truncated, unknown key, another
 * cookie's value, malformed) comes from no race, and its cookie is deleted.
 *
 * @example
 * ```ts
 * keepsCookie('ERR_COOKIE_EXPIRED'); // true: a fresh session, the cookie left in place
 * keepsCookie('ERR_COOKIE_TAMPERED'); // false: a fresh session, the cookie deleted
 * ```
 */
export function keepsCookie(code: DecodeErrorCode): boolean {
  return code === 'ERR_COOKIE_EXPIRED' || code === 'ERR_COOKIE_NOT_YET_VALID';
}

/**
 * Why a session loaded at `nowS` is no longer valid, or `undefined` if it is. Times in seconds,
 * except the creation time (ms, as in the record).
 * `lastActiveS` is when the session was last written (the idle timeout slides from there).
 *
 * @example
 * ```ts
 * timeoutReason(options, session.createdAt, lastWrittenS, Math.floor(now() / 1000)); // 'ERR_SESSION_IDLE_TIMEOUT' | ...
 * ```
 */
export function timeoutReason(options: ResolvedStoreOptions, createdMs: number, lastActiveS: number, nowS: number): DecodeErrorCode | undefined {
  if (nowS >= createdMs / 1000 + options.absoluteTimeout) return 'ERR_SESSION_ABSOLUTE_TIMEOUT';
  if (nowS >= lastActiveS + options.idleTimeout) return 'ERR_SESSION_IDLE_TIMEOUT';
  return undefined;
}

/** True when an unchanged session last written at `lastActiveS` is due for a renewal. */
export function renewalDue(options: ResolvedStoreOptions, lastActiveS: number, nowS: number): boolean {
  return nowS - lastActiveS >= options.idleTimeout * options.renewAfter;
}

/** Whole seconds a session (created at `createdMs`) written at `nowS` stays valid: until its idle or absolute timeout, whichever is first (≥ 1). */
export function lifetime(options: ResolvedStoreOptions, createdMs: number, nowS: number): number {
  return Math.max(1, Math.floor(Math.min(options.idleTimeout, createdMs / 1000 + options.absoluteTimeout - nowS)));
}

/**
 * The attributes of a session cookie being written: the store's, plus `Max-Age` (the session's
 * `lifetime`, or the configured `cookie.maxAge`; none for a browser-session cookie).
 * One object literal with every field: `{ ...attributes, maxAge }` measured 6.5 µs per
 * Set-Cookie on Node 20 against 2.4 µs for this, serialization included (a clone with a property
 * added to it becomes a slow-mode object that every read of it then pays for).
 */
export function writeAttributes(options: ResolvedStoreOptions, lifetimeS: number): SessionCookieAttributes {
  const a = options.attributes;
  const maxAge = options.maxAge === 'session' ? undefined : (options.maxAge ?? lifetimeS);
  return { path: a.path, domain: a.domain, secure: a.secure, httpOnly: a.httpOnly, sameSite: a.sameSite, partitioned: a.partitioned, priority: a.priority, maxAge };
}

const REVOKED = 'ERR_SESSION_REVOKED';

/**
 * Applies the revocation hooks: `'ERR_SESSION_REVOKED'` when either rejects the session, else
 * undefined. The answer is a plain value when the hooks answer synchronously (an in-memory list,
 * as the reference app keeps), so a store's cached read can build the session in the same turn,
 * with no async frame and no microtask; it is a promise only when a hook returned one. A caller
 * that gets a promise has an await ahead of it, and must check after it what may have changed
 * meanwhile (the cookie store checks its keyring).
 *
 * @example
 * ```ts
 * const verdict = revocationVerdict(options, { id, subject, createdAt });
 * const reason = typeof verdict === 'object' ? await verdict : verdict;
 * ```
 */
export function revocationVerdict(options: ResolvedStoreOptions, info: RevocationInfo): DecodeErrorCode | undefined | Promise<DecodeErrorCode | undefined> {
  if (options.isRevoked !== undefined) {
    const revoked = options.isRevoked(info);
    if (revoked === true) return REVOKED;
    if (typeof revoked === 'object' && revoked !== null) return Promise.resolve(revoked).then((yes) => (yes ? REVOKED : subjectVerdict(options, info)));
  }
  return subjectVerdict(options, info);
}

function subjectVerdict(options: ResolvedStoreOptions, info: RevocationInfo): DecodeErrorCode | undefined | Promise<DecodeErrorCode | undefined> {
  if (options.notValidBefore === undefined || info.subject === undefined) return undefined;
  const before = options.notValidBefore(info.subject);
  if (typeof before === 'object' && before !== null) return Promise.resolve(before).then((at) => createdBefore(at, info.createdAt));
  return createdBefore(before, info.createdAt);
}

const createdBefore = (before: number | undefined, createdAt: number): DecodeErrorCode | undefined =>
  before !== undefined && createdAt < before ? REVOKED : undefined;

/**
 * {@link revocationVerdict}, always as a promise: for a store whose read awaits anyway.
 *
 * @example
 * ```ts
 * if ((await revocationReason(options, { id, subject, createdAt })) !== undefined) return fresh();
 * ```
 */
export async function revocationReason(options: ResolvedStoreOptions, info: RevocationInfo): Promise<DecodeErrorCode | undefined> {
  return revocationVerdict(options, info);
}
