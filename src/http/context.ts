/**
 * The request context: what a handler reads from the request and how it stages the response.
 *
 * Responses are staged, not written: `text()`, `json()`, `redirect()`... record a status, headers
 * and a body, and the app writes them in one `writeHead` + `end` after the middleware chain and the
 * `onBeforeSend` hooks have run. That ordering is what lets a session middleware seal its cookie
 * (async Web Crypto) after the handler has chosen a redirect, before any header leaves.
 * Everything costly (query, cookies, ip, request id, state) is computed on first use.
 * @module
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { findCookie, parseCookies } from '../cookie/parse.js';
import { serializeCookie, serializeCookieDeletion } from '../cookie/serialize.js';
import type { CookieDeletionOptions, CookieOptions } from '../cookie/serialize.js';
import type { Params } from './router/types.js';
import { BODY_OPTION_KEYS, readForm, readJson } from './body.js';
import { checkOptionKeys } from '../errors.js';
import type { BodyOptions } from './body.js';
import { clientIp } from './client-ip.js';

/** What the app hands every context: resolved options, shared by all requests. */
export interface ContextConfig {
  body: Required<BodyOptions>;
  trustProxy: number;
  requestId: (req: IncomingMessage) => string;
}

/** A function run after the chain, before the response is written. */
export type BeforeSendHook = () => void | Promise<void>;

const TEXT = 'text/plain; charset=utf-8';
const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// CR, LF and other controls would split or corrupt the header block (response splitting).
// eslint-disable-next-line no-control-regex
const HEADER_UNSAFE = /[\u0000-\u001f\u007f]/;
// A Location is sent as bytes: node writes a character up to U+00FF as one latin1 byte (which a
// browser, reading UTF-8, takes for another URL) and refuses anything above it. Runs of
// non-ASCII are percent-encoded as UTF-8 instead (RFC 3986 §2.5), as a browser does with a link.
const NON_ASCII = /[^\u0000-\u007f]/;
const NON_ASCII_RUNS = /[^\u0000-\u007f]+/g;

/**
 * The per-request context passed to middleware and handlers.
 *
 * @example
 * ```ts
 * app.post('/notes/:id', async (ctx) => {
 *   const form = await ctx.readForm();
 *   ctx.setCookie('last', ctx.params.id!, { path: '/', httpOnly: true, sameSite: 'Lax' });
 *   ctx.redirect(`/notes/${encodeURIComponent(ctx.params.id!)}`);
 * });
 * ```
 */
export class Context {
  /** The node request. Prefer the context's readers; its body is read by readForm()/readJson(). */
  readonly req: IncomingMessage;
  /** The node response. Writing to it directly requires `detach()` first. */
  readonly res: ServerResponse;
  /** The request method, uppercase (`HEAD` stays `HEAD` even though the GET route answers). */
  readonly method: string;
  /** The raw (still percent-encoded) path, without the query. */
  readonly path: string;
  /** Route params, percent-decoded, in a null-prototype object. */
  readonly params: Params;
  /** The route pattern that matched (`/users/:id`), or '' when none did. */
  readonly route: string;

  /** @internal */ _config: ContextConfig;
  /** @internal */ _rawQuery: string;
  /** @internal */ _query: URLSearchParams | undefined = undefined;
  /** @internal */ _cookies: Record<string, string> | undefined = undefined;
  /** @internal */ _ip: string | undefined = undefined;
  /** @internal */ _requestId: string | undefined = undefined;
  /** @internal */ _state: Record<string, unknown> | undefined = undefined;
  /** @internal */ _status = 200;
  /** @internal */ _statusSet = false;
  /** @internal */ _body: string | Uint8Array | null = null;
  /** @internal Content-Type apart from the other headers: the common response sets only it. */
  _type: string | null = null;
  /**
   * @internal A plain object, not Object.create(null): a null-prototype object is a V8
   * dictionary, and node's writeHead walks it on every response (measured: several µs per
   * request). `__proto__` is refused by setHeader instead.
   */
  _headers: Record<string, string | string[]> | null = null;
  /** @internal */ _setCookies: Map<string, string> | null = null;
  /** @internal */ _hooks: BeforeSendHook[] | null = null;
  /** @internal */ _bodyRead = false;
  /** @internal */ _detached = false;
  /** @internal */ _sent = false;
  /** @internal */ _start = 0;

