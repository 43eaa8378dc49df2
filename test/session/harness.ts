// A real node:http server with a minimal SessionContext, and a cookie-jar client.
// The store suite runs on this harness so that it depends on the session layer only (not on
// src/http); the integration tests in test/http run the same stores inside createApp.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BeforeSendHook, SessionContext, SessionCookieAttributes } from '../../src/session/core/types.js';

export interface HarnessContext extends SessionContext {
  readonly req: IncomingMessage;
  readonly url: URL;
}

export interface Reply {
  status: number;
  body: unknown;
  /** Every Set-Cookie header of the response, raw. */
  setCookies: string[];
  /**
   * The cookie name of every setCookie/deleteCookie call the request made, in order (from the
   * harness's own `x-cookie-writes` header). `setCookies` keeps only the last line per name, as a
   * response does, so a second write of one cookie shows only here.
   */
  cookieWrites: string[];
}

function attrs(a: SessionCookieAttributes): string {
  let out = '';
  if (a.path !== undefined) out += `; Path=${a.path}`;
  if (a.domain !== undefined) out += `; Domain=${a.domain}`;
  if (a.maxAge !== undefined) out += `; Max-Age=${a.maxAge}`;
  if (a.expires !== undefined) out += `; Expires=${a.expires.toUTCString()}`;
  if (a.secure === true) out += '; Secure';
  if (a.httpOnly === true) out += '; HttpOnly';
  if (a.sameSite !== undefined) out += `; SameSite=${a.sameSite}`;
  if (a.partitioned === true) out += '; Partitioned';
  return out;
}

function parseCookieHeader(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!(name in out)) out[name] = part.slice(eq + 1).trim();
  }
  return out;
}

export type Handler = (ctx: HarnessContext) => unknown;

/** Starts a server on 127.0.0.1:0; `handler`'s return value is sent as JSON after the before-send hooks. */
export async function serve(handler: Handler): Promise<{ url: string; errors: unknown[]; close: () => Promise<void> }> {
  const errors: unknown[] = [];
  const server: Server = createServer((req, res) => {
    const hooks: BeforeSendHook[] = [];
    const staged = new Map<string, string>();
    const writes: string[] = [];
    const ctx: HarnessContext = {
      req,
      url: new URL(req.url ?? '/', 'http://127.0.0.1'),
      cookies: parseCookieHeader(req.headers.cookie),
      headers: req.headers,
      ip: req.socket.remoteAddress ?? '',
      setCookie: (name, value, a) => { writes.push(name); staged.set(name, `${name}=${value}${attrs(a)}`); },
      deleteCookie: (name, a) => { writes.push(name); staged.set(name, `${name}=${attrs({ ...a, maxAge: 0, expires: new Date(0) })}`); },
      onBeforeSend: (hook) => { hooks.push(hook); },
    };
    void (async () => {
      try {
        const body = await handler(ctx);
        for (const hook of hooks) await hook();
        res.setHeader('content-type', 'application/json');
        if (staged.size > 0) res.setHeader('set-cookie', [...staged.values()]);
        res.setHeader('x-cookie-writes', JSON.stringify(writes));
        res.end(JSON.stringify(body ?? null));
      } catch (err) {
        errors.push(err);
        res.statusCode = 500;
        res.end(JSON.stringify({ error: err instanceof Error ? (err as { code?: string }).code ?? err.message : String(err) }));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    errors,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A cookie jar that applies Set-Cookie like a browser would (deletion by Max-Age=0). */
export class Browser {
  readonly jar = new Map<string, string>();
  constructor(readonly base: string) {}

  async request(path: string, init: RequestInit = {}): Promise<Reply> {
    const headers = new Headers(init.headers);
    if (this.jar.size > 0 && !headers.has('cookie')) headers.set('cookie', [...this.jar].map(([n, v]) => `${n}=${v}`).join('; '));
    const res = await fetch(this.base + path, { ...init, headers, redirect: 'manual' });
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      if (/;\s*Max-Age=0(;|$)/i.test(line)) this.jar.delete(name);
      else this.jar.set(name, pair.slice(eq + 1));
    }
    const text = await res.text();
    let body: unknown = text;
    try { body = JSON.parse(text); } catch { /* not JSON (a redirect, an error page) */ }
    const cookieWrites = JSON.parse(res.headers.get('x-cookie-writes') ?? '[]') as string[];
    return { status: res.status, body, setCookies, cookieWrites };
  }

  get(path: string): Promise<Reply> {
    return this.request(path);
  }
}

/** The Set-Cookie lines of `reply` for cookie `name` (exact name, not chunks). */
export function setCookieFor(reply: Reply, name: string): string[] {
  return reply.setCookies.filter((line) => line.startsWith(`${name}=`));
}
