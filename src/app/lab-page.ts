/**
 * The cookie lab's HTML: a trace of the decode as a list of steps, green or red, each showing
 * the characters of the value it read in the explain page's part colours. Pure rendering of
 * what ./lab.ts found; plain forms, no script.
 * @module
 */
import { TRACE_STEPS, type DecodeTrace, type TraceRange } from '../codec/trace.js';
import { csrfField, escapeHtml, renderPage } from './html.js';
import { describeValue } from './value-parts.js';
import type { PartKind } from './explain-page.js';

/** One traced value, as the lab shows it. */
export interface LabRun {
  /** Heading, e.g. "Your cookie with one character of the tag changed". */
  title: string;
  /** A sentence under the heading (what was changed, what to look for). */
  note?: string;
  value: string;
  trace: DecodeTrace;
  /** The offset of the character a flip changed, marked in every step's copy of the value. */
  changed?: number;
}

/** Everything on the lab page. */
export interface LabPageData {
  user?: string | undefined;
  csrfToken: string;
  /** The session cookie's name, the default of the name fields. */
  cookieName: string;
  /** The visitor's own session cookie, traced, with the flip buttons; undefined without one. */
  own?: LabRun | undefined;
  /** The labels of the own cookie's parts, for one flip button each. */
  flippable: readonly string[];
  /** The result of a paste, a flip or another name, shown first. */
  result?: LabRun | undefined;
  /** What the paste form shows again: the value and name last sent. */
  pasted?: { value: string; name: string } | undefined;
  /** The rotation demo: the demo value before, and after "Rotate the demo key". */
  demo: { before: LabRun; rotated?: LabRun | undefined; resealed?: LabRun | undefined };
}

/** Character ranges of each part of `value`, with its colour class. */
function partRanges(value: string): { start: number; end: number; kind: PartKind; label: string }[] {
  const layout = describeValue(value);
  let at = 0;
  return layout.parts.map((part) => {
    const range = { start: at, end: at + part.text.length, kind: part.kind, label: part.label };
    at = range.end + 1;
    return range;
  });
}

/**
 * The value with the characters a step read marked in their part's colour, the rest dimmed,
 * and the character at `changed` (a flip's) boxed.
 *
 * @example
 * ```ts
 * highlight('1s.k1.1764115200…', [{ start: 0, end: 2 }]); // '<mark class="p-version">1s</mark><span class="dim">.</span>…'
 * ```
 */
export function highlight(value: string, ranges: readonly TraceRange[], changed?: number): string {
  const parts = partRanges(value);
  const cuts = new Set([0, value.length]);
  if (changed !== undefined) cuts.add(changed).add(changed + 1);
  for (const r of [...parts, ...ranges]) cuts.add(Math.min(r.start, value.length)).add(Math.min(r.end, value.length));
  const points = [...cuts].sort((a, b) => a - b);
  let html = '';
  for (let i = 0; i + 1 < points.length; i++) {
    const [start, end] = [points[i]!, points[i + 1]!];
    const text = escapeHtml(value.slice(start, end));
    const part = parts.find((p) => start >= p.start && end <= p.end);
    const kind = part?.kind ?? 'other';
    const read = ranges.some((r) => start >= r.start && end <= r.end);
    const box = start === changed ? ' changed' : '';
    html += read ? `<mark class="p-${kind}${box}">${text}</mark>` : `<span class="dim${box}">${text}</span>`;
  }
  return html;
}

/**
 * A trace as an ordered list: each step run, green (pass) or red (fail), then the steps the
 * decode never reached, in grey. `changed` is a flipped character's offset, boxed in each step.
 *
 * @example
 * ```ts
 * html += renderTrace(value, await traceDecode(codec, name, value, { now }));
 * ```
 */
export function renderTrace(value: string, trace: DecodeTrace, changed?: number): string {
  const ran = trace.steps.map((step) => {
    const verdict = step.ok ? 'pass' : `fail: ${step.code ?? ''}`;
    const read = step.ranges.length === 0 ? '' : `<code class="wire">${highlight(value, step.ranges, changed)}</code>`;
    const name = step.check === 'authenticate' ? ` <span class="muted">(and the cookie name <code>${escapeHtml(trace.name)}</code>, bound in though not sent)</span>` : '';
    return `<li class="step ${step.ok ? 'ok' : 'fail'}" data-step="${step.number}" data-ok="${step.ok}"><strong>${step.number}. ${escapeHtml(step.title)}</strong> <span class="verdict-${step.ok ? 'ok' : 'fail'}">${escapeHtml(verdict)}</span><br><span class="muted">${escapeHtml(step.checks)}</span><br>${escapeHtml(step.detail)}${name}${read}</li>`;
  });
  const rest = TRACE_STEPS.slice(trace.steps.length).map(
    (step) => `<li class="step skip" data-step="${step.number}"><strong>${step.number}. ${escapeHtml(step.title)}</strong> <span class="muted">not reached: the decode stops at the first failure</span></li>`,
  );
  return `<ol class="steps">${[...ran, ...rest].join('')}</ol>`;
}

