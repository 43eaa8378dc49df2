/**
 * The shapes shared by the app, the context and the middleware.
 * @module
 */
import type { Context } from './context.js';

/** What `next()` returns: the rest of the chain, settled. */
export type Next = () => Promise<void>;

/**
 * Middleware: runs before (and, after `await next()`, after) the rest of the chain.
 * Calling `next()` twice is an error.
 *
 * @example
 * ```ts
 * const timing: Middleware = async (ctx, next) => {
 *   const start = performance.now();
 *   await next();
 *   ctx.setHeader('server-timing', `app;dur=${(performance.now() - start).toFixed(1)}`);
 * };
 * app.use(timing);
 * ```
 */
export type Middleware = (ctx: Context, next: Next) => Promise<void> | void;

/** A route handler: the last step of a chain. It may ignore `next`. */
export type Handler = Middleware;

/** One line of the access log. */
export interface AccessLogEntry {
  method: string;
  /** The raw path, without the query (queries often carry tokens), cut at 200 characters. */
  path: string;
  status: number;
  /** Milliseconds from the start of dispatch to the end of the response. */
  durationMs: number;
  requestId: string;
}

/** How the app reports what happens. Every function receives plain strings or values, no cookies or bodies. */
export interface AppLogger {
  /** One access-log line. Default: a line on stdout. */
  access?: (entry: AccessLogEntry) => void;
  /** An unexpected error (the client got a generic 500). Default: stderr, with the request id. */
  error?: (err: unknown, requestId: string) => void;
}
