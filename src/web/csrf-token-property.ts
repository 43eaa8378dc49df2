/**
 * The masked CSRF token as a property of a per-request object that templates read (`ctx.state`,
 * Express's `res.locals`, Koa's `ctx.state`): masked on first read only, so a page without a form
 * neither masks a token nor creates one in an anonymous visitor's session (and its Set-Cookie).
 *
 * One getter and one descriptor serve every request, reading the request's session from a
 * symbol-keyed slot of the object. Why not a getter made per request: a function of its own gave
 * each request's object a hidden class of its own, held from the old generation, which kept the
 * request's objects alive through a young GC: 3.2 KB promoted per page view of the reference app,
 * about a tenth of its CPU (docs/reference-app-speed.md). Why not a plain value: it would
 * mask a token on every request, and create one in a session that has none.
 * @module
 */
import type { Session } from '../session/core/session.js';
import type { SessionValues } from '../session/core/session-record.js';
import type { CsrfGuard } from './csrf-guard.js';

/** What the shared getter needs of one request: its session, and its token once masked. */
interface LazyToken {
  readonly session: Session<SessionValues>;
  shown: string | undefined;
}

/** Puts the session's lazily masked token on `target` (one request's object). */
export type DefineCsrfToken = (target: object, session: Session<SessionValues>) => void;

/**
 * Makes the definer of `target[key]` for one middleware: call it once per middleware, and the
 * definer once per request. The property is an own, enumerable, configurable accessor, so spreading
 * the object carries the token, and a second middleware may define it again.
 *
 * @example
 * ```ts
 * const defineToken = csrfTokenProperty(guard, 'csrfToken');
 * // per request:
 * defineToken(ctx.state, session);
 * ctx.state.csrfToken; // masked now, the same string for the rest of the request
 * ```
 */
export function csrfTokenProperty(guard: CsrfGuard, key: string): DefineCsrfToken {
  const slot = Symbol('csrf token');
  type Holder = { [slot]?: LazyToken };
  const descriptor: PropertyDescriptor = {
    configurable: true,
    enumerable: true,
    get(this: Holder): string | undefined {
      const lazy = this[slot];
      return lazy === undefined ? undefined : (lazy.shown ??= guard.token(lazy.session));
    },
  };
  return (target, session) => {
    (target as Holder)[slot] = { session, shown: undefined };
    Object.defineProperty(target, key, descriptor);
  };
}
