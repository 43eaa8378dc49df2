/**
 * What the numbers were measured on. Printed at the top of every report, because a req/s figure
 * without the machine, the Node version, the date and the load at the time means little.
 */
import { cpus, totalmem, loadavg, platform, release } from 'node:os';
import { execFileSync } from 'node:child_process';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  /** The Node version the servers under test ran on (HTTP scenarios; $BENCH_NODE may differ from `node`). */
  serverNode: string | undefined;
  os: string;
  date: string;
  /** 1-minute load average when the run started: on a shared box this says how noisy it was. */
  load1: number;
  wrk: string | undefined;
}

/** `serverNode`: the servers' Node version, for scenarios that start servers (lib/server-process.ts). */
export function machineInfo(options: { serverNode?: string } = {}): MachineInfo {
  const list = cpus();
  return {
    cpuModel: (list[0]?.model ?? 'unknown').trim(),
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    serverNode: options.serverNode,
    os: `${platform()} ${release()}`,
    date: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    load1: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    wrk: wrkVersion(),
  };
}

/** `wrk -v` prints its version and exits non-zero; undefined when wrk is not installed. */
export function wrkVersion(): string | undefined {
  try {
    execFileSync('wrk', ['-v'], { stdio: 'pipe' });
  } catch (err) {
    const e = err as { stdout?: Buffer; code?: string };
    if (e.code === 'ENOENT') return undefined;
    const m = /wrk (\S+)/.exec(String(e.stdout ?? ''));
    return m?.[1] ?? 'unknown';
  }
  return 'unknown';
}

export function describeMachine(m: MachineInfo): string {
  return (
    `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; ` +
    (m.serverNode === undefined ? `Node ${m.node}; ` : `servers on Node ${m.serverNode} (the harness on ${m.node}); `) +
    `${m.date}; load average at start ${m.load1}` +
    (m.wrk ? `; wrk ${m.wrk}` : '')
  );
}
