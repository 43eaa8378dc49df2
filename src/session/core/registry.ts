/**
 * The session registry: one `Session` per request and name, and the auto-commit hook.
 *
 * Gorilla keeps a per-request registry so that two `Get` calls share one session; here the map
 * hangs off the request context itself under a symbol private to the registry, so it is freed
 * with the request and no middleware is needed. (A `WeakMap` keyed by the context did the same but
 * cost measurable GC time per request: ephemeron tables are expensive to trace.)
 * The first `get` for a name registers an `onBeforeSend` hook that commits the session after the
 * handler chain and before the headers are written — redirects included — which removes both the
 * forgotten `save()` and express-session's save-before-redirect race.
 * @module
 */
import { SessionError } from '../../errors.js';
import { isCookieName } from '../../cookie/grammar.js';
import type { Session } from './session.js';
import type { SessionValues } from './session-record.js';
import type { SessionContext } from './types.js';

/** The error every store throws when a destroyed session is saved. */
export function destroyedSessionError(): SessionError {
  return new SessionError('ERR_SESSION_DESTROYED', 'usage', 'This session was destroyed; call regenerate() to start a new one before saving.');
}

/**
 * Per-request memo of sessions, shared by the stores.
 *
 * @example
 * ```ts
 * const registry = new SessionRegistry<Values>();
 * const session = await registry.get(ctx, 'session', () => load(ctx), (s) => commit(ctx, s));
 * ```
 */
export class SessionRegistry<T extends SessionValues> {
  readonly #slot: symbol = Symbol('cachet.sessions');
  readonly #names = new Set<string>();

  /**
   * A usage error when session `name` (whose full cookie name is `cookieName`) cannot be a cookie
   * name, else undefined. A misspelt name fails in the handler that asked for it, not later while
   * committing; each good name is checked once per store.
   */
  checkName(name: string, cookieName: string): SessionError | undefined {
    if (this.#names.has(name)) return undefined;
    if (typeof name !== 'string' || !isCookieName(cookieName)) {
      return new SessionError('ERR_COOKIE_NAME_INVALID', 'usage', `Session name ${JSON.stringify(name)} is not a valid cookie name (letters, digits and !#$%&'*+-.^_\`|~ only).`);
    }
    this.#names.add(name);
    return undefined;
  }

  /**
   * The session `name` of `ctx`: loaded once with `load`, committed once with `commit` before
   * the headers go out. `load` may return the session itself when it had nothing to wait for (a
   * verified-cache hit): the entry then holds it at once, with no `.then` on the load. `commit` may
   * return nothing when it has nothing to write: the hook then completes synchronously and the
   * response goes out without a promise hop. Each hop skipped is a microtask less per request.
   */
  get(
    ctx: SessionContext,
    name: string,
    load: () => Session<T> | Promise<Session<T>>,
    commit: (session: Session<T>) => Promise<void> | void,
  ): Promise<Session<T>> {
    // One request almost always uses one session: the first entry hangs off the context directly,
    // further names go to a Map on it (measured: a Map per request cost ~0.5 µs in process).
    const holder = ctx as SessionContext & { [slot: symbol]: Entry<T> | undefined };
    const first = holder[this.#slot];
    if (first !== undefined) {
      if (first.name === name) return first.loading;
      const known = first.more?.get(name);
      if (known !== undefined) return known.loading;
    }
    let loaded: Session<T> | Promise<Session<T>>;
    try {
      loaded = load();
    } catch (err) {
      loaded = Promise.reject(err); // as an async load would have reported it
    }
    const entry: Entry<T> =
      loaded instanceof Promise
        ? { name, loading: loaded, session: undefined, more: undefined }
        : { name, loading: Promise.resolve(loaded), session: loaded, more: undefined };
    if (first === undefined) holder[this.#slot] = entry;
    else (first.more ??= new Map()).set(name, entry);
    if (entry.session === undefined) {
      // Registered before the caller's own await, so it has run by the time the hook does.
      entry.loading.then((session) => {
        entry.session = session;
      }, ignore);
    }
    ctx.onBeforeSend(() => (entry.session !== undefined ? commit(entry.session) : commitWhenLoaded(entry.loading, commit)));
    return entry.loading;
  }
}

interface Entry<T extends SessionValues> {
  name: string;
  loading: Promise<Session<T>>;
  /** Set once `loading` has resolved. */
  session: Session<T> | undefined;
  /** Sessions of other names in the same request. */
  more: Map<string, Entry<T>> | undefined;
}

function ignore(): void {}

// The handler did not wait for the session (or its load failed): wait here.
async function commitWhenLoaded<T extends SessionValues>(loading: Promise<Session<T>>, commit: (session: Session<T>) => Promise<void> | void): Promise<void> {
  let session: Session<T>;
  try {
    session = await loading;
  } catch {
    return; // the handler already received this error from get()
  }
  await commit(session);
}
