/**
 * A store that cannot be reached, answered the same way on every server: 503 with `Retry-After`.
 *
 * `ERR_STORE_UNAVAILABLE` (Redis unreachable, a full or read-only disk) is a temporary state of the
 * server, not a bug, and cachet's own server answers it with 503 and `Retry-After: 5`
 * (src/http/respond.ts). The adapters hand the framework an error in the shape its error handler
 * already reads (`status`/`statusCode`, `expose`, `headers`: Express's finalhandler, Koa's
 * `ctx.onerror`, Fastify's reply, Hono's `getResponse()`), so the same outage gets the same answer there. Any other store
 * failure stays what it is: the framework's 500.
 *
 * Pure Web-platform code: no `node:` import.
 * @module
 */
import { SessionError } from '../errors.js';

/** Seconds a client is asked to wait before retrying, as cachet's own server says. */
export const STORE_RETRY_AFTER = '5';

/** The error a framework's error handler turns into `503 Service Unavailable` with `Retry-After`. */
export interface StoreUnavailableError extends Error {
  readonly status: 503;
  readonly statusCode: 503;
  /** The message is safe to show: it names no store, host or path. */
  readonly expose: true;
  readonly headers: { readonly 'retry-after': string };
  /** The whole answer as a fetch `Response`: Hono's error handler sends what this returns. */
  getResponse(): Response;
  readonly cause: SessionError;
}

/**
 * The 503 itself, for a server that answers with a fetch `Response` (the fetch adapter, Hono).
 *
 * @example
 * ```ts
 * if (storeIsUnavailable(err)) return storeUnavailableResponse();
 * ```
 */
export function storeUnavailableResponse(): Response {
  return new Response('Service Unavailable\n', { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': STORE_RETRY_AFTER } });
}

/** True when `err` says the store cannot be reached (`ERR_STORE_UNAVAILABLE`). */
export function storeIsUnavailable(err: unknown): err is SessionError {
  return err instanceof SessionError && err.code === 'ERR_STORE_UNAVAILABLE';
}

/**
 * `err` as a 503 for the framework when it is a store that cannot be reached; any other error as
 * it is.
 *
 * @example
 * ```ts
 * store.get(scope, 'session').then(ok, (err) => next(asStoreUnavailable(err)));
 * ```
 */
export function asStoreUnavailable(err: unknown): unknown {
  if (!storeIsUnavailable(err)) return err;
  const out = new Error('Service Unavailable', { cause: err });
  const fields = { status: 503, statusCode: 503, expose: true, headers: { 'retry-after': STORE_RETRY_AFTER }, getResponse: storeUnavailableResponse };
  return Object.assign(out, fields) as StoreUnavailableError;
}
