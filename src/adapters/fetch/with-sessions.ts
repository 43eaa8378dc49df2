/**
 * `cachet/fetch`: sessions for any fetch-style handler, `(request) => Response`: Deno.serve,
 * Bun.serve, Cloudflare Workers (workerd), Node's own `Request`/`Response`, or any framework that
 * hands you a `Request`.
 *
 * Each request gets a {@link SessionScope}; the handler asks for sessions by name; when it returns,
 * the scope commits (a changed session seals its cookie) and the `Set-Cookie` values are appended
 * to the returned `Response`, copied first when its headers are immutable (`Response.redirect()`,
 * a `fetch()` result). Pure Web-platform code: no `node:` import.
 * @module
 */
import { SessionError, checkOptionKeys, type OptionKeys } from '../../errors.js';
import type { Session } from '../../session/core/session.js';
import type { SessionValues } from '../../session/core/session-record.js';
import type { Store } from '../../session/core/types.js';
import { CSRF_GUARD_OPTION_KEYS, CsrfGuard, type CsrfGuardOptions, type CsrfRequest } from '../../web/csrf-guard.js';
import { SessionScope, scopeHeaders } from '../../web/session-scope.js';
import { storeIsUnavailable, storeUnavailableResponse } from '../../web/store-unavailable.js';

/** Options for {@link withSessions}; `R` is what the runtime passes after the request. */
export interface WithSessionsOptions<T extends SessionValues, R extends unknown[] = unknown[]> {
  /** The store every session of this handler comes from (`CookieStore`, `MemoryStore`, ...). */
  store: Store<T>;
  /** The name `session()` loads when called without one. Default `'session'`. */
  name?: string;
  /**
   * CSRF protection for unsafe methods (docs/sessions.md, "CSRF"): `true` for the defaults, or the
   * guard's options. A refused request gets a 403 and never reaches the handler. Default off.
   */
  csrf?: boolean | CsrfGuardOptions;
  /**
   * The client address for the server-side stores' session lists. Gets the request and whatever
   * the runtime passed after it: `(request, info) => info.remoteAddr.hostname` on Deno,
   * `(request) => request.headers.get('cf-connecting-ip') ?? undefined` on Cloudflare.
   */
  ip?: (request: Request, ...rest: R) => string | undefined;
  /** The most bytes of an urlencoded body read to find the CSRF field. Default 65536; past it, 413. */
  maxFormBytes?: number;
}

/** What the handler gets next to the request. */
export interface SessionTools<T extends SessionValues> {
  /** The session called `name` (default: the `name` option, `'session'`), loaded once per request. */
  session(name?: string): Promise<Session<T>>;
  /** The CSRF token to put in a form's hidden `_csrf` field (or the guard's `field`), masked afresh. */
  csrfToken(): Promise<string>;
}

/** A fetch handler that uses sessions; `rest` is whatever the runtime passes after the request (workerd's `env`, `ctx`). */
export type SessionHandler<T extends SessionValues, R extends unknown[]> = (
  request: Request,
  tools: SessionTools<T>,
  ...rest: R
) => Response | Promise<Response>;

const OPTION_KEYS: OptionKeys<WithSessionsOptions<SessionValues, unknown[]>> = { store: true, name: true, csrf: true, ip: true, maxFormBytes: true };

function forbidden(reason: string): Response {
  return new Response(`Forbidden: ${reason}\n`, { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/** Reads at most `max` bytes of a copy of the body; null when it is longer. */
async function readCapped(request: Request, max: number): Promise<string | null> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > max) return null;
  const body = request.clone().body;
  if (body === null) return '';
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      // Not awaited: a branch of a teed body (clone()) settles its cancel only once the other
      // branch is cancelled too, and the handler's branch never is, so awaiting hung the request.
      reader.cancel().catch(() => {});
      return null;
    }
    parts.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.byteLength;
  }
  return new TextDecoder().decode(all);
}

