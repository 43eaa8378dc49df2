/**
 * What a CSRF refusal looks like to a framework, where a framework's parsed form keeps the token,
 * and how a header of Node's request is read: shared by the Express, Koa and Fastify `csrf()`
 * wrappers of {@link CsrfGuard}, so the three refuse with one error shape and read a request the
 * same way, over HTTP/1.1 and HTTP/2 alike.
 * @module
 */
import type { CsrfVerdict } from './csrf-guard.js';

/** The `code` of a refusal: the request came from another site, or its token was missing or wrong. */
export type CsrfErrorCode = 'ERR_CSRF_CROSS_SITE' | 'ERR_CSRF_BAD_TOKEN';

/**
 * The error a framework's `csrf()` hands to the framework's error handling. Express and Connect read
 * `status`, Koa reads `status` and `expose` (and sends the message), Fastify reads `statusCode`;
 * an app's own error handler tells it apart by `code`, as it did with csurf's `EBADCSRFTOKEN`.
 */
export interface CsrfError extends Error {
  readonly code: CsrfErrorCode;
  readonly status: 403;
  readonly statusCode: 403;
  /** The message is safe to show the client. */
  readonly expose: true;
}

/**
 * The 403 error for a refused request: the same message as cachet's own `csrf()` answers with.
 *
 * @example
 * ```ts
 * const verdict = await guard.check(view, session);
 * if (verdict !== 'ok') throw csrfRefusal(verdict); // 403, code ERR_CSRF_CROSS_SITE or ERR_CSRF_BAD_TOKEN
 * ```
 */
export function csrfRefusal(verdict: Exclude<CsrfVerdict, 'ok'>): CsrfError {
  const cross = verdict === 'cross-site';
  const fields = { code: cross ? 'ERR_CSRF_CROSS_SITE' : 'ERR_CSRF_BAD_TOKEN', status: 403, statusCode: 403, expose: true } as const;
  return Object.assign(new Error(cross ? 'Forbidden: cross-site request' : 'Forbidden: invalid CSRF token'), fields);
}

/**
 * The token field of a form a framework's body parser already read: an object of fields (any
 * urlencoded parser), or the raw urlencoded text (a text parser). Only an own string field counts:
 * never one inherited from `Object.prototype`, never an array a parser made of repeated fields.
 *
 * @example
 * ```ts
 * const view: CsrfRequest = { method, header, formField: (field) => parsedFormField(req.body, field) };
 * ```
 */
export function parsedFormField(body: unknown, field: string): string | undefined {
  if (typeof body === 'string') return new URLSearchParams(body).get(field) ?? undefined;
  if (typeof body !== 'object' || body === null || !Object.hasOwn(body, field)) return undefined;
  const value = (body as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}

/**
 * One header of Node's request (`req.headers`, from `node:http` or `node:http2`'s compatibility
 * API): the first value of a repeated one. HTTP/2 carries the host as the `:authority`
 * pseudo-header, not as `Host` (RFC 9113 §8.3.1), so `host` falls back to it: without that, the
 * guard's Origin check had nothing to compare with and refused every same-origin form post sent
 * without `Sec-Fetch-Site` over HTTP/2.
 *
 * @example
 * ```ts
 * const view: CsrfRequest = { method, header: (name) => nodeRequestHeader(req.headers, name) };
 * ```
 */
export function nodeRequestHeader(headers: Readonly<Record<string, string | readonly string[] | undefined>>, name: string): string | undefined {
  let value = headers[name];
  if (value === undefined && name === 'host') value = headers[':authority'];
  return typeof value === 'string' ? value : value?.[0];
}
