/**
 * Holding a Node response until the sessions have committed.
 *
 * A changed session seals its cookie with Web Crypto, which is asynchronous, and the `Set-Cookie`
 * must be on the response before its headers leave. Express and Connect have no hook for that, so,
 * as express-session does, the response's own methods are wrapped: the first of `writeHead`,
 * `write` or `end` (a `write` or `end` sends the headers implicitly) starts the commit. When it
 * finishes synchronously (no session changed: the usual read-only request) the call goes straight
 * through and nothing is held. Otherwise the calls are queued in order, arguments and callbacks
 * untouched, and replayed once the cookies are on the response.
 *
 * Unlike express-session, which sets its cookie (a session id, known at once) when the headers go
 * and only holds `end` for the store, the cookie here is the sealed data itself: the headers wait.
 *
 * The wrappers stay on the response after release (in pass-through mode) instead of being
 * removed, because a middleware mounted later may have wrapped them in turn.
 * @module
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** The part of a Node `ServerResponse` the hold touches. Express's and Connect's `res` are one. */
export type HeldResponse = Pick<
  ServerResponse,
  'writeHead' | 'write' | 'end' | 'getHeader' | 'setHeader' | 'once' | 'emit' | 'destroy' | 'statusCode'
>;

/**
 * What the hold waits for: the staged `Set-Cookie` values, synchronously when nothing changed.
 * `status` is the status the response is about to be sent with.
 */
export type CommitCookies = (status: number) => readonly string[] | Promise<readonly string[]>;

// The wrapped methods take Node's many overloads; the hold only forwards their arguments.
type Method = (this: HeldResponse, ...args: unknown[]) => unknown;
type Call = { method: Method; args: unknown[] };

const OPEN = 0;
const HOLDING = 1;
const RELEASED = 2;

/** Appends `cookies` to the response's `Set-Cookie`, keeping any the app set itself. */
function appendCookies(res: HeldResponse, cookies: readonly string[]): void {
  if (cookies.length === 0) return;
  const existing = res.getHeader('set-cookie');
  const before = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  res.setHeader('set-cookie', [...before, ...cookies]);
}

/**
 * `writeHead(status, headers)` with a `Set-Cookie` in `headers` would replace the one appended
 * with `setHeader` (Node lets `writeHead`'s object win): merge ours into that object instead.
 */
function mergeIntoWriteHead(args: unknown[], cookies: readonly string[]): unknown[] {
  const at = typeof args[1] === 'object' && args[1] !== null ? 1 : typeof args[2] === 'object' && args[2] !== null ? 2 : -1;
  if (at === -1 || Array.isArray(args[at]) || cookies.length === 0) return args;
  const headers = args[at] as OutgoingHttpHeaders;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === 'set-cookie');
  if (key === undefined) return args;
  const own = headers[key];
  const merged = { ...headers, [key]: [...(Array.isArray(own) ? own : own === undefined ? [] : [String(own)]), ...cookies] };
  const out = [...args];
  out[at] = merged;
  return out;
}

/** The callback among a `write`/`end` call's arguments, if any (Node takes it last). */
function callbackOf(args: unknown[]): ((err?: unknown) => void) | undefined {
  for (let i = args.length - 1; i >= 0; i--) if (typeof args[i] === 'function') return args[i] as (err?: unknown) => void;
  return undefined;
}

/**
 * Wraps `res.writeHead`, `res.write` and `res.end` so that the response's headers wait for
 * `commit`. When `commit` throws or rejects, `fail` gets the error: if the app had already ended
 * its response, nothing of it was sent and `fail` may answer instead (Express's error handling:
 * a 500); if the app was still streaming its body, the response is destroyed first (a connection
 * reset is the only honest answer once part of a body exists), and `fail` only reports.
 */
export function holdResponse(res: HeldResponse, commit: CommitCookies, fail: (err: unknown) => void): void {
  const writeHead = res.writeHead as unknown as Method;
  const write = res.write as unknown as Method;
  const end = res.end as unknown as Method;
  let state = OPEN;
  let queue: Call[] = [];
  let ended = false;
  let owesDrain = false;
  /** The cookies the commit put on the response, for a `writeHead` whose own `Set-Cookie` would replace them. */
  let committed: readonly string[] = [];

  function release(cookies: readonly string[]): void {
    state = RELEASED;
    const calls = queue;
    queue = [];
    let lastWrite = true;
    try {
      appendCookies(res, cookies);
      committed = cookies;
      for (const call of calls) {
        const out = call.method.apply(res, call.method === writeHead ? mergeIntoWriteHead(call.args, cookies) : call.args);
        if (call.method === write) lastWrite = out !== false;
      }
    } catch (err) {
      // A replayed call threw (a header value Node refuses): it would have thrown in the route,
      // which Express catches; here it runs in a promise callback, so hand it over the same way.
      fail(err);
      return;
    }
    // A held write answered false (a pipe paused on it): the response owes a 'drain'. When the
    // replayed write went through at once, Node will not send one, so send it here.
    if (owesDrain && lastWrite && !ended) res.emit('drain');
  }

  function failed(err: unknown): void {
    state = RELEASED;
    const calls = queue;
    queue = [];
    if (ended) {
      // Nothing of the app's response left: its end callback waits for whatever ends it now.
      for (const call of calls) {
        const cb = callbackOf(call.args);
        if (cb === undefined) continue;
        if (call.method === end) res.once('finish', () => cb());
        else if (call.method === write) queueMicrotask(() => cb(err));
      }
    } else {
      res.destroy();
      for (const call of calls) {
        const cb = callbackOf(call.args);
        if (cb !== undefined && call.method === write) queueMicrotask(() => cb(err));
      }
    }
    fail(err);
  }

  /** Starts the commit on the first call; true when the call may go straight through. */
  function begin(status: number): boolean {
    let out: readonly string[] | Promise<readonly string[]>;
    try {
      out = commit(status);
    } catch (err) {
      state = HOLDING;
      queueMicrotask(() => failed(err));
      return false;
    }
    if (!(out instanceof Promise)) {
      appendCookies(res, out);
      committed = out;
      state = RELEASED;
      return true;
    }
    state = HOLDING;
    out.then(release, failed);
    return false;
  }

  res.writeHead = function heldWriteHead(this: HeldResponse, ...args: unknown[]) {
    const status = typeof args[0] === 'number' ? args[0] : this.statusCode;
    if (state === RELEASED || (state === OPEN && begin(status))) return writeHead.apply(this, mergeIntoWriteHead(args, committed));
    queue.push({ method: writeHead, args });
    return this;
  } as HeldResponse['writeHead'];

  res.write = function heldWrite(this: HeldResponse, ...args: unknown[]) {
    if (state === RELEASED || (state === OPEN && begin(this.statusCode))) return write.apply(this, args);
    queue.push({ method: write, args });
    owesDrain = true;
    return false;
  } as HeldResponse['write'];

  res.end = function heldEnd(this: HeldResponse, ...args: unknown[]) {
    if (state === RELEASED || (state === OPEN && begin(this.statusCode))) return end.apply(this, args);
    ended = true;
    queue.push({ method: end, args });
    return this;
  } as HeldResponse['end'];
}
