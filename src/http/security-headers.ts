/**
 * Security headers for HTML responses, and `Cache-Control: no-store` for authenticated pages.
 *
 * The header values are built once per middleware instance, not per request.
 * @module
 */
import { checkOptionKeys, type OptionKeys } from '../errors.js';
import type { Middleware } from './types.js';

/** Options for {@link securityHeaders}. */
export interface SecurityHeadersOptions {
  /**
   * Content-Security-Policy directives, merged over the defaults (a value of `null` removes one):
   * `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;
   * form-action 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`.
   */
  csp?: Readonly<Record<string, string | null>>;
  /** Referrer-Policy. Default 'no-referrer'. */
  referrerPolicy?: string;
  /** Cross-Origin-Opener-Policy. Default 'same-origin'. */
  crossOriginOpenerPolicy?: string;
  /**
   * Strict-Transport-Security, only when the site is served over TLS (a browser that sees it
   * refuses plain HTTP for `maxAge` seconds, so never set it for a site that still needs HTTP).
   * Default: not sent.
   */
  hsts?: { maxAge: number; includeSubDomains?: boolean; preload?: boolean };
}

const OPTION_KEYS: OptionKeys<SecurityHeadersOptions> = { csp: true, referrerPolicy: true, crossOriginOpenerPolicy: true, hsts: true };
const HSTS_KEYS: OptionKeys<NonNullable<SecurityHeadersOptions['hsts']>> = { maxAge: true, includeSubDomains: true, preload: true };

const DEFAULT_CSP: Readonly<Record<string, string>> = {
  'default-src': "'self'",
  'script-src': "'self'",
  'style-src': "'self'",
  'img-src': "'self' data:",
  'form-action': "'self'",
  // No plugins, no <base> hijacking of relative URLs, no framing (clickjacking).
  'object-src': "'none'",
  'base-uri': "'none'",
  'frame-ancestors': "'none'",
};

/**
 * Middleware setting CSP, `X-Content-Type-Options: nosniff`, `Referrer-Policy`,
 * `Cross-Origin-Opener-Policy`, `X-Frame-Options: DENY` (for browsers without frame-ancestors),
 * and HSTS when configured. A handler may still override any of them with `ctx.setHeader`.
 *
 * @example
 * ```ts
 * app.use(securityHeaders({ hsts: { maxAge: 31_536_000 }, csp: { 'img-src': "'self' https://img.example" } }));
 * ```
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): Middleware {
  checkOptionKeys('securityHeaders', options, OPTION_KEYS);
  checkOptionKeys('securityHeaders hsts', options.hsts, HSTS_KEYS);
  const directives: Record<string, string | null> = { ...DEFAULT_CSP, ...options.csp };
  const csp = Object.entries(directives)
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([name, value]) => (value === '' ? name : `${name} ${value}`))
    .join('; ');
  const headers: [string, string][] = [
    ['content-security-policy', csp],
    ['x-content-type-options', 'nosniff'],
    ['referrer-policy', options.referrerPolicy ?? 'no-referrer'],
    ['cross-origin-opener-policy', options.crossOriginOpenerPolicy ?? 'same-origin'],
    ['x-frame-options', 'DENY'],
  ];
  const hsts = options.hsts;
  if (hsts !== undefined) {
    if (!Number.isInteger(hsts.maxAge) || hsts.maxAge < 0) throw new TypeError('hsts.maxAge must be a non-negative integer');
    let value = `max-age=${hsts.maxAge}`;
    if (hsts.includeSubDomains === true) value += '; includeSubDomains';
    if (hsts.preload === true) value += '; preload';
    headers.push(['strict-transport-security', value]);
  }
  for (const [name, value] of headers) {
    if (/[\r\n]/.test(value)) throw new TypeError(`securityHeaders: invalid ${name} value`);
  }
  return (ctx, next) => {
    for (const [name, value] of headers) ctx.setHeader(name, value);
    return next();
  };
}

/**
 * Middleware for authenticated pages: `Cache-Control: no-store`, so neither the browser's
 * back button cache nor a shared proxy keeps a copy of a page meant for one user.
 *
 * @example
 * ```ts
 * app.get('/account', noStore(), (ctx) => ctx.html(renderAccount(ctx.state.user)));
 * ```
 */
export function noStore(): Middleware {
  return (ctx, next) => {
    ctx.setHeader('cache-control', 'no-store');
    return next();
  };
}
