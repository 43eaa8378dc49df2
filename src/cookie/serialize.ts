/**
 * `Set-Cookie` builder that refuses, loudly and early, anything a browser would drop or twist.
 *
 * A browser that dislikes a Set-Cookie says nothing: the cookie is simply not stored, and the
 * bug surfaces later as "the session does not stick". So every rule a browser applies to a
 * cookie is checked here and a violation throws a `SessionError` of kind `usage` whose message
 * says how to fix it. The references are to RFC 6265bis (draft-ietf-httpbis-rfc6265bis-15+).
 * @module
 */
import { SessionError, checkOptionKeys, type OptionKeys, type UsageErrorCode } from '../errors.js';
import { isAttributeValue, invalidCookieValueIndex, isCookieName } from './grammar.js';
import { MAX_ATTRIBUTE_BYTES, MAX_COOKIE_BYTES } from './size.js';

/**
 * The SameSite attribute (RFC 6265bis §4.1.2.7). Any case is accepted (`'lax'`, `'LAX'`), as
 * browsers do (§5.6.7 compares case-insensitively); it is sent as written here.
 */
export type SameSite = 'Strict' | 'Lax' | 'None';
/** Chrome's Priority attribute (not in the RFC; other browsers ignore it). Any case is accepted. */
export type CookiePriority = 'Low' | 'Medium' | 'High';

/** Attributes of a `Set-Cookie`. Nothing is sent unless it is set here; there are no hidden defaults. */
export interface CookieOptions {
  /** `Domain=`: send the cookie to this host and its subdomains. Omit it for a host-only cookie (safer). */
  domain?: string | undefined;
  /** `Path=`: must start with "/", without `<`, `>` or quotes. `__Host-` cookies need exactly "/". */
  path?: string | undefined;
  /** `Max-Age=` in whole seconds, ≥ 0. Values above 400 days are sent as 400 days, which is what browsers keep anyway. */
  maxAge?: number | undefined;
  /** `Expires=` as an IMF-fixdate. Browsers prefer Max-Age when both are present. */
  expires?: Date | undefined;
  /** `Secure`: only sent over HTTPS (and to http://localhost in current browsers). */
  secure?: boolean | undefined;
  /** `HttpOnly`: invisible to `document.cookie`. */
  httpOnly?: boolean | undefined;
  /** `SameSite=`, in any case (`'lax'` is sent as `Lax`). `None` requires `secure`. */
  sameSite?: SameSite | Lowercase<SameSite> | Uppercase<SameSite> | undefined;
  /** `Partitioned` (CHIPS): one cookie jar per top-level site. Requires `secure`. */
  partitioned?: boolean | undefined;
  /** `Priority=` (Chrome only), in any case (`'high'` is sent as `High`). */
  priority?: CookiePriority | Lowercase<CookiePriority> | Uppercase<CookiePriority> | undefined;
}

/** Attributes of a deletion: those of {@link CookieOptions} that decide *which* cookie is deleted. */
export type CookieDeletionOptions = Omit<CookieOptions, 'maxAge' | 'expires'>;

/**
 * The longest lifetime browsers keep: 400 days, in seconds. RFC 6265bis §5.5 (Cookie Lifetime
 * Limits) sets it; §5.6.1 (Expires) and §5.6.2 (Max-Age) make browsers reduce longer values to it.
 *
 * @example
 * ```ts
 * serializeCookie('remember', '1', { maxAge: 10 * 365 * 86400 }); // sent as Max-Age=34560000
 * ```
 */
export const MAX_COOKIE_AGE = 400 * 24 * 60 * 60;