  /** @internal Created by the app, never by user code. */
  constructor(config: ContextConfig, req: IncomingMessage, res: ServerResponse, path: string, rawQuery: string, params: Params, route: string) {
    this._config = config;
    this.req = req;
    this.res = res;
    this.method = req.method ?? 'GET';
    this.path = path;
    this._rawQuery = rawQuery;
    this.params = params;
    this.route = route;
  }

  /** The request headers (lowercase names), as node parsed them. */
  get headers(): IncomingHttpHeaders {
    return this.req.headers;
  }

  /** The query string, parsed on first use. */
  get query(): URLSearchParams {
    return (this._query ??= new URLSearchParams(this._rawQuery));
  }

  /** Request cookies (null-prototype map), parsed on first use. */
  get cookies(): Record<string, string> {
    return (this._cookies ??= parseCookies(this.req.headers.cookie));
  }

  /**
   * One request cookie: the same answer as `ctx.cookies[name]`, without parsing the whole header
   * when nothing has asked for `ctx.cookies` yet (the session stores read their cookie this way:
   * it measured ~3 µs per request less over HTTP than building the map).
   *
   * @example
   * ```ts
   * const theme = ctx.cookie('theme') ?? 'light';
   * ```
   */
  cookie(name: string): string | undefined {
    return this._cookies !== undefined ? this._cookies[name] : findCookie(this.req.headers.cookie, name);
  }

  /** The client address: the socket's peer, or with `trustProxy: n` the address n hops back in X-Forwarded-For. */
  get ip(): string {
    return (this._ip ??= clientIp(this.req, this._config.trustProxy));
  }

  /** An id for this request, for logs (see the `requestId` app option). */
  get requestId(): string {
    return (this._requestId ??= this._config.requestId(this.req));
  }

  /** A place for middleware to hand values to handlers (`ctx.state.user`). */
  get state(): Record<string, unknown> {
    return (this._state ??= {});
  }

  /** Reads the body as a URL-encoded form (once). 413 / 415 / 400 as documented in docs/http.md. */
  readForm(options: BodyOptions = {}): Promise<URLSearchParams> {
    return readForm(this.req, this._takeBody(options));
  }

  /** Reads the body as JSON (once). 413 / 415 / 400 as documented; `__proto__` keys are refused. */
  readJson(options: BodyOptions = {}): Promise<unknown> {
    return readJson(this.req, this._takeBody(options));
  }

  /** @internal */
  _takeBody(options: BodyOptions): Required<BodyOptions> {
    checkOptionKeys('readForm/readJson', options, BODY_OPTION_KEYS);
    if (this._bodyRead) throw new TypeError('the request body was already read');
    this._bodyRead = true;
    const d = this._config.body;
    return options.limit === undefined && options.fields === undefined
      ? d
      : { limit: options.limit ?? d.limit, fields: options.fields ?? d.fields };
  }

  /** Sets the response status (200–599). Returns the context for chaining. */
  status(code: number): this {
    if (!Number.isInteger(code) || code < 200 || code > 599) throw new TypeError(`invalid status ${String(code)}`);
    this._status = code;
    this._statusSet = true;
    return this;
  }

  /** Stages a response header, replacing an earlier one of that name. Use setCookie() for cookies. */
  setHeader(name: string, value: string | readonly string[]): this {
    this._checkOpen();
    const lower = name.toLowerCase();
    if (lower === 'content-type' && typeof value === 'string') {
      this._type = value;
      return this;
    }
    if (lower === '__proto__') throw new TypeError('invalid header name');
    (this._headers ??= {})[lower] = typeof value === 'string' ? value : [...value];
    return this;
  }

