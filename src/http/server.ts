/**
 * A node:http (or https) server with safe limits and a strict answer to broken clients.
 *
 * Node's defaults suit a server behind a proxy that already enforces limits; cachet's suit one
 * facing clients directly. The defaults below are tabled in docs/http.md.
 * @module
 */
import { createServer as createHttpServer, STATUS_CODES } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { ServerOptions as TlsServerOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { checkOptionKeys, type OptionKeys } from '../errors.js';
import { SEND_CONTINUE, type ContinueRequest } from './body.js';

/** Timeouts and limits of the server. All times in milliseconds. */
export interface ServerOptions {
  /** Time allowed to receive the complete request headers (slowloris, byte-at-a-time senders). Default 10 000. */
  headersTimeout?: number;
  /** Time allowed to receive the complete request, body included. Default 30 000. */
  requestTimeout?: number;
  /** How long an idle keep-alive connection stays open. Default 5 000. */
  keepAliveTimeout?: number;
  /** Largest request header block, in bytes; beyond it the client gets 431. Default 16 384. */
  maxHeaderSize?: number;
  /** Requests served on one keep-alive connection before it is closed. Default 1 000. */
  maxRequestsPerSocket?: number;
  /** How often node checks the two timeouts above (node's default is 30 000). Default 1 000. */
  connectionsCheckingInterval?: number;
  /**
   * Most connections open at once, per process (each cluster worker has its own); a connection
   * beyond it is closed as soon as it is accepted, with no response. 0 turns the cap off.
   * Default 4 096.
   */
  maxConnections?: number;
  /** TLS key and certificate: serve HTTPS instead of HTTP. */
  tls?: TlsServerOptions;
}

/**
 * The server defaults (see the table in docs/http.md).
 *
 * @example
 * ```ts
 * await app.listen({ port: 8080, requestTimeout: SERVER_DEFAULTS.requestTimeout * 2 });
 * ```
 */
export const SERVER_DEFAULTS = Object.freeze({
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 5_000,
  maxHeaderSize: 16_384,
  maxRequestsPerSocket: 1_000,
  connectionsCheckingInterval: 1_000,
  // Node has no cap: every accepted socket costs a file descriptor and memory (up to
  // maxHeaderSize of buffered head while a slow client sends it), so a flood of idle connections
  // can exhaust either before headersTimeout reaps them. 4 096 × 16 KiB of head is 64 MiB, which
  // a small (2-core) box carries, while browsers use about 6 connections per origin and a proxy's
  // keep-alive pool a few hundred.
  maxConnections: 4_096,
});

/** @internal The keys of {@link ServerOptions}, for the unknown-option check. */
export const SERVER_OPTION_KEYS: OptionKeys<ServerOptions> = {
  headersTimeout: true, requestTimeout: true, keepAliveTimeout: true, maxHeaderSize: true,
  maxRequestsPerSocket: true, connectionsCheckingInterval: true, maxConnections: true, tls: true,
};

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Creates a hardened server around a request listener (for example `app.handler`).
 *
 * @example
 * ```ts
 * const server = createServer(app.handler, { requestTimeout: 10_000 });
 * server.listen(8080, '127.0.0.1');
 * ```
 */
export function createServer(listener: Listener, options: ServerOptions = {}): Server {
  checkOptionKeys('createServer', options, SERVER_OPTION_KEYS);
  const o = { ...SERVER_DEFAULTS, ...withoutUndefined(options) };
  for (const key of Object.keys(SERVER_DEFAULTS) as (keyof typeof SERVER_DEFAULTS)[]) {
    const v = o[key];
    if (!Number.isInteger(v) || v < 0) throw new TypeError(`server option ${key} must be a non-negative integer`);
  }
  if (o.headersTimeout > o.requestTimeout && o.requestTimeout !== 0) {
    throw new TypeError('headersTimeout must not exceed requestTimeout');
  }
  const nodeOptions = {
    headersTimeout: o.headersTimeout,
    requestTimeout: o.requestTimeout,
    keepAliveTimeout: o.keepAliveTimeout,
    maxHeaderSize: o.maxHeaderSize,
    connectionsCheckingInterval: o.connectionsCheckingInterval,
    // A missing Host is refused by the app's handler instead (request-head.ts), with the same
    // short 400 and access-log line as a malformed one.
    requireHostHeader: false,
  };
  const server: Server =
    options.tls === undefined
      ? createHttpServer(nodeOptions, listener)
      : (createHttpsServer({ ...options.tls, ...nodeOptions }, listener) as unknown as Server);
  server.maxRequestsPerSocket = o.maxRequestsPerSocket;
  // 0 means "no cap" here; node 20 reads 0 the same way, but node 22 and later drop every
  // connection at 0, so the property is only set for a real cap.
  if (o.maxConnections > 0) server.maxConnections = o.maxConnections;
  server.on('clientError', answerClientError);
  server.on('connect', refuseConnect);
  // Expect: 100-continue. Node would send "100 Continue" at once, inviting the client to upload a
  // body the handler may refuse unread (413 over the limit, 415, 403): the invitation is sent when
  // the body is first read instead (body.ts), and never when the answer comes first.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    (req as ContinueRequest)[SEND_CONTINUE] = () => res.writeContinue();
    listener(req, res);
  });
  return server;
}

