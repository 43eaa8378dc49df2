/**
 * In-process micro-benchmark runner.
 *
 * Every case is measured in short rounds, and the rounds of all cases are interleaved
 * (A B C, C B A, A B C ...). On a shared, loaded machine the noise then lands on every
 * competitor alike instead of on whichever case happened to run during a spike; the
 * median of the rounds is reported.
 *
 * Two modes:
 * - sequential: one operation at a time (`await fn()` in a loop): latency-bound;
 * - N in flight: N loops run concurrently, as a server with N open requests would.
 *   Web Crypto runs its work on libuv's thread pool, so this is where async designs
 *   can overlap work and where per-call overheads show.
 */
import { performance } from 'node:perf_hooks';

export type Op = () => Promise<unknown> | unknown;

export interface MicroCase {
  name: string;
  fn: Op;
}

export interface MicroOptions {
  /** Concurrent loops; 1 means sequential. */
  inFlight: number;
  /** Warm-up per case before the first round (JIT, key caches), in ms. Default 300. */
  warmupMs?: number;
  /** Length of one measured round, in ms. Default 300. */
  roundMs?: number;
  /** Measured rounds per case. Default 5. */
  rounds?: number;
}

export interface MicroResult {
  name: string;
  inFlight: number;
  /** Median of the rounds, operations per second. */
  opsPerSec: number;
  /**
   * Median of the rounds, operations per CPU-second of this process (all threads, so Web
   * Crypto's work on libuv's pool counts): less sensitive to other tenants than ops/s.
   */
  opsPerCpuSec: number;
  samples: number[];
}

export interface Sample {
  opsPerSec: number;
  opsPerCpuSec: number;
}

/** Runs `fn` for about `ms` with `inFlight` concurrent loops; returns operations per second and per CPU-second. */
export async function measure(fn: Op, inFlight: number, ms: number): Promise<Sample> {
  let ops = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const end = start + ms;
  // Check the clock every few operations only: performance.now() is cheap but not free,
  // and the sync cases (router lookups) are in the tens of nanoseconds.
  const loop = async (): Promise<void> => {
    while (performance.now() < end) {
      for (let i = 0; i < 8; i++) await fn();
      ops += 8;
    }
  };
  const loops: Promise<void>[] = [];
  for (let i = 0; i < inFlight; i++) loops.push(loop());
  await Promise.all(loops);
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { opsPerSec: (ops * 1000) / wall, opsPerCpuSec: (ops * 1e6) / (used.user + used.system) };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * A distribution-free confidence interval for the median of `xs`: the k-th smallest and the k-th
 * largest value, with k the largest for which the chance that the true median lies outside is at
 * most `1 - level` (each value falls on either side of the median with probability ½, so the count
 * below it is Binomial(n, ½)). No assumption about the noise's shape, which on a shared machine is
 * anything but normal; and no resampling, so the same rounds always give the same interval.
 * `undefined` when there are too few values for that level (fewer than 6 for 95%).
 *
 * @example
 * ```ts
 * medianInterval([0.71, 0.74, 0.78, 0.8, 0.82, 0.85, 0.86, 0.9, 1.02]); // [0.74, 0.9]: 2nd and 8th of 9
 * ```
 */
export function medianInterval(xs: readonly number[], level = 0.95): [number, number] | undefined {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  // The interval from the (k+1)-th smallest to the (k+1)-th largest misses the median when at most
  // k values fall on one side of it: a chance of 2·P(Binomial(n, ½) <= k). `below` is that
  // P(... <= k), summed term by term; each term C(n, k) / 2^n is taken in logarithms, so a large
  // n does not underflow 2^-n to 0.
  let logTerm = -n * Math.LN2;
  let below = Math.exp(logTerm);
  let k = 0;
  while (k < n >> 1 && 2 * below <= 1 - level) {
    k++;
    logTerm += Math.log((n - k + 1) / k);
    below += Math.exp(logTerm);
  }
  // k is now the last rank that passed: the k-th smallest and the k-th largest bound the median.
  return k === 0 ? undefined : [s[k - 1] as number, s[n - k] as number];
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Measures every case, rounds interleaved; results in the order of `cases`. */
export async function runCases(cases: readonly MicroCase[], options: MicroOptions): Promise<MicroResult[]> {
  const { inFlight, warmupMs = 300, roundMs = 300, rounds = 5 } = options;
  for (const c of cases) await measure(c.fn, inFlight, warmupMs);
  const samples = cases.map(() => [] as Sample[]);
  for (let r = 0; r < rounds; r++) {
    const order = cases.map((_, i) => i);
    if (r % 2) order.reverse();
    for (const i of order) {
      gc?.();
      samples[i]!.push(await measure(cases[i]!.fn, inFlight, roundMs));
    }
  }
  return cases.map((c, i) => ({
    name: c.name,
    inFlight,
    opsPerSec: median(samples[i]!.map((x) => x.opsPerSec)),
    opsPerCpuSec: median(samples[i]!.map((x) => x.opsPerCpuSec)),
    samples: samples[i]!.map((x) => x.opsPerSec),
  }));
}
