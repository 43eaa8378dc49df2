/**
 * The explain page's HTML: a cookie value split into coloured parts with their meaning, the
 * decoded header, a live expiry countdown, the verdict, and the payload. Pure rendering; the
 * data comes from ./explain.ts.
 * @module
 */
import { escapeHtml, renderPage } from './html.js';

/** The colour class of a part (see STYLE in ./html.ts). */
export type PartKind = 'version' | 'key' | 'time' | 'iv' | 'payload' | 'tag' | 'other';

/** One labelled piece of a cookie value. */
export interface ExplainedPart {
  kind: PartKind;
  /** Short name: "version", "key id", "issued at"... */
  label: string;
  /** The characters of the value. */
  text: string;
  /** What it is for, in a sentence. */
  meaning: string;
}

/** What the page knows about one cookie value. */
export interface ExplainedValue {
  /** Heading of the section. */
  title: string;
  /** The cookie name the value is bound to. */
  name: string;
  value: string;
  parts: ExplainedPart[];
  /** The verdict after verification: 'valid', 'stale', 'expired', 'tampered', 'unknown key'... */
  verdict: string;
  /** Why, in a sentence. */
  verdictDetail: string;
  /** Seconds left before expiry at render time (undefined when it could not be read). */
  secondsLeft?: number | undefined;
  /** Expiry time, ISO. */
  expiresAt?: string | undefined;
  /** Issue time, ISO. */
  issuedAt?: string | undefined;
  keyId?: string | undefined;
  /** Whether the key is the primary key. */
  primary?: boolean | undefined;
  /** The decoded payload, pretty-printed (secrets redacted). */
  payload?: string | undefined;
  /** How the payload shown differs from the JSON in the value, when it does. */
  payloadNote?: string | undefined;
  /** What the tag or MAC covers besides the payload, with the cookie name filled in. */
  boundText?: string | undefined;
}

/**
 * The countdown script. It only rewrites the text of `[data-left]` elements (and marks them
 * `data-ticking`, so a test can see it ran); the page works without it (the static text gives the
 * seconds left when the page was made). The CSP allows exactly this script by its hash.
 */
export const COUNTDOWN_SCRIPT =
  "for(const e of document.querySelectorAll('[data-left]')){const end=performance.now()+Number(e.dataset.left)*1e3;" +
  "const tick=()=>{const s=Math.max(0,Math.round((end-performance.now())/1e3));e.textContent=s>0?s+' s':'expired'};e.dataset.ticking='1';tick();setInterval(tick,1e3)}";

function coloured(parts: readonly ExplainedPart[]): string {
  return parts.map((part) => `<span class="p-${part.kind}" title="${escapeHtml(part.label)}">${escapeHtml(part.text)}</span>`).join('<span class="p-other">.</span>');
}

function partTable(parts: readonly ExplainedPart[]): string {
  const rows = parts
    .map((part) => {
      const text = part.text.length > 48 ? `${part.text.slice(0, 44)}… (${part.text.length} chars)` : part.text;
      return `<tr><td class="p-${part.kind}"><span class="sw"></span>${escapeHtml(part.label)}</td><td><code>${escapeHtml(text)}</code></td><td>${escapeHtml(part.meaning)}</td></tr>`;
    })
    .join('');
  return `<table class="parts"><thead><tr><th>part</th><th>text</th><th>what it is for</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function section(value: ExplainedValue): string {
  const countdown =
    value.secondsLeft === undefined
      ? ''
      : `<li>expires at <code>${escapeHtml(value.expiresAt ?? '')}</code>, in <strong data-left="${value.secondsLeft}">${value.secondsLeft} s</strong></li>`;
  const key =
    value.keyId === undefined
      ? ''
      : `<li>key id <code>${escapeHtml(value.keyId)}</code>${value.primary === true ? ' (the primary key)' : value.primary === false ? ' (not the primary key: this value is <strong>stale</strong> and will be re-issued under the primary)' : ''}</li>`;
  const issued = value.issuedAt === undefined ? '' : `<li>issued at <code>${escapeHtml(value.issuedAt)}</code></li>`;
  const note = value.payloadNote === undefined ? '' : `<p>${escapeHtml(value.payloadNote)}</p>`;
  const payload = value.payload === undefined ? '' : `<h3>Payload</h3>${note}<pre class="wire">${escapeHtml(value.payload)}</pre>`;
  const bound =
    value.boundText === undefined
      ? ''
      : `<li>bound into the authentication: <code>${escapeHtml(value.boundText)}</code> (the cookie name is not sent in the value, but a value made for another name fails)</li>`;
  return `<section>
<h2>${escapeHtml(value.title)}</h2>
<p>Cookie <code>${escapeHtml(value.name)}</code>, ${value.value.length} characters. Verdict: <strong class="verdict">${escapeHtml(value.verdict)}</strong>. ${escapeHtml(value.verdictDetail)}</p>
<code class="wire">${coloured(value.parts)}</code>
${partTable(value.parts)}
<h3>Header</h3><ul>${key}${issued}${countdown}${bound}</ul>
${payload}
</section>`;
}

/**
 * The whole explain page.
 *
 * @example
 * ```ts
 * ctx.html(renderExplain({ user: 'demo', session, signedExample }));
 * ```
 */
export function renderExplain(data: { user?: string | undefined; session?: ExplainedValue | undefined; signedExample: ExplainedValue; inspectCommand?: string }): string {
  const yours =
    data.session === undefined
      ? `<p>You have no session cookie yet. <a href="/login">Open the login page</a> (it gives you an anonymous session for its CSRF token), or log in, then come back.</p>`
      : section(data.session);
  const body = `<h1>How is my cookie made?</h1>
<p>Your browser sends your session cookie with every request. Below it is taken apart. A <em>sealed</em> cookie is
encrypted and authenticated with AES-256-GCM: you can see its structure, but not its content, and any change is
detected. A <em>signed</em> cookie is only authenticated (HMAC-SHA256): anyone can read it, nobody can change it.
Both carry their own expiry, and the header, the key id and the cookie name are bound into what is authenticated,
so a value cut from one cookie cannot be pasted into another.</p>
<noscript><p class="muted">The countdown below shows the seconds left when this page was made; reload to update it.</p></noscript>
${yours}
${section(data.signedExample)}
<p>Watch the server check a cookie step by step, and change a byte to see which step catches it, in <a href="/explain/lab">the cookie lab</a>.</p>
<p class="muted">Learn more in <code>docs/how-signed-cookies-work.md</code>, or try <code>${escapeHtml(data.inspectCommand ?? 'npm run inspect -- VALUE')}</code>.</p>`;
  return renderPage({ title: 'Explain', body, user: data.user, explain: true, tail: `<script>${COUNTDOWN_SCRIPT}</script>` });
}
