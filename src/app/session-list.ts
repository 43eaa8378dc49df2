/**
 * "Your active sessions" on the home page, for a server-side session store: one row per live
 * session of the user (device, IP, when it signed in, when it was last seen), the current one
 * marked, every other one with a form that ends it (`POST /sessions/end`, see session-routes.ts).
 * Pure rendering from `store.list()` entries.
 *
 * A session id in the page is no secret worth guarding: a cookie for it cannot be made without
 * the keyring (session-id-cookie.ts). It is still only shown inside the form that needs it.
 * @module
 */
import type { SessionInfo } from '../session/server-store/server-store-options.js';
import { csrfField, escapeHtml } from './html.js';
import { describeUserAgent } from './user-agent.js';

/** What {@link renderSessionList} needs. */
export interface SessionListData {
  /** The user's sessions, as `store.list(user, { current })` returns them (most recent first). */
  sessions: readonly SessionInfo[];
  csrfToken: string;
  /** The time the page is made (ms since the epoch), for "5 min ago". */
  now: number;
}

/** `2025-11-26 09:05 UTC`: minutes are enough to tell sessions apart, and UTC needs no locale. */
function clock(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * How long ago `ms` was, in the largest whole unit.
 *
 * @example
 * ```ts
 * ago(now - 90_000, now); // '1 min ago'
 * ```
 */
export function ago(ms: number, now: number): string {
  const seconds = Math.floor((now - ms) / 1000);
  if (seconds < 60) return 'just now';
  const units: [number, string][] = [[86_400, 'day'], [3600, 'h'], [60, 'min']];
  for (const [size, unit] of units) {
    const n = Math.floor(seconds / size);
    if (n >= 1) return unit === 'day' ? `${n} ${n === 1 ? 'day' : 'days'} ago` : `${n} ${unit} ago`;
  }
  return 'just now';
}

function time(ms: number, now: number, relative: boolean): string {
  const iso = new Date(ms).toISOString();
  return `<time datetime="${iso}">${relative ? `${ago(ms, now)} <span class="muted">(${clock(ms)})</span>` : clock(ms)}</time>`;
}

function row(info: SessionInfo, data: SessionListData): string {
  const device = escapeHtml(describeUserAgent(info.userAgent));
  const action = info.current
    ? '<strong>this device</strong>'
    : `<form class="inline" method="post" action="/sessions/end">${csrfField(data.csrfToken)}<input type="hidden" name="id" value="${escapeHtml(info.id)}"><button type="submit" class="secondary">End this session</button></form>`;
  return `<tr${info.current ? ' class="current"' : ''}><td>${device}</td><td><code>${escapeHtml(info.ip ?? 'unknown')}</code></td><td>${time(info.createdAt, data.now, false)}</td><td>${info.current ? 'now' : time(info.lastSeenAt, data.now, true)}</td><td>${action}</td></tr>`;
}

/**
 * The "Your active sessions" section: a table, or a sentence when the list is empty.
 *
 * @example
 * ```ts
 * const sessions = await store.list(user, { current: session.id });
 * html += renderSessionList({ sessions, csrfToken, now: Date.now() });
 * ```
 */
export function renderSessionList(data: SessionListData): string {
  const others = data.sessions.filter((s) => !s.current).length;
  // This device first, then the others as listed (most recently seen first).
  const ordered = [...data.sessions.filter((s) => s.current), ...data.sessions.filter((s) => !s.current)];
  const rows = ordered.map((info) => row(info, data)).join('');
  const table =
    rows === ''
      ? '<p class="muted">No session is stored for you right now.</p>'
      : `<table class="sessions"><thead><tr><th>device</th><th>IP</th><th>signed in</th><th>last seen</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
  return `<section id="sessions">
<h2>Your active sessions</h2>
<p>${data.sessions.length === 1 ? 'One session is' : `${data.sessions.length} sessions are`} signed in as you. ${others === 0 ? '' : 'Ending a session signs that device out on its very next request. '}Last seen is the session's last write: every visit to this page, and otherwise within a few minutes of use.</p>
${table}
</section>`;
}
