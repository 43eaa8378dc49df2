/**
 * The app's pages: the welcome page and the login form. Pure functions from data to HTML.
 * @module
 */
import type { SessionInfo } from '../session/server-store/server-store-options.js';
import { csrfField, escapeHtml, renderPage } from './html.js';
import { renderSessionList } from './session-list.js';

/** What the welcome page shows. */
export interface HomePageData {
  user: string;
  visits: number;
  flashes: readonly string[];
  csrfToken: string;
  explain: boolean;
  /**
   * With a server-side store: the user's sessions (`store.list(user, { current })`) and the time
   * the page is made (ms), for "Your active sessions". Absent with the cookie store, whose page
   * stays as it was.
   */
  sessions?: { list: readonly SessionInfo[]; now: number };
}

function flashList(flashes: readonly string[]): string {
  return flashes.map((text) => `<p class="flash" role="status">${escapeHtml(text)}</p>`).join('');
}

/**
 * The welcome page for a signed-in user.
 *
 * @example
 * ```ts
 * ctx.html(renderHome({ user: 'demo', visits: 3, flashes: [], csrfToken, explain: true }));
 * ```
 */
export function renderHome(data: HomePageData): string {
  const times = data.visits === 1 ? 'once' : `${data.visits} times`;
  const where =
    data.sessions === undefined
      ? 'The count lives in your session cookie, sealed with AES-256-GCM: you can carry it, but neither read nor change it.'
      : 'The count lives on the server, in Redis: your cookie carries only a signed session id.';
  const body = `${flashList(data.flashes)}
<h1>Welcome, ${escapeHtml(data.user)}</h1>
<p>You have opened this page <strong id="visits" data-visits="${data.visits}">${times}</strong> in this session.
${where}</p>
${data.sessions === undefined ? '' : renderSessionList({ sessions: data.sessions.list, csrfToken: data.csrfToken, now: data.sessions.now })}
<div class="actions">
<form class="inline" method="post" action="/logout">${csrfField(data.csrfToken)}<button type="submit">Log out</button></form>
<form class="inline" method="post" action="/logout-everywhere">${csrfField(data.csrfToken)}<button type="submit" class="secondary">Log out everywhere</button></form>
</div>
<p class="muted">"Log out everywhere" ends this session and every other session of ${escapeHtml(data.user)}, on every device.</p>`;
  return renderPage({ title: 'Welcome', body, user: data.user, explain: data.explain });
}

/** What the login page shows. */
export interface LoginPageData {
  csrfToken: string;
  flashes?: readonly string[];
  /** One message for every failure, whatever the cause. */
  error?: string | undefined;
  /** The user name to put back in the field after a failure. */
  username?: string;
  explain: boolean;
}

/**
 * The login form, with its hidden `_csrf` field.
 *
 * @example
 * ```ts
 * ctx.html(renderLogin({ csrfToken, explain: true }));
 * ```
 */
export function renderLogin(data: LoginPageData): string {
  const error = data.error === undefined ? '' : `<p class="error" role="alert">${escapeHtml(data.error)}</p>`;
  const body = `${flashList(data.flashes ?? [])}${error}
<h1>Log in</h1>
<form method="post" action="/login">${csrfField(data.csrfToken)}
<label for="username">User name</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="64" value="${escapeHtml(data.username ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
<div class="actions"><button type="submit">Log in</button></div>
</form>
<p class="muted">First start? The password of the user <code>demo</code> was printed in the server's terminal.</p>`;
  return renderPage({ title: 'Log in', body, explain: data.explain });
}
