// What the shared suite's tests stand on: the store kinds, the keys, the neutral routes every
// harness serves, and `mount()`, which starts one test's server with a store on the test's clock.
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { CookieStore } from '../../src/session/cookie-store/cookie-store.js';
import { MemoryStore } from '../../src/session/server-store/memory/memory-store.js';
import { Keyring } from '../../src/keys/keyring.js';
import { generateKey } from '../../src/keys/generate.js';
import type { Session } from '../../src/session/core/session.js';
import type { SessionValues } from '../../src/session/core/session-record.js';
import type { Store } from '../../src/session/core/types.js';
import type { SessionStoreOptions } from '../../src/session/core/store-options.js';
import type { Action, Harness, SuiteValues } from './harness.js';
import { Client, type Reply } from './cookie-jar.js';

/** The store kinds the suite runs on: the two cookie modes, and one server-side store. */
export type StoreKind = 'sealed' | 'signed' | 'memory';
export const STORE_KINDS: readonly StoreKind[] = ['sealed', 'signed', 'memory'];

/** The full cookie name of the suite's session: the stores' default `__Host-` prefix and `'session'`. */
export const COOKIE = '__Host-session';
/** When every test's clock starts: a fixed time, never the machine's. */
export const T0 = Date.UTC(2026, 10, 26, 12);
/** The stores' idle and absolute timeouts, in seconds. */
export const IDLE = 600;
export const ABSOLUTE = 1800;

const keyA = generateKey('suite-a');
const keyB = generateKey('suite-b');
export const ringA = await Keyring.create([keyA]);
export const ringBA = await Keyring.create([keyB, keyA]);
export const ringB = await Keyring.create([keyB]);

/** What a route tells the suite about the session it saw. */
export interface View {
  id: string;
  isNew: boolean;
  count: number | null;
  user: string | null;
  big: number | null;
}

function view(session: Session<SuiteValues>): View {
  return {
    id: session.id,
    isNew: session.isNew,
    count: session.values.count ?? null,
    user: session.values.user ?? null,
    big: session.values.big?.length ?? null,
  };
}

/** The suite's routes, the same on every server (harness.ts says how a server maps them). */
export const ACTIONS: Readonly<Record<string, Action>> = {
  read: (s) => ({ json: { ...view(s) } }),
  inc: (s) => {
    s.values.count = (s.values.count ?? 0) + 1;
    return { json: { ...view(s) } };
  },
  /** An answer other than 200 still carries the changed session. */
  teapot: (s) => {
    s.values.count = (s.values.count ?? 0) + 1;
    return { text: 'short and stout', status: 418 };
  },
  /** A route that fails after changing the session: the framework's error handling answers. */
  fail: (s) => {
    s.values.count = (s.values.count ?? 0) + 1;
    throw new Error('the suite\'s planned failure');
  },
  login: (s, q) => {
    s.regenerate();
    s.values.user = q.get('user') ?? 'alice';
    s.addFlash('welcome');
    return { redirect: '/a/home' };
  },
  home: (s) => ({ json: { user: s.values.user ?? null, count: s.values.count ?? null, flashes: s.flashes() } }),
  big: (s, q) => {
    const size = Number(q.get('size') ?? '0');
    if (size > 0) s.values.big = 'x'.repeat(size);
    else delete s.values.big;
    return { json: { ...view(s) } };
  },
  destroy: async (s) => {
    await s.destroy();
    return { json: { destroyed: true } };
  },
  /** A body streamed in three chunks, after the session changed: the cookie must go with its headers. */
  stream: (s) => {
    s.values.count = (s.values.count ?? 0) + 1;
    return { chunks: STREAM_CHUNKS };
  },
  /** The route sets a cookie of its own next to the session's. */
  theme: (s, q) => {
    s.values.count = (s.values.count ?? 0) + 1;
    return { json: { ...view(s) }, appCookie: { name: 'theme', value: q.get('theme') ?? 'dark' } };
  },
  /** A second session, `prefs`, loaded through the adapter and changed on the same request. */
  both: async (s, _q, sessions) => {
    const prefs = await sessions('prefs');
    if (prefs !== (await sessions('prefs'))) throw new Error('sessions(name) must give the same object on every call');
    s.values.count = (s.values.count ?? 0) + 1;
    prefs.values.count = (prefs.values.count ?? 0) + 10;
    return { json: { main: s.values.count, prefs: prefs.values.count } };
  },
};

/** The chunks of the `stream` route's body. Each is long enough that no server merges the three by accident. */
export const STREAM_CHUNKS: readonly string[] = ['first chunk;', ' second chunk;', ' third and last chunk.'];
/** `chunks` as a web `ReadableStream`, pulled one chunk at a time (for the fetch-style servers). */
export function chunkStream(chunks: readonly string[]): ReadableStream<Uint8Array> {
  const left = [...chunks];
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = left.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(encoder.encode(next));
    },
  });
}

/** The full cookie name of the `both` route's second session. */
export const PREFS_COOKIE = '__Host-prefs';

export type SuiteStore = CookieStore<SuiteValues> | MemoryStore<SuiteValues>;

/** A store of `kind` on the test's clock. */
export function makeStore(kind: StoreKind, now: () => number, extra: { chunking?: boolean } & SessionStoreOptions = {}): SuiteStore {
  const options = { keyring: ringA, now, idleTimeout: IDLE, absoluteTimeout: ABSOLUTE, ...extra };
  if (kind === 'memory') {
    const { chunking: _chunking, ...rest } = options;
    return new MemoryStore<SuiteValues>(rest);
  }
  return new CookieStore<SuiteValues>({ ...options, mode: kind });
}

/** One test's server: a fresh store of `kind`, its clock, and a client. Closed when the test ends. */
export async function mount(t: TestContext, harness: Harness, kind: StoreKind, options: { chunking?: boolean; csrf?: boolean } = {}) {
  let clock = T0;
  const store = makeStore(kind, () => clock, options.chunking === true ? { chunking: true } : {});
  const mounted = await harness.start({ store, actions: ACTIONS, csrf: options.csrf ?? false });
  t.after(() => mounted.close());
  return {
    store,
    url: mounted.url,
    client: new Client(mounted.url),
    /** Moves the store's clock on by `seconds`. */
    tick: (seconds: number) => {
      clock += seconds * 1000;
    },
  };
}

/** The body of a JSON reply that must be a 200 with a {@link View}. */
export function ok(reply: Reply): View {
  assert.equal(reply.status, 200, `expected 200, got ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply.body as View;
}

/**
 * A store that hands every call to `inner` and records the client address (`ctx.ip`) each `get`
 * was given: what an adapter's tests check its `ip` option or its framework's address against.
 */
export function ipRecordingStore<T extends SessionValues>(inner: Store<T>): { store: Store<T>; seen: (string | undefined)[] } {
  const seen: (string | undefined)[] = [];
  const store: Store<T> = {
    get: (ctx, name) => {
      seen.push(ctx.ip);
      return inner.get(ctx, name);
    },
    save: (ctx, session) => inner.save(ctx, session),
    destroy: (ctx, session) => inner.destroy(ctx, session),
  };
  return { store, seen };
}
