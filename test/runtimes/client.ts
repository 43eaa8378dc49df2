// A visitor of the demo app, driven with real HTTP from Node (node:http, so that every header sent
// is exactly the one written here). It keeps its cookies in a jar that several visitors can share,
// so that a cookie one runtime wrote can be shown to another.
import { request } from 'node:http';
import assert from 'node:assert/strict';

export type Mode = 'sealed' | 'signed';
export const MODES: readonly Mode[] = ['sealed', 'signed'];

/** The session cookie of a mode: the demo names its sessions after the mode, with `__Host-`. */
export function cookieName(mode: Mode): string {
  return `__Host-${mode}`;
}

/** What one request got back. */
export interface Reply {
  status: number;
  location: string | undefined;
  setCookies: string[];
  body: string;
}

/** The demo's /state. */
export interface DemoState {
  runtime: string;
  mode: Mode;
  user: string | null;
  count: number;
  csrf: string;
}

/** Cookies by name. Attributes are not kept: only a deletion (`Max-Age=0`) matters here. */
export class Jar {
  readonly #cookies = new Map<string, string>();

  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  set(name: string, value: string): void {
    this.#cookies.set(name, value);
  }

  header(): string | undefined {
    if (this.#cookies.size === 0) return undefined;
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  take(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const pair = line.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      if (/;\s*max-age=0\s*(;|$)/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, pair.slice(eq + 1).trim());
    }
  }
}

function send(origin: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolveReply, reject) => {
    const req = request(`${origin}${path}`, { method, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const raw = res.headers['set-cookie'];
        resolveReply({ status: res.statusCode ?? 0, location: res.headers.location, setCookies: raw ?? [], body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One browser-like visitor of one server. Unsafe requests carry what a same-origin form post carries. */
export class Visitor {
  constructor(
    readonly origin: string,
    readonly jar: Jar = new Jar(),
  ) {}

  async get(path: string): Promise<Reply> {
    const cookie = this.jar.header();
    const reply = await send(this.origin, 'GET', path, cookie === undefined ? {} : { cookie });
    this.jar.take(reply.setCookies);
    return reply;
  }

  /** Posts an urlencoded form; `headers` replace the same-origin defaults (`''` removes one). */
  async post(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Reply> {
    const cookie = this.jar.header();
    const all: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', origin: this.origin, 'sec-fetch-site': 'same-origin', ...(cookie === undefined ? {} : { cookie }), ...headers };
    for (const [name, value] of Object.entries(all)) if (value === '') delete all[name];
    const reply = await send(this.origin, 'POST', path, all, new URLSearchParams(form).toString());
    this.jar.take(reply.setCookies);
    return reply;
  }

  /** GET /<mode>/state, which must answer 200 with JSON. */
  async state(mode: Mode): Promise<DemoState> {
    const reply = await this.get(`/${mode}/state`);
    assert.equal(reply.status, 200, `GET /${mode}/state on ${this.origin}: ${reply.body}`);
    return JSON.parse(reply.body) as DemoState;
  }

  /** Logs in through the form; asserts the redirect home. */
  async logIn(mode: Mode, name: string): Promise<void> {
    const { csrf } = await this.state(mode);
    const reply = await this.post(`/${mode}/login`, { name, _csrf: csrf });
    assert.equal(reply.status, 303, `login on ${this.origin}: ${reply.body}`);
    assert.equal(reply.location, `${this.origin}/${mode}/`);
  }

  /** Presses "Count"; asserts the redirect home. */
  async count(mode: Mode): Promise<void> {
    const { csrf } = await this.state(mode);
    const reply = await this.post(`/${mode}/count`, { _csrf: csrf });
    assert.equal(reply.status, 303, `count on ${this.origin}: ${reply.body}`);
  }

  /** Presses "Log out"; asserts the redirect home and the cookie's deletion. */
  async logOut(mode: Mode): Promise<void> {
    const { csrf } = await this.state(mode);
    const reply = await this.post(`/${mode}/logout`, { _csrf: csrf });
    assert.equal(reply.status, 303, `logout on ${this.origin}: ${reply.body}`);
    assert.ok(
      reply.setCookies.some((line) => line.startsWith(`${cookieName(mode)}=;`) && /;\s*Max-Age=0/i.test(line)),
      `logout on ${this.origin} deletes ${cookieName(mode)}: ${JSON.stringify(reply.setCookies)}`,
    );
  }
}
