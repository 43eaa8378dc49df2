// The shared suite's browser: real HTTP through Node's fetch with `redirect: 'manual'`, and a
// cookie jar kept by hand, because fetch keeps none. It applies Set-Cookie as a browser does
// (the last line per name wins; `Max-Age=0` or a past `Expires` deletes) and ignores `Secure`,
// `Path` and `Domain`: the suite talks to one host over http://127.0.0.1.

/** One response, read whole. */
export interface Reply {
  status: number;
  headers: Headers;
  /** Every Set-Cookie line of the response, raw, in order. */
  setCookies: string[];
  /** The body parsed as JSON when it is JSON, else the text. */
  body: unknown;
}

const DELETES = /;\s*(max-age=0\s*(;|$)|expires=thu, 01 jan 1970)/i;

/** A client with its own cookies, sending every cookie it holds on every request. */
export class Client {
  readonly jar = new Map<string, string>();
  constructor(readonly base: string) {}

  /** The Cookie header the client sends next, or undefined when the jar is empty. */
  get cookieHeader(): string | undefined {
    return this.jar.size === 0 ? undefined : [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Sends `init` to `path`; a `cookie` header in `init` replaces the jar for this one request. */
  async request(path: string, init: RequestInit = {}): Promise<Reply> {
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader;
    if (!headers.has('cookie') && cookie !== undefined) headers.set('cookie', cookie);
    const res = await fetch(this.base + path, { ...init, headers, redirect: 'manual' });
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) {
      const pair = line.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      if (DELETES.test(line)) this.jar.delete(name);
      else this.jar.set(name, pair.slice(eq + 1).trim());
    }
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: a redirect, a 403 page
    }
    return { status: res.status, headers: res.headers, setCookies, body };
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
    return this.request(path, { headers });
  }

  post(path: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> {
    return this.request(path, { method: 'POST', headers, ...(body !== undefined ? { body } : {}) });
  }

  /** A second client holding a copy of this one's cookies (a replayed or stolen jar). */
  copy(): Client {
    const other = new Client(this.base);
    for (const [name, value] of this.jar) other.jar.set(name, value);
    return other;
  }
}

/** The Set-Cookie lines of `reply` for exactly the cookie `name`. */
export function setCookiesFor(reply: Reply, name: string): string[] {
  return reply.setCookies.filter((line) => line.startsWith(`${name}=`));
}