  /** A staged response header, if any. */
  getHeader(name: string): string | string[] | undefined {
    const lower = name.toLowerCase();
    if (lower === 'content-type') return this._type ?? undefined;
    return this._headers !== null && Object.hasOwn(this._headers, lower) ? this._headers[lower] : undefined;
  }

  /** Stages a `text/plain; charset=utf-8` body. */
  text(body: string, status?: number): void {
    this.send(body, TEXT, status);
  }

  /** Stages a `text/html; charset=utf-8` body. Escaping what goes into it is the caller's job. */
  html(body: string, status?: number): void {
    this.send(body, HTML, status);
  }

  /** Stages `JSON.stringify(data)` as `application/json; charset=utf-8`. */
  json(data: unknown, status?: number): void {
    const body = JSON.stringify(data);
    if (body === undefined) throw new TypeError('ctx.json: value is not serializable');
    this.send(body, JSON_TYPE, status);
  }

  /** Stages a body with an explicit Content-Type (for text types, include the charset). */
  send(body: string | Uint8Array, contentType: string, status?: number): void {
    this._checkOpen();
    if (status !== undefined) this.status(status);
    this._body = body;
    this._type = contentType;
  }

  /**
   * Stages a redirect (default 303 See Other: after a POST, the browser follows with a GET).
   * The URL is sent as given, except that non-ASCII characters are percent-encoded as UTF-8
   * (`/café` is sent as `/caf%C3%A9`); existing escapes are kept. Never pass an unchecked
   * user-supplied URL (open redirect).
   */
  redirect(url: string, status = 303): void {
    if (!REDIRECTS.has(status)) throw new TypeError(`redirect status must be 301, 302, 303, 307 or 308, got ${status}`);
    if (HEADER_UNSAFE.test(url)) throw new TypeError('redirect URL contains control characters');
    let location = url;
    if (NON_ASCII.test(url)) {
      try {
        location = url.replace(NON_ASCII_RUNS, encodeURI);
      } catch {
        throw new TypeError('redirect URL contains a lone surrogate, which has no UTF-8 encoding');
      }
    }
    this.setHeader('location', location);
    this.status(status);
    this._body = null;
    this._type = null;
  }

  /** Stages a Set-Cookie. A later call for the same name replaces the earlier one. */
  setCookie(name: string, value: string, options: CookieOptions = {}): void {
    this._checkOpen();
    (this._setCookies ??= new Map()).set(name, serializeCookie(name, value, options));
  }

  /**
   * Stages a `Set-Cookie` header value built beforehand, for example by a `prepareCookie` builder
   * (which checked it); a later call for the same `name`, or setCookie / deleteCookie, replaces it.
   * The session stores write their cookie this way. The value must be a valid Set-Cookie for
   * `name`: it is not checked again here (node still refuses control characters when the response
   * is written, which then becomes the generic 500, as for any invalid staged header).
   *
   * @example
   * ```ts
   * const theme = prepareCookie('theme', { path: '/', maxAge: 86_400 });
   * ctx.setCookieHeader('theme', theme('dark'));
   * ```
   */
  setCookieHeader(name: string, header: string): void {
    this._checkOpen();
    (this._setCookies ??= new Map()).set(name, header);
  }

  /** Stages the deletion of a cookie (same Path/Domain as when it was set). Replaces a staged set. */
  deleteCookie(name: string, options: CookieDeletionOptions = {}): void {
    this._checkOpen();
    (this._setCookies ??= new Map()).set(name, serializeCookieDeletion(name, options));
  }

  /** Runs `hook` after the chain and before the response is written (in registration order). */
  onBeforeSend(hook: BeforeSendHook): void {
    this._checkOpen();
    (this._hooks ??= []).push(hook);
  }

  /** Tells the app this handler writes to `ctx.res` itself (streaming): nothing staged is sent. */
  detach(): void {
    this._detached = true;
  }

  /** @internal */
  _checkOpen(): void {
    if (this._sent) throw new Error('the response was already sent');
  }
}
