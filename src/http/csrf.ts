/**
 * `csrf()`: cross-site request forgery protection for session-based apps, as middleware.
 *
 * Two independent checks on every unsafe request (anything but GET, HEAD, OPTIONS, TRACE):
 *  1. Where it comes from. `Sec-Fetch-Site` (Fetch Metadata, sent by all current browsers) must be
 *     `same-origin` (or `none`: typed by the user). Without it, `Origin`, when present, must match
 *     the request's own host or an allowed origin. A browser cannot forge either header.
 *  2. What it carries. The synchronizer token of the session (OWASP CSRF cheat sheet), from the
 *     `x-csrf-token` header or the `_csrf` form field, compared in constant time.
 * Any failure is a 403. The token lives in the session, so an anonymous visitor who is shown a form
 * gets a session just for it: that pre-session token covers login CSRF, and `regenerate()` at login
 * replaces it.
 *
 * The token shown to templates is masked afresh on every request (random pad ‖ pad XOR secret), so
 * a compressed page never repeats it byte for byte (BREACH).
 * @module
 */
import { checkOptionKeys, type OptionKeys } from '../errors.js';
import { decodeBase64url, encodeBase64url } from '../bytes/base64url.js';
import type { Store } from '../session/core/types.js';
import type { SessionValues } from '../session/core/session-record.js';
import type { Context } from './context.js';
import { HttpError } from './http-error.js';
import type { Middleware } from './types.js';

/** Options for {@link csrf}. */
export interface CsrfOptions {
  /** The session store that holds the token. */
  store: Store<SessionValues>;
  /** The session name. Default `'session'`. */
  session?: string;
  /** The form field carrying the token. Default `'_csrf'`. */
  field?: string;
  /** The header carrying the token (for fetch/XHR). Default `'x-csrf-token'`. */
  header?: string;
  /** Where templates find the token: `ctx.state[stateKey]`. Default `'csrfToken'`. */
  stateKey?: string;
  /** Other origins allowed to post, exactly as browsers send them (`'https://admin.example.com'`). */
  allowedOrigins?: readonly string[];
  /** Accept `Sec-Fetch-Site: same-site` (sibling subdomains). Default `false`: only same-origin. */
  allowSameSite?: boolean;
}

const OPTION_KEYS: OptionKeys<CsrfOptions> = {
  store: true, session: true, field: true, header: true, stateKey: true, allowedOrigins: true, allowSameSite: true,
};

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
const SECRET_BYTES = 32;

function secretBytes(token: string): Uint8Array | null {
  const bytes = decodeBase64url(token);
  return bytes !== null && bytes.length === SECRET_BYTES ? bytes : null;
}

/** pad ‖ (pad XOR secret), base64url: a different string each time for the same secret. */
function mask(secret: Uint8Array): string {
  const out = new Uint8Array(SECRET_BYTES * 2);
  crypto.getRandomValues(out.subarray(0, SECRET_BYTES));
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

function header(ctx: Context, name: string): string | undefined {
  const value = ctx.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The origin check (step 1). Returns false for a request a browser sent from another site. */
function trustedSource(ctx: Context, options: { allowedOrigins: ReadonlySet<string>; allowSameSite: boolean }): boolean {
  const site = header(ctx, 'sec-fetch-site');
  if (site !== undefined) {
    if (site === 'same-origin' || site === 'none') return true;
    if (site === 'same-site' && options.allowSameSite) return true;
    const origin = header(ctx, 'origin');
    return origin !== undefined && options.allowedOrigins.has(origin);
  }
  const origin = header(ctx, 'origin');
  if (origin === undefined) return true; // an old browser or a non-browser client: the token decides
  if (options.allowedOrigins.has(origin)) return true;
  if (origin === 'null') return false;
  try {
    return new URL(origin).host === header(ctx, 'host');
  } catch {
    return false;
  }
}

/**
 * CSRF protection: a per-session synchronizer token plus a Fetch-Metadata / Origin check.
 * Exposes the token to templates as `ctx.state.csrfToken` (created on first read); rejects an
 * unsafe request that fails either check with 403.
 *
 * @example
 * ```ts
 * app.use(csrf({ store }));
 * app.get('/login', (ctx) => ctx.html(`<form method="post">
 *   <input type="hidden" name="_csrf" value="${ctx.state.csrfToken}"> ...</form>`));
 * app.post('/login', async (ctx) => {
 *   const form = await ctx.readForm(); // the form csrf() already read
 *   ...
 * });
 * // fetch('/api', { method: 'POST', headers: { 'x-csrf-token': token } })
 * ```
 */
export function csrf(options: CsrfOptions): Middleware {
  checkOptionKeys('csrf', options, OPTION_KEYS);
  const store = options.store;
  const name = options.session ?? 'session';
  const field = options.field ?? '_csrf';
  const headerName = (options.header ?? 'x-csrf-token').toLowerCase();
  const stateKey = options.stateKey ?? 'csrfToken';
  const source = { allowedOrigins: new Set(options.allowedOrigins ?? []), allowSameSite: options.allowSameSite ?? false };
  if (typeof store?.get !== 'function') throw new TypeError('csrf(): options.store must be a session store, e.g. csrf({ store })');

  return async (ctx, next) => {
    const session = await store.get(ctx, name);
    let shown: string | undefined;
    Object.defineProperty(ctx.state, stateKey, {
      configurable: true,
      enumerable: true,
      get: () => (shown ??= mask(secretBytes(session.csrfToken()) ?? new Uint8Array(SECRET_BYTES))),
    });
    if (SAFE.has(ctx.method)) return next();

    if (!trustedSource(ctx, source)) throw new HttpError(403, 'Forbidden: cross-site request');
    let sent = header(ctx, headerName);
    if (sent === undefined && (header(ctx, 'content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      const form = await ctx.readForm();
      sent = form.get(field) ?? undefined;
      // The body can be read once; hand the parsed form to the handler.
      ctx.readForm = () => Promise.resolve(form);
    }
    // A session without a token has never shown a form: nothing can match.
    const secret = session.toRecord().k === undefined ? null : secretBytes(session.csrfToken());
    if (sent === undefined || secret === null || !matches(sent, secret)) throw new HttpError(403, 'Forbidden: invalid CSRF token');
    return next();
  };
}
