// Starting and stopping the demo app (test/runtimes/app/, compiled into .runtimes/app/) on one
// runtime. scripts/runtimes.mjs fetches the binaries, compiles the demo and says which runtimes to
// run in CACHET_RUNTIMES (JSON); without it (plain `npm test`, test:compat) the tests are skipped.
//
// Every server listens on 127.0.0.1 port 0 and says which port it got: the Node, Deno and Bun
// entries print `listening on http://127.0.0.1:<port>`, workerd reports it on its control fd. So two
// runs never race for a port.
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const APP = join(ROOT, '.runtimes', 'app');
/** How long a runtime may take to start and answer its first request: it is a wait for readiness, not a measurement. */
const START_DEADLINE_MS = 60_000;

/** One runtime to run, as scripts/runtimes.mjs describes it. */
export interface RuntimeSpec {
  /** Short id: `deno`, `bun`, `workerd`, `node20`... */
  id: string;
  kind: 'node' | 'deno' | 'bun' | 'workerd';
  /** Name and exact version, e.g. `Deno 2.9.6`. */
  label: string;
  /** What the demo's /state says its runtime is (a Worker has no version API: `workerd`). */
  reports: string;
  /** Absolute path of the binary. */
  binary: string;
  /** Where the binary came from, e.g. `@deno/linux-x64-glibc@2.9.6, pinned`. */
  source: string;
}

/** A demo server that is up. */
export interface RunningServer {
  runtime: RuntimeSpec;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Everything the runtime printed so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** The `skip` option of a runtimes test: false under `npm run test:runtimes`, else the reason. */
export function runtimeTestSkip(): false | string {
  return process.env['CACHET_RUNTIMES'] === undefined ? 'runs under npm run test:runtimes' : false;
}

/** The runtimes scripts/runtimes.mjs asked for; none when the tests are skipped. */
export function runtimesFromEnv(): RuntimeSpec[] {
  const raw = process.env['CACHET_RUNTIMES'];
  if (raw === undefined) return [];
  const list: unknown = JSON.parse(raw);
  if (!Array.isArray(list) || list.length === 0) throw new Error('CACHET_RUNTIMES must be a non-empty JSON array (scripts/runtimes.mjs writes it)');
  return list as RuntimeSpec[];
}

/** The command line and extra environment that start the demo on `runtime`. */
function command(runtime: RuntimeSpec): { args: string[]; env: Record<string, string> } {
  switch (runtime.kind) {
    case 'node':
      return { args: [join(APP, 'node.js')], env: {} };
    case 'deno':
      // Only the permissions the demo needs; its cache inside .runtimes/, no lock file written
      // into the checkout, no update check.
      return {
        args: ['run', '--no-prompt', '--no-lock', '--allow-net=127.0.0.1', '--allow-env=CACHET_DEMO_KEY', join(APP, 'deno.js')],
        env: { DENO_DIR: join(ROOT, '.runtimes', 'deno-dir'), DENO_NO_UPDATE_CHECK: '1' },
      };
    case 'bun':
      return { args: ['--no-install', join(APP, 'bun.js')], env: { DO_NOT_TRACK: '1' } };
    case 'workerd':
      return { args: ['serve', join(APP, 'workerd.capnp'), '--control-fd=3'], env: {} };
  }
}

/** Resolves with the first match of `pattern` in the stream's lines. */
function firstMatch(stream: Readable, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolvePort) => {
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const match = buffered.match(pattern);
      if (match !== null) resolvePort(match);
    });
  });
}

async function answers(origin: string): Promise<boolean> {
  try {
    const response = await fetch(`${origin}/sealed/state`);
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Starts the demo on `runtime` with the key `secret`, and waits until it answers. */
export async function startServer(runtime: RuntimeSpec, secret: string): Promise<RunningServer> {
  const { args, env } = command(runtime);
  const child: ChildProcess = spawn(runtime.binary, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, CACHET_DEMO_KEY: secret },
    stdio: ['ignore', 'pipe', 'pipe', runtime.kind === 'workerd' ? 'pipe' : 'ignore'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<string>((resolveExit) => child.once('exit', (code, signal) => resolveExit(`exited (${signal ?? code})`)));

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  const portLine =
    runtime.kind === 'workerd'
      ? firstMatch(child.stdio[3] as Readable, /"event":"listen","socket":"http","port":(\d+)/)
      : firstMatch(child.stdout as Readable, /listening on http:\/\/127\.0\.0\.1:(\d+)/);
  let deadline: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolveLate) => (deadline = setTimeout(() => resolveLate(`did not start within ${START_DEADLINE_MS / 1000} s`), START_DEADLINE_MS)));
  try {
    const first = await Promise.race([portLine, exited, late]);
    if (typeof first === 'string') throw new Error(first);
    const origin = `http://127.0.0.1:${first[1]}`;
    for (;;) {
      if (await answers(origin)) break;
      const why = await Promise.race([exited, late, new Promise<undefined>((r) => setTimeout(r, 100))]);
      if (why !== undefined) throw new Error(why);
    }
    return { runtime, origin, output: () => output, stop };
  } catch (error) {
    await stop();
    throw new Error(`${runtime.label} (${runtime.binary} ${args.join(' ')}): ${(error as Error).message}\n--- its output ---\n${output}`);
  } finally {
    clearTimeout(deadline);
  }
}