const EPOCH = 'Thu, 01 Jan 1970 00:00:00 GMT';
const OPTION_KEYS: OptionKeys<CookieOptions> = {
  domain: true, path: true, maxAge: true, expires: true, secure: true, httpOnly: true, sameSite: true, partitioned: true, priority: true,
};
// Lower case → the spelling sent. Browsers match both attributes case-insensitively, so refusing
// 'strict' where 'Strict' works only punished a harmless difference.
const SAME_SITE: ReadonlyMap<string, SameSite> = new Map([['strict', 'Strict'], ['lax', 'Lax'], ['none', 'None']]);
const PRIORITY: ReadonlyMap<string, CookiePriority> = new Map([['low', 'Low'], ['medium', 'Medium'], ['high', 'High']]);
// Path is echoed into pages by frameworks and devtools, and no real path needs these: a request
// path carries them percent-encoded, so a Path with them raw would never match anyway.
const PATH_MARKUP = /[<>"']/;
// A DNS name as browsers accept it in Domain=: dot-separated labels of letters, digits, '-' and
// '_' (real hostnames use '_'), one optional leading dot (ignored by §5.6.3). IDNs must be given
// in punycode: a browser compares the attribute with the canonical (A-label) host.
const DOMAIN = /^\.?[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$/;

function fail(code: UsageErrorCode, message: string): never {
  throw new SessionError(code, 'usage', message);
}

function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !isCookieName(name)) {
    fail(
      'ERR_COOKIE_NAME_INVALID',
      `cookie name ${JSON.stringify(name)} is not an RFC 9110 token: use only letters, digits and !#$%&'*+-.^_\`|~ ` +
        `(no spaces, "=", ";", ",", quotes or non-ASCII)`,
    );
  }
}

// The value is never echoed in a message: it may be a secret.
function checkValue(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') fail('ERR_COOKIE_VALUE_INVALID', `cookie "${name}": value must be a string, got ${typeof value}`);
  const bad = invalidCookieValueIndex(value);
  if (bad !== -1) {
    fail(
      'ERR_COOKIE_VALUE_INVALID',
      `cookie "${name}": value has a forbidden character (code ${value.charCodeAt(bad)}) at index ${bad}; a cookie value is ` +
        `printable ASCII without space, '"', ',', ';' or '\\' (RFC 6265bis §4.1.1): encode it first, e.g. as base64url`,
    );
  }
  // Both are ASCII by now (the name was checked as a token first, the value as cookie-octets), so
  // the byte length is the length: no second pass over the value to count UTF-8 bytes.
  const size = name.length + value.length;
  if (size > MAX_COOKIE_BYTES) {
    fail(
      'ERR_COOKIE_TOO_LARGE',
      `cookie "${name}": name + value is ${size} bytes; browsers drop cookies over ${MAX_COOKIE_BYTES} bytes ` +
        `(RFC 6265bis §5.6): store less, or split the value with splitCookieValue()`,
    );
  }
}

/**
 * The canonical spelling of an enumerated attribute given in any case. A boolean gets its own
 * message: `sameSite: true` is another library's shorthand for Strict, and `false` for "none set",
 * which here would be the opposite of SameSite=None.
 */
function enumerated<T extends string>(name: string, option: string, value: unknown, table: ReadonlyMap<string, T>, booleans: string): T {
  const canonical = typeof value === 'string' ? table.get(value.toLowerCase()) : undefined;
  if (canonical !== undefined) return canonical;
  const valid = [...table.values()].map((v) => `'${v}'`).join(', ');
  fail(
    'ERR_COOKIE_ATTRIBUTE_INVALID',
    typeof value === 'boolean'
      ? `cookie "${name}": ${option} takes one of ${valid}, not ${String(value)}; ${booleans}`
      : `cookie "${name}": ${option} must be one of ${valid} (any case), got ${JSON.stringify(value)}`,
  );
}

function checkFlag(name: string, option: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') fail('ERR_COOKIE_ATTRIBUTE_INVALID', `cookie "${name}": ${option} must be true or false`);
  return value;
}

/**
 * Validates everything except the value and the lifetime, and returns the attributes in two
 * parts, each starting with "; ": where the cookie applies (Path, Domain) and its flags. The
 * callers put Max-Age and Expires between them: the usual order, easy to read in devtools.
 */
