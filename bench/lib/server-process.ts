/**
 * The parent side of the server protocol: start one benchmark server in its own child
 * process (so its event loop and heap are its own), wait for its port, kill it after.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';

/**
 * The node binary the servers under test run on: $BENCH_NODE, else the bench's own. The load
 * generator and the harness may stay on one Node line while the servers run on another, because
 * what one Web Crypto call costs differs by line (docs/benchmarks.md, "Web Crypto").
 */
export const serverNodePath: string = process.env['BENCH_NODE'] || process.execPath;

let serverNode: string | undefined;
/** The version of {@link serverNodePath} (`v26.12.1`), asked of the binary itself once. */
export function serverNodeVersion(): string {
  serverNode ??= serverNodePath === process.execPath ? process.version : execFileSync(serverNodePath, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
  return serverNode;
}

export interface RunningServer {
  port: number;
  /** The process doing the serving (its CPU time is measured): the child, or one it started and named. */
  pid: number | undefined;
  /** Everything else the server announced (e.g. the reference app's demo password). */
  info: Record<string, unknown>;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Extra node flags for every server ($BENCH_NODE_ARGS, space-separated), e.g. `--cpu-prof` or `--trace-gc` to profile one under load. */
function serverExecArgv(): string[] {
  return (process.env['BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
}

const running = new Set<ChildProcess>();
/** Servers started by a child (the reference app under its wrapper), to be killed with it. */
const grandchildren = new Set<number>();
// A crashed or interrupted run must not leave servers listening behind it.
const killAll = (): void => {
  for (const c of running) c.kill('SIGKILL');
  for (const pid of grandchildren) killPid(pid);
};
function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
process.once('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    killAll();
    process.exit(130);
  });
}

/** Forks `file` (a .ts server under bench/, loaded through tsx, on {@link serverNodePath}) and resolves once it announces its port. */
export function startServer(file: string, env: Record<string, string> = {}, timeoutMs = 20_000): Promise<RunningServer> {
  const child = fork(file, [], {
    execPath: serverNodePath,
    execArgv: ['--import', 'tsx', ...serverExecArgv()],
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  running.add(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file}: no port announced within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (code) => {
      running.delete(child);
      clearTimeout(timer);
      reject(new Error(`${file}: exited with ${code} before announcing a port`));
    });
    child.once('message', (msg) => {
      clearTimeout(timer);
      const { port, pid, ...info } = msg as { port?: number; pid?: number } & Record<string, unknown>;
      if (typeof port !== 'number') return reject(new Error(`${file}: unexpected message ${JSON.stringify(msg)}`));
      if (pid !== undefined && pid !== child.pid) grandchildren.add(pid);
      resolve({
        port,
        pid: pid ?? child.pid,
        info,
        url: `http://127.0.0.1:${port}`,
        child,
        stop: () =>
          new Promise<void>((done) => {
            const finish = (): void => {
              if (pid !== undefined && grandchildren.delete(pid)) killPid(pid);
              done();
            };
            if (child.exitCode !== null || child.signalCode !== null) return finish();
            child.once('exit', finish);
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5000).unref();
          }),
      });
    });
  });
}
