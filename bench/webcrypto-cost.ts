/**
 * Scenario "webcrypto-cost": what one Web Crypto call costs the event loop, apart from any
 * format or framework. A session write seals one cookie; every server in the sessions table is
 * bound by its main thread under load, so the main thread's CPU per call is what a sealed write
 * pays over a read — and what a synchronous native library (libsodium in @fastify/secure-session)
 * does not pay.
 *
 * Each row runs 16 calls in flight for a round, rounds interleaved, median shown. "main thread"
 * is the CPU of the event-loop thread alone (/proc/self/task/PID/stat), "all threads" adds
 * libuv's pool, where the cipher itself runs. The baseline row awaits an already-resolved
 * promise: the loop's own cost. Same 150-byte payload and 32-byte keys as every other scenario.
 *
 *   npm run bench:webcrypto-cost
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { machineInfo } from './lib/machine.ts';
import { clockTicks } from './lib/proc-cpu.ts';
import { heading, publish, table, num } from './lib/report.ts';
import { KEY_BYTES, SESSION } from './lib/fixture.ts';

const IN_FLIGHT = 16;
const ROUNDS = Number(process.env['BENCH_MICRO_ROUNDS'] ?? 5);
const ROUND_MS = Number(process.env['BENCH_MICRO_MS'] ?? 1000);

const subtle = crypto.subtle;
const aes = await subtle.importKey('raw', KEY_BYTES, 'AES-GCM', false, ['encrypt', 'decrypt']);
const hmac = await subtle.importKey('raw', KEY_BYTES, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
const data = new TextEncoder().encode(JSON.stringify(SESSION));
const aad = new TextEncoder().encode('session|v1|bench|1764115200'); // the size of cachet's bound context
const iv = crypto.getRandomValues(new Uint8Array(12));
const sealed = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, aes, data));
const tag = new Uint8Array(await subtle.sign('HMAC', hmac, data));
const done = Promise.resolve();

// A fixed IV is fine here: nothing is kept, and the cost of an encrypt does not depend on the IV.
const cases: { name: string; fn: () => Promise<unknown> }[] = [
  { name: 'await a resolved promise (the baseline)', fn: () => done },
  { name: 'AES-256-GCM encrypt, { iv }', fn: () => subtle.encrypt({ name: 'AES-GCM', iv }, aes, data) },
  { name: 'AES-256-GCM encrypt, { iv, additionalData } (as cachet seals)', fn: () => subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, aes, data) },
  { name: 'AES-256-GCM decrypt, { iv, additionalData } (as cachet opens)', fn: () => subtle.decrypt({ name: 'AES-GCM', iv, additionalData: aad }, aes, sealed) },
  { name: "HMAC-SHA256 sign, 'HMAC' (as cachet signs)", fn: () => subtle.sign('HMAC', hmac, data) },
  { name: "HMAC-SHA256 verify, 'HMAC'", fn: () => subtle.verify('HMAC', hmac, tag, data) },
  { name: "SHA-256 digest, 'SHA-256'", fn: () => subtle.digest('SHA-256', data) },
];

/** CPU seconds of the event-loop thread (its tid is the pid) and of the whole process. */
function cpu(): { main: number; all: number } {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const u = process.cpuUsage();
  return { main: (Number(rest[11]) + Number(rest[12])) / clockTicks(), all: (u.user + u.system) / 1e6 };
}

async function round(fn: () => Promise<unknown>, ms: number): Promise<{ perSec: number; main: number; all: number }> {
  let ops = 0;
  const c0 = cpu();
  const start = performance.now();
  const end = start + ms;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < end) {
        await fn();
        ops++;
      }
    }),
  );
  const c1 = cpu();
  return { perSec: ops / ((performance.now() - start) / 1000), main: ((c1.main - c0.main) * 1e6) / ops, all: ((c1.all - c0.all) * 1e6) / ops };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const samples = cases.map(() => ({ perSec: [] as number[], main: [] as number[], all: [] as number[] }));
for (const c of cases) await round(c.fn, 300); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? cases.map((_, i) => i) : cases.map((_, i) => cases.length - 1 - i);
  for (const i of order) {
    const s = await round(cases[i]!.fn, ROUND_MS);
    samples[i]!.perSec.push(s.perSec);
    samples[i]!.main.push(s.main);
    samples[i]!.all.push(s.all);
  }
}
const base = median(samples[0]!.main);
const machine = machineInfo();
publish(
  'webcrypto-cost',
  heading('Web Crypto: what one call costs the event loop', machine, [
    `${IN_FLIGHT} calls in flight, ${ROUNDS} interleaved rounds of ${ROUND_MS} ms (median); main-thread CPU read from /proc in clock ticks (10 ms), ` +
      `so the baseline row is at the edge of what it can see. The ${data.length}-byte session JSON of lib/fixture.ts, 32-byte keys.`,
  ]) +
    '\n' +
    table(
      ['call', 'calls/s', 'main thread µs per call', 'minus the baseline', 'all threads µs per call'],
      cases.map((c, i) => {
        const main = median(samples[i]!.main);
        return [c.name, num(median(samples[i]!.perSec)), main.toFixed(1), i === 0 ? '—' : (main - base).toFixed(1), median(samples[i]!.all).toFixed(1)];
      }),
    ),
);