/** Appends the cookies, copying the response when its headers are immutable. */
function withCookies(response: Response, cookies: readonly string[]): Response {
  if (cookies.length === 0) return response;
  let out = response;
  try {
    for (const cookie of cookies) out.headers.append('set-cookie', cookie);
  } catch {
    // Immutable headers (Response.redirect(), a fetch() result): a copy shares the body stream.
    out = new Response(response.body, response);
    for (const cookie of cookies) out.headers.append('set-cookie', cookie);
  }
  return out;
}

/**
 * Wraps a fetch handler with sessions: `(request, { session }) => Response` becomes
 * `(request) => Promise<Response>`, with every changed session's `Set-Cookie` on the response.
 *
 * @example
 * ```ts
 * import { CookieStore, Keyring } from 'cachet';
 * import { withSessions } from 'cachet/fetch';
 *
 * const store = new CookieStore<{ visits?: number }>({ keyring: await Keyring.create([{ id: 'k1', secret }]) });
 * export default {
 *   fetch: withSessions({ store }, async (request, { session }) => {
 *     const s = await session();
 *     s.values.visits = (s.values.visits ?? 0) + 1; // sealed into Set-Cookie after the handler returns
 *     return new Response(`visit ${s.values.visits}`);
 *   }),
 * };
 * ```
 */
export function withSessions<T extends SessionValues, R extends unknown[] = []>(
  options: WithSessionsOptions<T, R>,
  handler: SessionHandler<T, R>,
): (request: Request, ...rest: R) => Promise<Response> {
  checkOptionKeys('withSessions', options, OPTION_KEYS);
  const store = options.store;
  if (typeof store?.get !== 'function') throw new TypeError('withSessions(): options.store must be a session store, e.g. withSessions({ store }, handler)');
  const defaultName = options.name ?? 'session';
  const guard =
    options.csrf === undefined || options.csrf === false ? null : new CsrfGuard(options.csrf === true ? {} : options.csrf, CSRF_GUARD_OPTION_KEYS, 'withSessions csrf');
  const maxFormBytes = options.maxFormBytes ?? 65_536;
  if (!Number.isSafeInteger(maxFormBytes) || maxFormBytes < 1) {
    throw new SessionError('ERR_OPTIONS_INVALID', 'usage', `withSessions: maxFormBytes must be a positive whole number of bytes (got ${String(maxFormBytes)}).`);
  }
  const ipOf = options.ip;

  return async (request, ...rest) => {
    const headers = request.headers;
    const ip = ipOf?.(request, ...rest);
    const scope = new SessionScope(ip === undefined ? { headers: scopeHeaders(headers) } : { headers: scopeHeaders(headers), ip });
    const tools: SessionTools<T> = {
      session: (name = defaultName) => store.get(scope, name),
      csrfToken: async () => (guard ?? new CsrfGuard()).token(await store.get(scope, defaultName)),
    };
    try {
      if (guard !== null && !CsrfGuard.safe(request.method)) {
        let tooLarge = false;
        const view: CsrfRequest = {
          method: request.method,
          header: (name) => (name === 'host' ? (headers.get('host') ?? new URL(request.url).host) : (headers.get(name) ?? undefined)),
          formField: async (field) => {
            const text = await readCapped(request, maxFormBytes);
            if (text === null) {
              tooLarge = true;
              return undefined;
            }
            return new URLSearchParams(text).get(field) ?? undefined;
          },
        };
        const verdict = await guard.check(view, (await store.get(scope, defaultName)) as Session<SessionValues>);
        if (tooLarge) return new Response('Payload Too Large\n', { status: 413, headers: { 'content-type': 'text/plain; charset=utf-8' } });
        if (verdict === 'cross-site') return withCookies(forbidden('cross-site request'), await scope.commit());
        if (verdict === 'bad-token') return withCookies(forbidden('invalid CSRF token'), await scope.commit());
      }
      const response = await handler(request, tools, ...rest);
      // A session that was only read commits synchronously: no await, so no extra microtask turn.
      const out = scope.commit();
      return withCookies(response, Array.isArray(out) ? (out as readonly string[]) : await out);
    } catch (err) {
      // A store that cannot be reached, while loading or saving: 503 with Retry-After and no
      // cookie, as on cachet's own server. Anything else is the runtime's to answer.
      if (storeIsUnavailable(err)) return storeUnavailableResponse();
      throw err;
    }
  };
}