function attributes(name: string, options: CookieDeletionOptions): { scope: string; flags: string } {
  checkOptionKeys(`cookie "${name}"`, options, OPTION_KEYS);
  const { domain, path } = options;
  const secure = checkFlag(name, 'secure', options.secure);
  const httpOnly = checkFlag(name, 'httpOnly', options.httpOnly);
  const partitioned = checkFlag(name, 'partitioned', options.partitioned);
  let scope = '';
  let flags = '';

  if (path !== undefined) {
    // §5.6.4: a Path that is empty or does not start with "/" is replaced by the default path.
    // §5.6 trims trailing spaces from attribute values, so "/a " would silently become "/a".
    if (
      typeof path !== 'string' ||
      path.charCodeAt(0) !== 0x2f ||
      path.charCodeAt(path.length - 1) === 0x20 ||
      !isAttributeValue(path) ||
      PATH_MARKUP.test(path) ||
      path.length > MAX_ATTRIBUTE_BYTES
    ) {
      fail(
        'ERR_COOKIE_ATTRIBUTE_INVALID',
        `cookie "${name}": path ${JSON.stringify(path)} must start with "/", not end with a space, be at most ` +
          `${MAX_ATTRIBUTE_BYTES} bytes and contain no ";", "<", ">", quotes, control characters or non-ASCII (percent-encode them)`,
      );
    }
    scope += `; Path=${path}`;
  }
  if (domain !== undefined) {
    // §5.6: attribute values over 1024 octets are ignored; DNS names are at most 253 characters,
    // not counting the leading dot the attribute may carry.
    if (typeof domain !== 'string' || domain.length - (domain.charCodeAt(0) === 0x2e ? 1 : 0) > 253 || !DOMAIN.test(domain)) {
      fail(
        'ERR_COOKIE_ATTRIBUTE_INVALID',
        `cookie "${name}": domain ${JSON.stringify(domain)} is not a host name; give a name like "example.com" ` +
          `(punycode for non-ASCII names), or omit domain for a host-only cookie`,
      );
    }
    scope += `; Domain=${domain}`;
  }
  if (httpOnly) flags += '; HttpOnly';
  if (secure) flags += '; Secure';
  if (options.sameSite !== undefined) {
    const sameSite = enumerated(name, 'sameSite', options.sameSite, SAME_SITE, "for true write 'Strict'; for false leave sameSite out, and no attribute is sent");
    // §5.6.7 / §5.7 step: browsers refuse SameSite=None without Secure.
    if (sameSite === 'None' && !secure) {
      fail('ERR_COOKIE_ATTRIBUTE_INVALID', `cookie "${name}": sameSite 'None' requires secure: true (browsers drop it otherwise); or use 'Lax'`);
    }
    flags += `; SameSite=${sameSite}`;
  }
  if (partitioned) {
    // CHIPS: browsers ignore or refuse Partitioned without Secure.
    if (!secure) fail('ERR_COOKIE_ATTRIBUTE_INVALID', `cookie "${name}": partitioned requires secure: true`);
    flags += '; Partitioned';
  }
  if (options.priority !== undefined) {
    const priority = enumerated(name, 'priority', options.priority, PRIORITY, "for true write 'High'; for false leave priority out, and no attribute is sent");
    flags += `; Priority=${priority}`;
  }

  // §4.1.3 / §5.7: prefixes are matched case-insensitively by current browsers, so "__HOST-x"
  // gets the same rules; otherwise the check could be dodged by changing case.
  const head = name.slice(0, 9).toLowerCase();
  if (head.startsWith('__host-')) {
    if (!secure || path !== '/' || domain !== undefined) {
      fail(
        'ERR_COOKIE_PREFIX',
        `cookie "${name}": the __Host- prefix requires secure: true, path: '/' and no domain (RFC 6265bis §4.1.3.2); ` +
          `browsers drop it otherwise`,
      );
    }
  } else if (head === '__secure-' && !secure) {
    fail('ERR_COOKIE_PREFIX', `cookie "${name}": the __Secure- prefix requires secure: true (RFC 6265bis §4.1.3.1)`);
  }
  return { scope, flags };
}

/**
 * Builds a `Set-Cookie` header value.
 *
 * Throws a `SessionError` of kind `usage` when a browser would drop or alter the cookie:
 * `ERR_COOKIE_NAME_INVALID` (name not a token), `ERR_COOKIE_VALUE_INVALID` (not cookie-octets),
 * `ERR_COOKIE_TOO_LARGE` (name + value over 4096 bytes), `ERR_COOKIE_ATTRIBUTE_INVALID`
 * (bad Path, Domain, Max-Age, Expires, SameSite or Priority; SameSite=None or Partitioned
 * without Secure) and `ERR_COOKIE_PREFIX` (`__Host-` / `__Secure-` rules). The value is sent as
 * given: no encoding is applied, so what {@link parseCookies} reads back is exactly `value`.
 *
 * @example
 * ```ts
 * res.setHeader('Set-Cookie', serializeCookie('__Host-session', value, {
 *   path: '/', secure: true, httpOnly: true, sameSite: 'Lax', maxAge: 86400,
 * }));
 * // "__Host-session=...; Path=/; Max-Age=86400; HttpOnly; Secure; SameSite=Lax"
 * ```
 */
