/**
 * Markdown tables with ratios against a baseline measured in the same run, written to stdout
 * and to bench/results/NAME.md; with `--doc` (or BENCH_DOC=1) also spliced into
 * docs/benchmarks.md between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeMachine, type MachineInfo } from './machine.ts';
import { cachetLabel } from './cachet.ts';
import type { HttpResult } from './http-table.ts';

const benchDir = fileURLToPath(new URL('..', import.meta.url));
const docPath = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const align = headers.map((_, i) => (i === 0 ? ':--' : '--:'));
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(headers), line(align), ...rows.map(line)].join('\n');
}

/** 1234567.8 -> "1,234,568"; small numbers keep a little precision. */
export function num(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  if (x >= 100) return Math.round(x).toLocaleString('en-US');
  return x.toFixed(x >= 10 ? 1 : 2);
}

export function ratio(x: number, base: number): string {
  if (!Number.isFinite(x) || !Number.isFinite(base) || base === 0) return 'n/a';
  return `${(x / base).toFixed(2)}×`;
}

export function ms(x: number): string {
  return Number.isFinite(x) ? `${x.toFixed(x >= 10 ? 1 : 2)} ms` : 'n/a';
}

/**
 * An HTTP results table: req/s and req/CPU-s, each with its ratio to the first row (the baseline
 * measured in the same run, headed `ratioLabel`), then p50, p99 and errors.
 */
export function httpTable(results: readonly HttpResult[], ratioLabel: string): string {
  const base = results[0]!;
  return table(
    ['server', 'req/s', ratioLabel, 'req/CPU-s', ratioLabel, 'p50', 'p99', 'errors'],
    results.map((r) => [
      r.name,
      num(r.requestsPerSec),
      ratio(r.requestsPerSec, base.requestsPerSec),
      num(r.requestsPerCpuSec),
      ratio(r.requestsPerCpuSec, base.requestsPerCpuSec),
      ms(r.latencyP50),
      ms(r.latencyP99),
      r.errors ? `**${r.errors}**` : '0',
    ]),
  );
}

export function heading(title: string, machine: MachineInfo, notes: readonly string[] = []): string {
  return [`### ${title}`, '', `Measured on ${describeMachine(machine)}; cachet ${cachetLabel()}.`, ...notes, ''].join('\n');
}

export function publish(name: string, markdown: string): void {
  const text = markdown.trimEnd() + '\n';
  process.stdout.write('\n' + text + '\n');
  const dir = `${benchDir}results`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/${name}.md`, text);
  if (process.argv.includes('--doc') || process.env['BENCH_DOC'] === '1') spliceIntoDoc(name, text);
}

function spliceIntoDoc(name: string, text: string): void {
  if (!existsSync(docPath)) return void console.error(`report: ${docPath} not found; not updated`);
  const doc = readFileSync(docPath, 'utf8');
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  const a = doc.indexOf(open);
  const b = doc.indexOf(close);
  if (a < 0 || b < a) return void console.error(`report: no ${open} ... ${close} markers in docs/benchmarks.md`);
  writeFileSync(docPath, doc.slice(0, a + open.length) + '\n' + text + doc.slice(b));
  console.error(`report: docs/benchmarks.md section '${name}' updated`);
}