/** The one-line outcome of a trace. */
function outcomeOf(trace: DecodeTrace): string {
  return trace.outcome.ok
    ? `<p class="outcome ok">Accepted by the codec${trace.outcome.decoded.stale ? ', as <strong>stale</strong>: made with a key that is no longer the primary, so the app re-issues it under the primary' : ''}. Key <code>${escapeHtml(trace.outcome.decoded.keyId)}</code>, expires ${new Date(trace.outcome.decoded.expiresAt).toISOString()}.</p>`
    : `<p class="outcome fail">Refused at step ${trace.steps.length} with <code>${escapeHtml(trace.outcome.code)}</code>: the app treats it as no session.</p>`;
}

/** One traced value; `folded` puts its steps in a closed <details>, for the runs that are context. */
function run(data: LabRun, id: string, folded = false): string {
  const note = data.note === undefined ? '' : `<p>${escapeHtml(data.note)}</p>`;
  const steps = renderTrace(data.value, data.trace, data.changed);
  return `<section id="${id}"><h2>${escapeHtml(data.title)}</h2>${note}<p class="muted">Cookie name <code>${escapeHtml(data.trace.name)}</code>, ${data.value.length} characters, checked as a ${data.trace.mode} value.</p>${
    folded ? `<details><summary>The nine steps</summary>${steps}</details>` : steps
  }${outcomeOf(data.trace)}</section>`;
}

function ownSection(data: LabPageData): string {
  if (data.own === undefined) {
    return `<section id="own"><h2>Your cookie</h2><p>You have no session cookie yet. This page just gave you one (for its form's CSRF token): <a href="/explain/lab">reload</a> to see it checked.</p></section>`;
  }
  const flips = data.flippable
    .map((label) => `<form class="inline" method="get" action="/explain/lab"><input type="hidden" name="flip" value="${escapeHtml(label)}"><button type="submit" class="secondary">Flip a byte of the ${escapeHtml(label)}</button></form>`)
    .join(' ');
  return `${run(data.own, 'own', data.result !== undefined)}
<section id="try"><h2>Change your cookie</h2>
<p>Change one character of one part of your cookie and watch which step catches it. Nothing is stored: your browser keeps the real cookie.</p>
<div class="actions flips">${flips}</div>
<form method="get" action="/explain/lab"><label for="as-name">Check your cookie under another cookie name</label>
<input id="as-name" name="as" type="text" maxlength="256" value="other-cookie" spellcheck="false"><div class="actions"><button type="submit">Check under this name</button></div></form></section>`;
}

function demoSection(demo: LabPageData['demo']): string {
  const parts = [run(demo.before, 'demo-before', demo.rotated !== undefined)];
  if (demo.rotated === undefined) {
    parts.push(
      `<form method="get" action="/explain/lab#demo-rotated"><input type="hidden" name="rotate" value="1"><input type="hidden" name="demo" value="${escapeHtml(demo.before.value)}"><div class="actions"><button type="submit">Rotate the demo key</button></div></form>`,
    );
  } else {
    parts.push(run(demo.rotated, 'demo-rotated'));
    if (demo.resealed !== undefined) parts.push(run(demo.resealed, 'demo-resealed', true));
    parts.push('<p><a href="/explain/lab#demo">Start the rotation again</a></p>');
  }
  return `<section id="demo"><h2>A key rotation, on a demo key</h2>
<p>The lab has its own throwaway keyring, made when the server started and never used for sessions; the app's
keys never change from a web request. Rotating puts a new demo key first: the old value still opens (its key is still
listed), as <em>stale</em>, and the app's answer is to seal the same data again under the new primary.</p>
${parts.join('\n')}</section>`;
}

/**
 * The whole lab page.
 *
 * @example
 * ```ts
 * ctx.html(renderLab({ csrfToken, cookieName: '__Host-session', flippable: [], demo: { before } }));
 * ```
 */
export function renderLab(data: LabPageData): string {
  const pasted = data.pasted ?? { value: data.own?.value ?? '', name: data.cookieName };
  const body = `<h1>The cookie lab</h1>
<p>Every request, the server checks your cookie in nine steps, cheapest first, and stops at the first that fails.
Below, each step shows what it checked and, in the colours of <a href="/explain">the explain page</a>, the characters
it read. Change a character and see which step catches it. Nothing here shows what a sealed cookie holds:
for your own session's content, see <a href="/explain">How is my cookie made?</a> These are the codec's steps; a
cookie that passes them still meets the session layer's idle and absolute timeouts and its logout (revocation) check.</p>
${data.result === undefined ? '' : run(data.result, 'result')}
${ownSection(data)}
<section id="paste"><h2>Check any value</h2>
<form method="post" action="/explain/lab">${csrfField(data.csrfToken)}
<label for="value">Cookie value</label>
<textarea id="value" name="value" rows="5" maxlength="8192" spellcheck="false" required>${escapeHtml(pasted.value)}</textarea>
<label for="name">Cookie name (bound into the tag: another name fails at step 8)</label>
<input id="name" name="name" type="text" maxlength="256" spellcheck="false" value="${escapeHtml(pasted.name)}">
<div class="actions"><button type="submit">Check it</button></div>
</form></section>
${demoSection(data.demo)}`;
  return renderPage({ title: 'Cookie lab', body, user: data.user, explain: true });
}
