/**
 * `POST /sessions/end`: the "End this session" button of "Your active sessions" (session-list.ts),
 * registered only with a server-side store. The id comes from a form, so it is revoked only if it
 * is a live session of the signed-in user (`store.revoke(id, { subject })`): an id of someone
 * else's session ends nothing, and the answer is the same as for an id that never existed, so
 * the form cannot be used to probe which ids are live.
 * @module
 */
import type { App } from '../http/app.js';
import type { Context } from '../http/context.js';
import type { Middleware } from '../http/types.js';
import type { ServerSideStore } from '../session/server-store/server-store.js';
import { setFlash } from './app-store.js';
import type { AppSessionValues } from './session-values.js';

/** What the session routes need. */
export interface SessionRouteDeps {
  /** The app's store, as a server-side store. */
  store: ServerSideStore<AppSessionValues>;
  log: (line: string) => void;
}

const SESSION = 'session';
// A session id is 22 characters; anything longer is not one, and need not be carried further.
const MAX_ID = 64;

/** The flash after a session was ended. */
export const SESSION_ENDED = 'The session has been ended: that device must log in again.';
/** The flash when the id was not a live session of this user (ended already, or never theirs). */
export const SESSION_NOT_FOUND = 'That session had already ended.';
/** The flash when the form named the session making the request. */
export const SESSION_IS_CURRENT = 'That is the session you are using: "Log out" ends it.';

/**
 * Registers `POST /sessions/end` (form field `id`), behind `forms` (csrf()).
 *
 * @example
 * ```ts
 * const server = serverSessions(store);
 * if (server !== undefined) sessionRoutes(app, forms, { store: server, log });
 * ```
 */
export function sessionRoutes(app: App, forms: Middleware, deps: SessionRouteDeps): void {
  app.post('/sessions/end', forms, async (ctx: Context) => {
    const session = await deps.store.get(ctx, SESSION);
    const user = session.subject;
    if (user === undefined) return ctx.redirect('/login');
    const form = await ctx.readForm();
    const id = (form.get('id') ?? '').slice(0, MAX_ID);
    if (id === session.id) {
      // Revoking it here would leave this response writing a session that no longer exists;
      // logout is the way to end this one (it also clears the cookie).
      setFlash(session, SESSION_IS_CURRENT);
      return ctx.redirect('/');
    }
    // Only a session of this user: `revoke` checks the record's subject before deleting it.
    const ended = await deps.store.revoke(id, { subject: user });
    deps.log(ended ? 'session ended from another device' : 'session end: no such session of this user');
    setFlash(session, ended ? SESSION_ENDED : SESSION_NOT_FOUND);
    ctx.redirect('/');
  });
}
