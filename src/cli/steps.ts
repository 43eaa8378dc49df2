/**
 * `inspect --steps`: a decode trace (codec/trace.ts) as plain text, one step a line with the
 * parts of the value it read. Colour (ANSI) only when asked, i.e. when stdout is a terminal:
 * piped into a file or another tool the text stays plain.
 * @module
 */
import { inspectValue } from '../codec/inspect.js';
import { TRACE_STEPS, type DecodeTrace, type TraceRange } from '../codec/trace.js';
import { describeValue } from '../app/value-parts.js';
import type { PartKind } from '../app/explain-page.js';

// The explain page's part colours, as near as the 16 ANSI colours get.
const ANSI: Record<PartKind | 'ok' | 'fail' | 'dim', string> = {
  version: '35', key: '31', time: '33', iv: '36', payload: '34', tag: '93', other: '2', ok: '32', fail: '31;1', dim: '2',
};

/** The parts of `value` a step read, by name; "the whole value" when it read all of it. */
function partsRead(value: string, ranges: readonly TraceRange[], paint: (kind: PartKind | 'dim', text: string) => string): string {
  if (ranges.length === 0) return 'nothing';
  if (ranges.length === 1 && ranges[0]!.start === 0 && ranges[0]!.end === value.length) return 'the whole value';
  const parts = inspectValue(value).parts;
  const kinds = describeValue(value).parts.map((p) => p.kind);
  const names = parts
    .map((part, i) => ({ part, kind: kinds[i] ?? 'other' }))
    .filter(({ part }) => ranges.some((r) => r.start < part.end && part.start < r.end))
    .map(({ part, kind }) => paint(kind, part.label));
  return names.length === 0 ? 'nothing' : names.join(', ');
}

/**
 * The trace as text lines: number, title, pass or FAIL, what it found (and, for a failure, what
 * the step checks), what it read; then the steps not reached.
 *
 * @example
 * ```ts
 * io.out(formatTrace(value, await traceDecode(codec, name, value), { colour: false }));
 * // "  1. size         pass  14 + 219 = 233 bytes, at most 4096\n                     read: the whole value\n ..."
 * ```
 */
export function formatTrace(value: string, trace: DecodeTrace, options: { colour: boolean }): string {
  const paint = (kind: keyof typeof ANSI, text: string): string => (options.colour ? `\x1b[${ANSI[kind]}m${text}\x1b[0m` : text);
  const width = Math.max(...TRACE_STEPS.map((s) => `${s.number}. ${s.title}`.length));
  const indent = ' '.repeat(width + 10);
  let out = `steps (a ${trace.mode} codec, cookie name ${trace.name}; the decode stops at the first failure):\n`;
  for (const step of trace.steps) {
    const head = `${step.number}. ${step.title}`.padEnd(width);
    const verdict = step.ok ? paint('ok', 'pass') : paint('fail', 'FAIL');
    const found = step.ok ? step.detail : `${step.code ?? ''}: ${step.detail}`;
    const name = step.check === 'authenticate' ? ` and the cookie name ${trace.name}` : '';
    // What a step checks is said for the one that failed; a passing step's finding says enough.
    const checks = step.ok ? '' : `${indent}checks: ${step.checks}\n`;
    out += `  ${head}  ${verdict}  ${found}\n${checks}${indent}read: ${partsRead(value, step.ranges, paint)}${name}\n`;
  }
  for (const step of TRACE_STEPS.slice(trace.steps.length)) out += `  ${paint('dim', `${`${step.number}. ${step.title}`.padEnd(width)}  not reached`)}\n`;
  return out;
}
