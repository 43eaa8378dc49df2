/**
 * Runs a table of HTTP targets under the same load, interleaved.
 *
 * All servers are started first (idle servers cost nothing), each is checked for the right
 * answer and warmed up, then the measured rounds go A B C, C B A, ... so that noise from the
 * other tenants of a shared machine falls on every target alike. The median round is reported.
 */
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from './server-process.ts';
import { runLoad, type LoadResult } from './load.ts';
import { median } from './micro.ts';
import { cpuSeconds } from './proc-cpu.ts';

export type Role = 'baseline' | 'peer' | 'cachet';

export interface HttpTarget {
  name: string;
  role: Role;
  /** Server file, relative to bench/. */
  server: string;
  /** Extra environment for the server process (e.g. which store a shared server file uses). */
  env?: Record<string, string>;
  /** Path under load. */
  path: string;
  /**
   * Runs once before the load: obtains what the client must send (a session cookie from a
   * first request) and checks that the server answers the path correctly. Throws if not.
   */
  prepare(url: string, info: Record<string, unknown>): Promise<Record<string, string>>;
}

export interface HttpOptions {
  duration: number;
  warmup: number;
  connections: number;
  rounds: number;
}

export interface HttpResult {
  name: string;
  role: Role;
  requestsPerSec: number;
  latencyP50: number;
  latencyP99: number;
  /** Requests per CPU-second of the server process (median round); NaN where /proc is unavailable. */
  requestsPerCpuSec: number;
  errors: number;
  rounds: RoundResult[];
}

export interface RoundResult extends LoadResult {
  requestsPerCpuSec: number;
}

export function httpOptionsFromEnv(): HttpOptions {
  const n = (k: string, d: number): number => Number(process.env[k] ?? d);
  return {
    duration: n('BENCH_DURATION', 5),
    warmup: n('BENCH_WARMUP', 1),
    connections: n('BENCH_CONNECTIONS', 50),
    rounds: n('BENCH_ROUNDS', 3),
  };
}

const benchDir = new URL('..', import.meta.url);

export async function runHttpTable(targets: readonly HttpTarget[], options: HttpOptions): Promise<HttpResult[]> {
  const servers: RunningServer[] = [];
  try {
    for (const t of targets) servers.push(await startServer(fileURLToPath(new URL(t.server, benchDir)), t.env));
    const headers: Record<string, string>[] = [];
    for (const [i, t] of targets.entries()) {
      const url = servers[i]!.url;
      try {
        headers.push(await t.prepare(url, servers[i]!.info));
      } catch (err) {
        throw new Error(`${t.name}: correctness check failed: ${(err as Error).message}`);
      }
      if (options.warmup > 0) {
        await runLoad({ url: url + t.path, headers: headers[i]!, duration: options.warmup, connections: options.connections });
      }
    }
    const rounds = targets.map(() => [] as RoundResult[]);
    for (let r = 0; r < options.rounds; r++) {
      const order = targets.map((_, i) => i);
      if (r % 2) order.reverse();
      for (const i of order) {
        const t = targets[i]!;
        const pid = servers[i]!.pid;
        const cpuBefore = cpuSeconds(pid);
        const load = await runLoad({
          url: servers[i]!.url + t.path,
          headers: headers[i]!,
          duration: options.duration,
          connections: options.connections,
        });
        const cpuAfter = cpuSeconds(pid);
        const cpu = cpuBefore === undefined || cpuAfter === undefined ? NaN : cpuAfter - cpuBefore;
        const res: RoundResult = { ...load, requestsPerCpuSec: cpu > 0 ? load.requests / cpu : NaN };
        process.stderr.write(
          `  ${t.name.padEnd(44)} round ${r + 1}: ${Math.round(res.requestsPerSec)} req/s, ${Math.round(res.requestsPerCpuSec)} req/CPU-s\n`,
        );
        rounds[i]!.push(res);
      }
    }
    return targets.map((t, i) => {
      const rs = rounds[i]!;
      return {
        name: t.name,
        role: t.role,
        requestsPerSec: median(rs.map((x) => x.requestsPerSec)),
        latencyP50: median(rs.map((x) => x.latencyP50)),
        latencyP99: median(rs.map((x) => x.latencyP99)),
        requestsPerCpuSec: median(rs.map((x) => x.requestsPerCpuSec)),
        errors: rs.reduce((a, x) => a + x.errors, 0),
        rounds: rs,
      };
    });
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

/** Fetches `url` and fails unless the status is 200 and the body contains `expect`. */
export async function expectText(url: string, headers: Record<string, string>, expect: string | RegExp): Promise<Response & { bodyText: string }> {
  const res = await fetch(url, { headers, redirect: 'manual' });
  const bodyText = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url}: status ${res.status}, body ${bodyText.slice(0, 200)}`);
  const ok = typeof expect === 'string' ? bodyText.includes(expect) : expect.test(bodyText);
  if (!ok) throw new Error(`GET ${url}: body ${JSON.stringify(bodyText.slice(0, 200))} does not match ${String(expect)}`);
  return Object.assign(res, { bodyText });
}

/** Turns a response's Set-Cookie headers into a Cookie request header (name=value pairs only). */
export function cookieHeader(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';', 1)[0]!.trim())
    .join('; ');
}
