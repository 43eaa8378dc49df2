/**
 * HTML for the reference app: one small stylesheet of its own origin, nothing from elsewhere, no
 * JavaScript needed.
 *
 * Everything interpolated goes through {@link escapeHtml}. The stylesheet is a file of this origin
 * (`style-src 'self'`), and the one inline script (the explain page's countdown) is allowed by its
 * SHA-256 hash ({@link hashSource}), so the policy needs no `'unsafe-inline'`.
 * @module
 */

const SPECIAL = /[&<>"']/;
const SPECIALS = /[&<>"']/g;

/**
 * Escapes text for HTML element content and double-quoted attribute values.
 *
 * @example
 * ```ts
 * escapeHtml('<b>"hi"</b>'); // '&#60;b&#62;&#34;hi&#34;&#60;/b&#62;'
 * ```
 */
export function escapeHtml(text: string): string {
  // Most of what a page interpolates (user names, tokens, numbers) has nothing to escape: a test
  // is cheaper than a replace with a callback, which a home page view ran five times.
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => `&#${c.charCodeAt(0)};`) : text;
}

/** The one stylesheet, served at {@link STYLESHEET_PATH}. Mobile first; the explain page's colours are here too. */
export const STYLE = `
:root{color-scheme:light dark;--fg:#1d2330;--bg:#fbfbfd;--muted:#5b6475;--line:#d9dde6;--accent:#2456d6;--bad:#b3261e;--ok:#1e7a3c}
@media (prefers-color-scheme:dark){:root{--fg:#e6e8ee;--bg:#15171c;--muted:#9aa3b5;--line:#30343d;--accent:#8fb0ff;--bad:#ff8a80;--ok:#7ddc9a}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:42rem;margin:0 auto;padding:1.25rem}
header{display:flex;justify-content:space-between;align-items:center;gap:1rem;border-bottom:1px solid var(--line);padding:.75rem 1.25rem}
header a{color:inherit;text-decoration:none;font-weight:600}
nav{display:flex;gap:1rem;flex-wrap:wrap}nav a{font-weight:400;color:var(--accent)}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input[type=text],input[type=password]{width:100%;padding:.6rem;font:inherit;border:1px solid var(--line);border-radius:.4rem;background:transparent;color:inherit}
button{font:inherit;padding:.55rem 1rem;border-radius:.4rem;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}
button.secondary{background:transparent;color:var(--accent)}
form.inline{display:inline}
.actions{display:flex;gap:.75rem;flex-wrap:wrap;margin-top:1.25rem}
.flash{padding:.6rem .8rem;border-radius:.4rem;border:1px solid var(--ok);color:var(--ok)}
.error{padding:.6rem .8rem;border-radius:.4rem;border:1px solid var(--bad);color:var(--bad)}
.muted{color:var(--muted)}
code,.wire{font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.wire{display:block;word-break:break-all;padding:.75rem;border:1px solid var(--line);border-radius:.4rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}td,th{text-align:left;vertical-align:top;padding:.35rem .4rem;border-bottom:1px solid var(--line)}
td code,li code{word-break:break-all}
pre.wire{white-space:pre-wrap}
@media (max-width:34rem){.parts td:nth-child(2),.parts th:nth-child(2){display:none}}
.p-version{color:#8e44ad}.p-key{color:#c0392b}.p-time{color:#d35400}.p-iv{color:#16a085}.p-payload{color:#2471a3}.p-tag{color:#b7950b}.p-other{color:var(--muted)}
.sw{display:inline-block;width:.8em;height:.8em;border-radius:.2em;background:currentColor;margin-right:.35em}
textarea{width:100%;padding:.6rem;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;border:1px solid var(--line);border-radius:.4rem;background:transparent;color:inherit;word-break:break-all}
ol.steps{padding:0;list-style:none}.step{margin:.5rem 0;padding:.5rem .75rem;border:1px solid var(--line);border-left:.35rem solid var(--line);border-radius:.4rem}
.step.ok{border-left-color:var(--ok)}.step.fail{border-left-color:var(--bad)}.step.skip{opacity:.6}.step .wire{margin-top:.4rem}
.verdict-ok{color:var(--ok);font-weight:600}.verdict-fail{color:var(--bad);font-weight:600}.outcome.ok{color:var(--ok)}.outcome.fail{color:var(--bad)}
mark{background:transparent;font-weight:700;text-decoration:underline}.changed{outline:2px solid var(--bad);outline-offset:1px;opacity:1}.dim{color:var(--muted);opacity:.45}
.flips button{padding:.35rem .7rem}summary{cursor:pointer;color:var(--accent)}
`;

/** FNV-1a, 32 bits: a version stamp for a file name, not a security hash. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/**
 * Where {@link STYLE} is served. The stylesheet was inline in every page: 3.2 KB of a 4.4 KB home
 * page, about 20% of its CPU per view under load (docs/reference-app-speed.md). As a file
 * named after its content it is fetched once and cached for good (`immutable`); a changed style
 * gets a new name, so no browser keeps an old one.
 */
export const STYLESHEET_PATH = `/assets/style-${fnv1a(STYLE)}.css`;

/** What {@link renderPage} needs. */
export interface PageOptions {
  title: string;
  /** Trusted HTML for the body (build it with {@link escapeHtml}). */
  body: string;
  /** The signed-in user, shown in the header. */
  user?: string | undefined;
  /** Whether to link the explain page. */
  explain?: boolean;
  /** Extra trusted HTML at the end of <body> (the explain page's countdown script). */
  tail?: string;
}

/**
 * Wraps a body in the app's page layout.
 *
 * @example
 * ```ts
 * ctx.html(renderPage({ title: 'Welcome', body: '<p>Hello</p>', user: 'demo' }));
 * ```
 */
export function renderPage(options: PageOptions): string {
  const links = [options.user === undefined ? '<a href="/login">Log in</a>' : `<span class="muted">${escapeHtml(options.user)}</span>`];
  if (options.explain === true) links.push('<a href="/explain">How is my cookie made?</a>');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(options.title)} · cachet</title><link rel="stylesheet" href="${STYLESHEET_PATH}"></head>
<body><header><a href="/">cachet</a><nav>${links.join('')}</nav></header>
<main>${options.body}</main>${options.tail ?? ''}</body></html>
`;
}

/**
 * A hidden CSRF field for forms.
 *
 * @example
 * ```ts
 * `<form method="post" action="/logout">${csrfField(token)}<button>Log out</button></form>`
 * ```
 */
export function csrfField(token: string): string {
  return `<input type="hidden" name="_csrf" value="${escapeHtml(token)}">`;
}

/**
 * A CSP hash-source (CSP Level 3) for an inline `<style>` or `<script>` body: `'sha256-...'`,
 * quotes included. The browser hashes the exact text between the tags, so pass that text.
 *
 * @example
 * ```ts
 * securityHeaders({ csp: { 'style-src': await hashSource(STYLE) } });
 * ```
 */
export async function hashSource(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return `'sha256-${Buffer.from(digest).toString('base64')}'`;
}
