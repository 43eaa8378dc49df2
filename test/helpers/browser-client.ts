/**
 * A tiny cookie-keeping HTTP client for app tests: it stores Set-Cookie values like a browser
 * (deleting on Max-Age=0), sends them back, never follows redirects, and sends the Fetch Metadata
 * header a browser would send for a same-origin form post.
 */
export interface Reply {
  status: number;
  headers: Headers;
  body: string;
  setCookies: string[];
}

export class TestBrowser {
  readonly jar = new Map<string, string>();
  constructor(readonly origin: string) {}

  cookieHeader(): string {
    return [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async request(method: string, path: string, options: { form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Reply> {
    const headers: Record<string, string> = { 'sec-fetch-site': 'same-origin', ...options.headers };
    const cookie = this.cookieHeader();
    if (cookie !== '') headers['cookie'] = cookie;
    let body: string | undefined;
    if (options.form !== undefined) {
      body = new URLSearchParams(options.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await fetch(this.origin + path, { method, headers, redirect: 'manual', ...(body === undefined ? {} : { body }) });
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const deleted = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (deleted) this.jar.delete(name);
      else this.jar.set(name, pair.slice(eq + 1).trim());
    }
    return { status: res.status, headers: res.headers, body: await res.text(), setCookies };
  }

  get(path: string, headers?: Record<string, string>): Promise<Reply> {
    return this.request('GET', path, headers === undefined ? {} : { headers });
  }

  post(path: string, form: Record<string, string>, headers?: Record<string, string>): Promise<Reply> {
    return this.request('POST', path, headers === undefined ? { form } : { form, headers });
  }
}

/** The `_csrf` hidden field's value in a page. */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (match?.[1] === undefined) throw new Error('no _csrf field in the page');
  return match[1];
}
