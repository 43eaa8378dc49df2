/**
 * CPU time used by a process (all its threads: the event loop and libuv's pool, where
 * Web Crypto runs), from /proc on Linux. Requests per CPU-second of the server is far less
 * sensitive to other tenants of a shared machine than requests per wall-clock second:
 * a server that gets less CPU serves fewer requests, but not fewer requests per CPU-second.
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let ticks: number | undefined;
function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** User + system CPU seconds used so far by `pid`, or undefined where /proc is unavailable. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is index 0, so utime (field 14) is 11 and stime (15) is 12.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / clockTicks();
  } catch {
    return undefined;
  }
}
