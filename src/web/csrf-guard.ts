/**
 * The CSRF check, once, for every server: cachet's own `csrf()` middleware and each framework
 * adapter wrap this guard (docs/sessions.md, "CSRF").
 *
 * Two independent checks on every unsafe request (anything but GET, HEAD, OPTIONS, TRACE):
 *  1. Where it comes from. `Sec-Fetch-Site` (Fetch Metadata, sent by all current browsers) must be
 *     `same-origin` (or `none`: typed by the user). Without it, `Origin`, when present, must match
 *     the request's own host or an allowed origin. A browser cannot forge either header.
 *  2. What it carries. The synchronizer token of the session (OWASP CSRF cheat sheet), from a
 *     header or an urlencoded form field, compared in constant time.
 * The token shown to templates is masked afresh on every call (random pad ‖ pad XOR secret), so a
 * compressed page never repeats it byte for byte (BREACH).
 * @module
 */
import { decodeBase64url, encodeBase64url } from '../bytes/base64url.js';
import { pooledRandomBytes } from '../bytes/random-pool.js';
import { checkOptionKeys, type OptionKeys } from '../errors.js';
import type { Session } from '../session/core/session.js';
import type { SessionValues } from '../session/core/session-record.js';

/** What the guard checks, whatever the server. */
export interface CsrfGuardOptions {
  /** The form field carrying the token. Default `'_csrf'`. */
  field?: string;
  /** The header carrying the token (for fetch/XHR). Default `'x-csrf-token'`. */
  header?: string;
  /** Other origins allowed to post, exactly as browsers send them (`'https://admin.example.com'`). */
  allowedOrigins?: readonly string[];
  /** Accept `Sec-Fetch-Site: same-site` (sibling subdomains). Default `false`: only same-origin. */
  allowSameSite?: boolean;
}

/** One request as the guard sees it: an adapter maps its framework's request onto this. */
export interface CsrfRequest {
  /** The method, upper-case. */
  readonly method: string;
  /** A request header by lower-case name (`host` included: the Origin check compares with it). */
  header(name: string): string | undefined;
  /**
   * The urlencoded form's `field`, read only when no header token came and the body is
   * `application/x-www-form-urlencoded`. Leave it out where the body cannot be read here: the
   * token must then come in the header. Multipart bodies are never read: header only.
   */
  formField?(field: string): string | undefined | Promise<string | undefined>;
}

/** The guard's answer: `ok`, or why the request is refused (both mean 403). */
export type CsrfVerdict = 'ok' | 'cross-site' | 'bad-token';

/** The option keys of {@link CsrfGuardOptions}, for wrappers that add their own. */
export const CSRF_GUARD_OPTION_KEYS: OptionKeys<CsrfGuardOptions> = { field: true, header: true, allowedOrigins: true, allowSameSite: true };

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
const SECRET_BYTES = 32;
const FORM = 'application/x-www-form-urlencoded';

function secretBytes(token: string): Uint8Array | null {
  const bytes = decodeBase64url(token);
  return bytes !== null && bytes.length === SECRET_BYTES ? bytes : null;
}

/** pad ‖ (pad XOR secret), base64url: a different string each time for the same secret. */
function mask(secret: Uint8Array): string {
  const out = new Uint8Array(SECRET_BYTES * 2);
  // The pad is no secret (it is the token's first half), so it may come from the pool: one
  // getRandomValues call per 128 masks instead of one per page (src/bytes/random-pool.ts).
  out.set(pooledRandomBytes(SECRET_BYTES));
  for (let i = 0; i < SECRET_BYTES; i++) out[SECRET_BYTES + i] = (out[i] ?? 0) ^ (secret[i] ?? 0);
  return encodeBase64url(out);
}

/** True when `masked` unmasks to `secret`. Constant time in the token's content. */
function matches(masked: string, secret: Uint8Array): boolean {
  const bytes = decodeBase64url(masked);
  if (bytes === null || bytes.length !== SECRET_BYTES * 2) return false;
  let diff = 0;
  for (let i = 0; i < SECRET_BYTES; i++) diff |= ((bytes[i] ?? 0) ^ (bytes[SECRET_BYTES + i] ?? 0)) ^ (secret[i] ?? 0);
  return diff === 0;
}

/**
 * The CSRF guard: masks the session's token for templates and checks unsafe requests.
 *
 * @example
 * ```ts
 * const guard = new CsrfGuard({ allowedOrigins: ['https://admin.example.com'] });
 * const shown = guard.token(session); // put it in a hidden `_csrf` field
 * const verdict = await guard.check({ method: 'POST', header: (n) => headers.get(n) ?? undefined }, session);
 * if (verdict !== 'ok') return new Response('Forbidden', { status: 403 });
 * ```
 */
export class CsrfGuard {
  readonly field: string;
  readonly header: string;
  readonly #allowedOrigins: ReadonlySet<string>;
  readonly #allowSameSite: boolean;

  constructor(options: CsrfGuardOptions = {}, keys: OptionKeys<CsrfGuardOptions> = CSRF_GUARD_OPTION_KEYS, name = 'CsrfGuard') {
    checkOptionKeys(name, options, keys);
    this.field = options.field ?? '_csrf';
    this.header = (options.header ?? 'x-csrf-token').toLowerCase();
    this.#allowedOrigins = new Set(options.allowedOrigins ?? []);
    this.#allowSameSite = options.allowSameSite ?? false;
  }

  /** The session's token, masked afresh (created in the session on first use). */
  token(session: Session<SessionValues>): string {
    return mask(secretBytes(session.csrfToken()) ?? new Uint8Array(SECRET_BYTES));
  }

  /** True for the methods the guard never checks: GET, HEAD, OPTIONS, TRACE. */
  static safe(method: string): boolean {
    return SAFE.has(method);
  }

  /** Checks one request against the session's token. Safe methods are always `ok`. */
  check(request: CsrfRequest, session: Session<SessionValues>): CsrfVerdict | Promise<CsrfVerdict> {
    if (SAFE.has(request.method)) return 'ok';
    if (!this.#trustedSource(request)) return 'cross-site';
    const sent = request.header(this.header);
    if (sent === undefined && request.formField !== undefined && (request.header('content-type') ?? '').toLowerCase().startsWith(FORM)) {
      const field = request.formField(this.field);
      if (typeof field === 'object' && field !== null) return field.then((value) => this.#verdict(value, session));
      return this.#verdict(field, session);
    }
    return this.#verdict(sent, session);
  }

  #verdict(sent: string | undefined, session: Session<SessionValues>): CsrfVerdict {
    // A session without a token has never shown a form: nothing can match.
    const secret = session.toRecord().k === undefined ? null : secretBytes(session.csrfToken());
    return sent !== undefined && secret !== null && matches(sent, secret) ? 'ok' : 'bad-token';
  }

  /** The origin check (step 1). False for a request a browser sent from another site. */
  #trustedSource(request: CsrfRequest): boolean {
    const site = request.header('sec-fetch-site');
    if (site !== undefined) {
      if (site === 'same-origin' || site === 'none') return true;
      if (site === 'same-site' && this.#allowSameSite) return true;
      const origin = request.header('origin');
      return origin !== undefined && this.#allowedOrigins.has(origin);
    }
    const origin = request.header('origin');
    if (origin === undefined) return true; // an old browser or a non-browser client: the token decides
    if (this.#allowedOrigins.has(origin)) return true;
    if (origin === 'null') return false;
    try {
      return new URL(origin).host === request.header('host');
    } catch {
      return false;
    }
  }
}
