/**
 * HTTP load: wrk when installed (a separate C process, so the load generator costs the
 * server as little as possible), autocannon as the fallback. Both run a bounded load —
 * a fixed number of seconds, a fixed number of connections — and report the same shape.
 */
import { execFile } from 'node:child_process';
import { wrkVersion } from './machine.ts';

export interface LoadOptions {
  url: string;
  headers?: Record<string, string>;
  /** Seconds of load. */
  duration: number;
  connections: number;
}

export interface LoadResult {
  requestsPerSec: number;
  /** Latencies in ms. */
  latencyAvg: number;
  latencyP50: number;
  latencyP99: number;
  requests: number;
  /** Responses outside 2xx/3xx plus socket errors: a correct run has 0. */
  errors: number;
  tool: 'wrk' | 'autocannon';
}

let hasWrk: boolean | undefined;
export function loadTool(): 'wrk' | 'autocannon' {
  if (process.env['BENCH_TOOL'] === 'autocannon') return 'autocannon';
  hasWrk ??= wrkVersion() !== undefined;
  return hasWrk ? 'wrk' : 'autocannon';
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  return loadTool() === 'wrk' ? runWrk(options) : runAutocannon(options);
}

function runWrk({ url, headers = {}, duration, connections }: LoadOptions): Promise<LoadResult> {
  // One wrk thread: on a 2-core box the other core belongs to the server under test.
  const args = ['-t1', `-c${connections}`, `-d${Math.max(1, Math.round(duration))}s`, '--latency', '--timeout', '5s'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  args.push(url);
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { timeout: (duration + 30) * 1000 }, (err, stdout) => {
      if (err) return reject(new Error(`wrk failed: ${err.message}\n${stdout}`));
      try {
        resolve(parseWrk(stdout));
      } catch (e) {
        reject(e);
      }
    });
  });
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };
function toMs(text: string | undefined): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text ?? '');
  if (!m) return NaN;
  return Number(m[1]) * (UNIT_MS[m[2]!] ?? NaN);
}

/** Parses `wrk --latency` output. Exported for a quick self-check. */
export function parseWrk(out: string): LoadResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!rps) throw new Error(`cannot parse wrk output:\n${out}`);
  const avg = /Latency\s+(\S+)/.exec(out)?.[1];
  const p50 = /\s50%\s+(\S+)/.exec(out)?.[1];
  const p99 = /\s99%\s+(\S+)/.exec(out)?.[1];
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return {
    requestsPerSec: Number(rps[1]),
    latencyAvg: toMs(avg),
    latencyP50: toMs(p50),
    latencyP99: toMs(p99),
    requests,
    errors: non2xx + socketErrors,
    tool: 'wrk',
  };
}

async function runAutocannon({ url, headers = {}, duration, connections }: LoadOptions): Promise<LoadResult> {
  const { default: autocannon } = await import('autocannon');
  const r = await autocannon({ url, headers, duration, connections });
  return {
    requestsPerSec: r.requests.average,
    latencyAvg: r.latency.average,
    latencyP50: r.latency.p50,
    latencyP99: r.latency.p99,
    requests: r.requests.total,
    errors: r.non2xx + r.errors + r.timeouts,
    tool: 'autocannon',
  };
}
