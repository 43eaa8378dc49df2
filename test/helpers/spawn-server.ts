import { spawn, type ChildProcess } from 'node:child_process';
import { after } from 'node:test';

export interface SpawnedServer {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in stdout+stderr (waits for it). */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns `node --import tsx src/server.ts ...args`; killed at the end of the file if still alive.
 * `killAtEnd: false` leaves that to the caller: `after()` called inside a `before` hook ends with
 * the hook, which would kill a server a whole suite shares as soon as it started.
 */
export function spawnServer(args: string[], env: NodeJS.ProcessEnv, options: { killAtEnd?: boolean; uid?: number; gid?: number } = {}): SpawnedServer {
  return spawnCommand(process.execPath, ['--import', 'tsx', 'src/server.ts', ...args], env, options);
}

/**
 * Spawns `command args` the way {@link spawnServer} spawns the server (its output gathered, killed
 * at the end of the file if still alive), in `cwd` when given: for `npm start` in a copy of the
 * package.
 */
export function spawnCommand(command: string, args: string[], env: NodeJS.ProcessEnv, options: { killAtEnd?: boolean; uid?: number; gid?: number; cwd?: string } = {}): SpawnedServer {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: '', CACHET_KEYS: '', ...env };
  // Under c8 a child writes its coverage to the runner's folder, which another user may not:
  // node then prints an EACCES line per file into the output the test reads. Emptied, not
  // deleted: node copies a missing NODE_V8_COVERAGE from the parent into every child's env.
  if (options.uid !== undefined) childEnv['NODE_V8_COVERAGE'] = '';
  const child = spawn(command, args, {
    env: childEnv,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    stdio: ['ignore', 'pipe', 'pipe'],
    // Another user, for a test run as root whose case needs permissions to hold (root ignores them).
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid }),
  });
  let text = '';
  const waiters: (() => void)[] = [];
  const onData = (d: Buffer) => {
    text += d.toString('utf8');
    for (const w of waiters.splice(0)) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      for (const w of waiters.splice(0)) w();
      resolve({ code, signal });
    }),
  );
  let done = false;
  void exited.then(() => (done = true));
  if (options.killAtEnd !== false) {
    after(() => {
      if (!done) child.kill('SIGKILL');
    });
  }
  return {
    child,
    output: () => text,
    exited,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(text);
          if (match) return resolve(match);
          if (done || child.exitCode !== null) return reject(new Error(`server exited before printing ${pattern}:\n${text}`));
          waiters.push(check);
        };
        check();
      });
    },
  };
}
