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
import { SessionError } from '../errors.js';
import { isCookieName } from '../cookie/grammar.js';
import type { Session, SessionValues } from './session.js';
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
   * the headers go out.
   */
  get(
    ctx: SessionContext,
    name: string,
    load: () => Promise<Session<T>>,
    commit: (session: Session<T>) => Promise<void>,
  ): Promise<Session<T>> {
    const holder = ctx as SessionContext & { [slot: symbol]: Map<string, Promise<Session<T>>> | undefined };
    let sessions = holder[this.#slot];
    if (sessions === undefined) {
      sessions = new Map();
      holder[this.#slot] = sessions;
    }
    const known = sessions.get(name);
    if (known !== undefined) return known;
    const loading = load();
    sessions.set(name, loading);
    ctx.onBeforeSend(async () => {
      let session: Session<T>;
      try {
        session = await loading;
      } catch {
        return; // the handler already received this error from get()
      }
      await commit(session);
    });
    return loading;
  }
}
