/**
 * CPU time used by a process (all its threads: the event loop and libuv's pool, where
 * Web Crypto runs), from /proc on Linux. Requests per CPU-second of the server is far less
 * sensitive to other tenants of a shared machine than requests per wall-clock second:
 * a server that gets less CPU serves fewer requests, but not fewer requests per CPU-second.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let ticks: number | undefined;
/** Clock ticks per second of /proc's CPU times (CLK_TCK, usually 100). */
export function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/**
 * User + system CPU seconds used so far by `pid` and its live descendants (cluster workers),
 * or undefined where /proc is unavailable.
 */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is index 0, so utime (field 14) is 11 and stime (15) is 12.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    let total = (Number(rest[11]) + Number(rest[12])) / clockTicks();
    for (const child of children(pid)) total += cpuSeconds(child) ?? 0;
    return total;
  } catch {
    return undefined;
  }
}

function children(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const list = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (list) for (const c of list.split(' ')) out.push(Number(c));
    }
  } catch {
    // a thread or the process ended while we looked: count what we saw
  }
  return out;
}
