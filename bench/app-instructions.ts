/**
 * Scenario "app-instructions" (issue 17): the logged-in home page and bench:app's baseline, counted
 * in instructions instead of seconds. bench:app's rounds differ by 10–25% on a shared machine;
 * callgrind counts what the process executes, whatever else the machine is doing, so the two
 * servers can be compared to a few percent in minutes.
 *
 * Each server runs in process under `valgrind --tool=callgrind` (servers/app/in-process.ts): the
 * node request listener is called directly, 50 requests in flight, no socket. Counting is off
 * while the server starts and warms up (WARM requests, so the JIT has compiled the hot paths),
 * then on for N requests. Every thread counts (libuv's pool runs the AES-GCM work), garbage
 * collection included; the kernel does not (no network I/O here; bench:app has it).
 *
 *   npm run bench:app-instructions      BENCH_ROUNDS (default 3), WARM (20000), N (15000; 5000 proved too short on Node 24,
 *                                      where a major GC falling in the window or not swung the count by 15%)
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo } from './lib/machine.ts';
import { serverNodePath, serverNodeVersion } from './lib/server-process.ts';
import { heading, publish, table, num } from './lib/report.ts';
import { median } from './lib/micro.ts';
import { cachetRoot } from './lib/cachet.ts';

const driver = fileURLToPath(new URL('servers/app/in-process.ts', import.meta.url));
const benchDir = fileURLToPath(new URL('.', import.meta.url));

function has(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

if (!has('valgrind') || !has('callgrind_control')) {
  console.error('app-instructions: valgrind (callgrind) is not installed (apt-get install valgrind); nothing to measure');
  process.exit(0);
}
if (!cachetRoot()) {
  console.error('app-instructions: cachet could not be built; nothing to measure');
  process.exit(0);
}

const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
const warm = Number(process.env['WARM'] ?? 20_000);
const n = Number(process.env['N'] ?? 15_000);

/** Instructions per request of one server: callgrind's count over the N measured requests, divided by N. */
async function count(kind: 'base' | 'app'): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'cachet-callgrind-'));
  const child = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${join(dir, 'out.%p')}`, serverNodePath, '--import', 'tsx', driver, kind], {
    cwd: benchDir,
    env: { ...process.env, NODE_ENV: 'production', WARM: String(warm), N: String(n) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let pending = '';
  const seen = new Set<string>();
  let wake: (() => void) | undefined;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
      seen.add(pending.slice(0, i));
      pending = pending.slice(i + 1);
    }
    wake?.();
  });
  // Set before the waiter wakes, in the same callback: a server that dies during start-up must
  // end the wait below, not leave it waiting for a line that never comes.
  let gone = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      gone = true;
      wake?.();
      resolve(code);
    }),
  );
  const until = async (line: string): Promise<void> => {
    while (!seen.has(line)) {
      if (gone) throw new Error(`app-instructions: the ${kind} server exited before ${line}:\n${stderr.slice(-3000)}`);
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  try {
    await until('READY');
    execFileSync('callgrind_control', ['--instr=on', String(child.pid)], { stdio: 'ignore' });
    child.stdin.write('go\n');
    await until('DONE');
    execFileSync('callgrind_control', ['--instr=off', String(child.pid)], { stdio: 'ignore' });
    child.stdin.write('exit\n');
    await exited;
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
  const collected = /Collected : (\d+)/.exec(stderr)?.[1];
  if (collected === undefined) throw new Error(`app-instructions: callgrind reported no count for ${kind}:\n${stderr.slice(-3000)}`);
  return Number(collected) / n;
}

const base: number[] = [];
const app: number[] = [];
console.error(`app-instructions: ${rounds} rounds, ${warm} requests to warm up, ${n} counted, under callgrind (a few minutes a server)`);
for (let round = 0; round < rounds; round++) {
  base.push(await count('base'));
  app.push(await count('app'));
  console.error(`round ${round + 1}: base ${num(base.at(-1)!)}, app ${num(app.at(-1)!)} instructions/request`);
}
const range = (xs: readonly number[]): string => `${num(Math.min(...xs))}–${num(Math.max(...xs))}`;
const ratios = base.map((b, i) => b / app[i]!);
const machine = machineInfo({ serverNode: serverNodeVersion() });
publish(
  'app-instructions',
  heading('Reference app: the logged-in home page, in instructions', machine, [
    `valgrind --tool=callgrind, ${rounds} interleaved rounds (median shown). In process: the request listener called directly with 50 requests in flight, ` +
      `${warm} requests to warm up uncounted, then ${n} counted; every thread and garbage collection count, the kernel does not. ` +
      `Baseline: bench:app's, CookieStore's sealed write alone (bench:sessions (b)'s cachet server, GET /count). ` +
      `The app: node dist/server.js's code path (startServer, access log batched to /dev/null), GET / as the logged-in demo user. ` +
      `"× sealed write" is the baseline's count over the app's in each round (the median, then the range): the app's speed as a share of the baseline's, instruction for instruction.`,
  ]) +
    '\n' +
    table(
      ['server', 'instructions/request', 'range', '× sealed write'],
      [
        ['CookieStore (sealed) write alone (baseline)', num(median(base)), range(base), '1.00×'],
        ['reference app, 1 process (file backend)', num(median(app)), range(app), `${median(ratios).toFixed(2)}× (rounds ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×)`],
      ],
    ),
);
