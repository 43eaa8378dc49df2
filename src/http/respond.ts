/**
 * Writing responses: the staged one, an error one, or a bare one before any context exists.
 * Each writes the whole response with one `writeHead` + one `end` (measured: node's writeHead
 * takes a plain header object without copying when nothing was set with `res.setHeader`).
 * @module
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import { STORE_RETRY_AFTER, storeIsUnavailable } from '../web/store-unavailable.js';
import { HttpError } from './http-error.js';
import { ANSWERED, type AnsweredResponse } from './server.js';
import type { Context } from './context.js';
import type { AccessLogEntry } from './types.js';

/** What writing needs from the app: its logging sinks. */
export interface Reporter {
  access: ((entry: AccessLogEntry) => void) | null;
  error: (err: unknown, requestId: string) => void;
  /** True while the server drains for shutdown: responses then carry Connection: close. */
  closing: boolean;
}

const TEXT = 'text/plain; charset=utf-8';
/** The longest path an access-log entry carries (a refused target's cap too: request-target.ts). */
const MAX_LOGGED_PATH = 200;
// Never sent with an error response: they belong to the outcome the error replaced. Besides the
// body's type and length, that is every header describing that body (representation metadata and
// validators, RFC 9110 §8, §14.4; RFC 6266): a kept `Content-Encoding: gzip` made clients try to
// decode the plain-text error and fail, a kept `Content-Disposition: attachment` downloaded it
// as the promised file, and a kept ETag or Last-Modified would validate the error as that body.
const DROPPED_ON_ERROR = [
  'content-type', 'content-length', 'location', 'set-cookie',
  'content-encoding', 'content-language', 'content-location', 'content-range', 'content-disposition', 'etag', 'last-modified',
];

/** Writes what the context staged. Returns false when the response had already left. */
export function writeStaged(ctx: Context, reporter: Reporter): void {
  ctx._sent = true;
  const res = ctx.res;
  if (ctx._detached || res.headersSent || (res as AnsweredResponse)[ANSWERED] !== undefined) {
    logAccess(ctx, (res as AnsweredResponse)[ANSWERED] ?? res.statusCode, reporter);
    return;
  }
  const headers: Record<string, string | string[] | number> = ctx._headers ?? {};
  const cookies = ctx._setCookies;
  if (cookies !== null) headers['set-cookie'] = [...cookies.values()];
  let body = ctx._body;
  let status = ctx._status;
  if (body === null && !ctx._statusSet) status = 204;
  if (status === 204 || status === 304) body = null;
  if (body !== null) {
    if (ctx._type !== null) headers['content-type'] = ctx._type;
    headers['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  } else if (status !== 204 && status !== 304) headers['content-length'] = 0;
  if (reporter.closing || unreadBody(ctx)) headers['connection'] = 'close';
  res.writeHead(status, headers);
  if (body === null || ctx.method === 'HEAD') res.end();
  else res.end(body);
  logAccess(ctx, status, reporter);
}

/**
 * Turns a throw into a response. HttpError: its status and public message, keeping the headers
 * middleware staged (security headers...) minus those of the replaced outcome. Anything else: a
 * generic 500 with no staged header, logged with the request id. After the headers have left,
 * the only honest signal left is to cut the connection, so the client sees a truncated response.
 */
export function writeError(ctx: Context, err: unknown, reporter: Reporter): void {
  ctx._sent = true;
  const res = ctx.res;
  const http = err instanceof HttpError ? err : storeUnavailable(err);
  if (http === null || http.status >= 500) reporter.error(err, ctx.requestId);
  const answered = (res as AnsweredResponse)[ANSWERED];
  if (answered !== undefined) {
    // The client already has its 408 (or 400), and the error is most likely the aborted read
    // that followed it; a real bug was reported just above all the same.
    logAccess(ctx, answered, reporter);
    return;
  }
  if (ctx._detached || res.headersSent) {
    if (!res.writableEnded) cutConnection(res);
    logAccess(ctx, res.statusCode, reporter);
    return;
  }
  let headers: Record<string, string | string[]>;
  if (http !== null && ctx._headers !== null) {
    headers = ctx._headers;
    for (const name of DROPPED_ON_ERROR) delete headers[name];
  } else {
    headers = {};
  }
  const status = http === null ? 500 : http.status;
  if (http !== null) for (const name in http.headers) headers[name.toLowerCase()] = http.headers[name] as string;
  try {
    writeBare(res, status, http === null ? 'Internal Server Error' : http.publicMessage, ctx.method, headers, reporter.closing || unreadBody(ctx));
  } catch (second) {
    // A header from HttpError.headers was invalid: fall back to the generic answer.
    reporter.error(second, ctx.requestId);
    if (!res.headersSent) writeBare(res, 500, 'Internal Server Error', ctx.method, {}, true);
    else cutConnection(res);
  }
  logAccess(ctx, status, reporter);
}

// The cut (docs/http.md, "A throw after the headers left"): the client gets the status, the
// headers and every body byte written so far, then the connection closes without the terminating
// chunk (or short of Content-Length), so no client can take the response for complete; the
// process carries on. Node 24.22 and 26 keep a response's written bytes in the response until a
// later tick, so ending the socket at once sent nothing at all there (an empty reply). An empty
// write's callback runs once everything before it reached the socket, on every Node line; only
// then is the socket ended. The timer bounds a client that does not read.
function cutConnection(res: ServerResponse): void {
  const socket = res.socket;
  if (socket === null) {
    res.destroy();
    return;
  }
  setTimeout(() => socket.destroy(), 1_000).unref();
  try {
    res.write('', () => socket.end());
  } catch {
    socket.end();
  }
}

/** Writes a short text/plain response (400 before routing, errors). */
export function writeBare(
  res: ServerResponse,
  status: number,
  message: string,
  method: string,
  headers: Record<string, string | string[] | number> = {},
  close = false,
): void {
  const body = `${message}\n`;
  headers['content-type'] = TEXT;
  headers['content-length'] = Buffer.byteLength(body);
  headers['x-content-type-options'] = 'nosniff';
  if (close) headers['connection'] = 'close';
  // The reason phrase is given, never left to node: a writeHead that threw on a staged header
  // (the 500 written here replaces it) had already recorded the staged status's phrase, and node
  // keeps a recorded one, so the status line read "500 See Other".
  res.writeHead(status, STATUS_CODES[status] ?? '', headers);
  if (method === 'HEAD') res.end();
  else res.end(body);
}

// A body read that stopped early (413, abort) leaves bytes on the socket that must not be taken
// for the next request; a body never read is drained by node itself.
function unreadBody(ctx: Context): boolean {
  return ctx._bodyRead && !ctx.req.complete;
}

function logAccess(ctx: Context, status: number, reporter: Reporter): void {
  const access = reporter.access;
  if (access === null) return;
  const path = ctx.path;
  access({
    method: ctx.method,
    // Capped like a refused target's: a routed 404 for an 8,000-character path was logged whole.
    path: path.length > MAX_LOGGED_PATH ? path.slice(0, MAX_LOGGED_PATH) : path,
    status,
    durationMs: performance.now() - ctx._start,
    requestId: ctx.requestId,
  });
}

/**
 * Session storage that is down (a full or read-only disk, Redis unreachable) is a temporary state
 * of the server, not a bug: 503 with Retry-After, logged like any 5xx (docs/stores.md).
 */
function storeUnavailable(err: unknown): HttpError | null {
  if (!storeIsUnavailable(err)) return null;
  return new HttpError(503, 'Service Unavailable', { headers: { 'retry-after': STORE_RETRY_AFTER }, cause: err });
}