export function serializeCookie(name: string, value: string, options: CookieOptions = {}): string {
  checkName(name);
  checkValue(name, value);
  const { scope, flags } = attributes(name, options);
  return `${name}=${value}${scope}${maxAgePart(name, options.maxAge)}${expiresPart(name, options.expires)}${flags}`;
}

function maxAgePart(name: string, maxAge: number | undefined): string {
  if (maxAge === undefined) return '';
  if (typeof maxAge !== 'number' || !Number.isSafeInteger(maxAge) || maxAge < 0) {
    fail(
      'ERR_COOKIE_ATTRIBUTE_INVALID',
      `cookie "${name}": maxAge must be a whole number of seconds ≥ 0, got ${String(maxAge)}; use Math.floor(), ` +
        `or serializeCookieDeletion() to delete`,
    );
  }
  return `; Max-Age=${Math.min(maxAge, MAX_COOKIE_AGE)}`;
}

function expiresPart(name: string, expires: Date | undefined): string {
  if (expires === undefined) return '';
  // An IMF-fixdate has a four-digit year; §5.1.1 makes browsers ignore years before 1601.
  const year = expires instanceof Date ? expires.getUTCFullYear() : Number.NaN;
  if (!(year >= 1601 && year <= 9999)) {
    fail('ERR_COOKIE_ATTRIBUTE_INVALID', `cookie "${name}": expires must be a valid Date between the years 1601 and 9999`);
  }
  return `; Expires=${expires.toUTCString()}`;
}

/**
 * Builds `Set-Cookie` values for one name and one set of attributes, checked once: each call
 * then checks only what changes, the value and the `maxAge` given (default: the options' own).
 * The output is exactly `serializeCookie(name, value, { ...options, maxAge })`, with the same
 * errors. For a cookie written on many responses, such as a session's: serializeCookie checks
 * the name, Path, Domain, SameSite and prefix rules on every call, measured 0.93 µs per call on
 * Node 20 for a 300-byte session cookie, against 0.50 µs for a prepared one.
 *
 * @example
 * ```ts
 * const sessionCookie = prepareCookie('__Host-session', { path: '/', secure: true, httpOnly: true, sameSite: 'Lax' });
 * sessionCookie(value, 1800); // "__Host-session=...; Path=/; Max-Age=1800; HttpOnly; Secure; SameSite=Lax"
 * ```
 */
export function prepareCookie(name: string, options: CookieOptions = {}): (value: string, maxAge?: number) => string {
  checkName(name);
  const { scope, flags } = attributes(name, options);
  maxAgePart(name, options.maxAge); // a bad default fails here, not on the first call
  const expires = expiresPart(name, options.expires);
  const fixed = options.maxAge;
  return (value, maxAge = fixed) => {
    checkValue(name, value);
    return `${name}=${value}${scope}${maxAgePart(name, maxAge)}${expires}${flags}`;
  };
}

/**
 * Builds a `Set-Cookie` that deletes a cookie: an empty value, `Max-Age=0` and an `Expires` in
 * 1970 (for old clients that ignore Max-Age), plus the Path, Domain, Secure, SameSite and
 * Partitioned attributes. A browser only deletes the cookie whose name, Path and Domain match,
 * and refuses the deletion of a `__Host-`/`__Secure-` cookie that lacks the prefix's attributes,
 * so pass the options the cookie was set with. `maxAge` and `expires` in them are ignored, so the
 * same options object serves both calls.
 *
 * @example
 * ```ts
 * const options = { path: '/', secure: true, httpOnly: true, sameSite: 'Lax' } as const;
 * serializeCookieDeletion('__Host-session', options);
 * // "__Host-session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax"
 * ```
 */
export function serializeCookieDeletion(name: string, options: CookieDeletionOptions = {}): string {
  checkName(name);
  const { scope, flags } = attributes(name, options);
  return `${name}=${scope}; Max-Age=0; Expires=${EPOCH}${flags}`;
}