/**
 * `CONNECT` asks for a tunnel, which this server never opens: 501 Not Implemented (RFC 9110
 * §15.6.2), after the responses to the requests before it on the connection. Node, with no
 * `connect` listener, closed the socket without a byte.
 */
function refuseConnect(_req: IncomingMessage, socket: Duplex): void {
  answerAfterResponses(socket as RefusingSocket, 501);
}

function withoutUndefined<T extends object>(options: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(options)) if (v !== undefined && k !== 'tls') (out as Record<string, unknown>)[k] = v;
  return out;
}

/**
 * @internal Set on a response whose client was answered on the socket directly (a 408 written
 * while its handler still ran): the status the client got. The context's writers then send
 * nothing and log this status.
 */
export const ANSWERED: unique symbol = Symbol('cachet.answered');

/** @internal A response that may carry {@link ANSWERED}. */
export type AnsweredResponse = ServerResponse & { [ANSWERED]?: number };

/** A socket as node's server leaves it: the response being answered on it, if any. */
type RefusingSocket = Duplex & { _httpMessage?: ServerResponse | null; [REFUSING]?: true };
const REFUSING: unique symbol = Symbol('cachet.refusing');

/**
 * node's `clientError`: a request the parser refused, or a timeout. We write a minimal response
 * (no body, Connection: close) and destroy the socket once it is flushed: a broken client gets no
 * second chance on the same connection.
 *
 * When the bytes that broke belong to a request pipelined behind complete ones still being
 * answered, those answers go first, then this one: written at once, the 400 took the first
 * request's place and the connection closed before its response left. When they belong to the
 * request being answered (its own body, its own timeout), the refusal goes at once, as before.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  const s = socket as RefusingSocket;
  // The parser fails again on every later chunk: one refusal waits, not one per chunk.
  if (s[REFUSING] === true) return;
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  // From here on the socket is being refused: a later chunk's error must not cut the answer short.
  s[REFUSING] = true;
  const inFlight = s._httpMessage ?? undefined;
  const own = inFlight !== undefined && !(inFlight as ServerResponse & { req: IncomingMessage }).req.complete;
  if (own) {
    // Its own request broke or ran out of time while the handler reads it: the client gets what
    // is written here, so that is what the access log must say (not the 400 of the aborted read).
    (inFlight as AnsweredResponse)[ANSWERED] = status;
    if (inFlight.headersSent) socket.destroy();
    else answer(socket, status);
    return;
  }
  answerAfterResponses(s, status);
}

/** Answers `status` once every response in flight on `socket` has gone (node hands the socket to the next queued one on each finish). */
function answerAfterResponses(socket: RefusingSocket, status: number): void {
  socket[REFUSING] = true;
  const current = socket._httpMessage ?? undefined;
  if (current === undefined || current.writableFinished) {
    if (socket.writable) answer(socket, status);
    else socket.destroy();
    return;
  }
  const onClose = (): void => {
    if (!current.writableFinished) socket.destroy(); // the client went away mid-response
  };
  current.once('close', onClose);
  current.once('finish', () => {
    current.off('close', onClose);
    // node's own finish handler ran first: it has detached this response and assigned the next.
    answerAfterResponses(socket, status);
  });
}

function answer(socket: Duplex, status: number): void {
  const head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
  socket.end(head, () => socket.destroy());
  // A client that never reads would keep the socket half-open: cut it after a grace period.
  setTimeout(() => socket.destroy(), 1_000).unref();
}
