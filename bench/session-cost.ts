/**
 * Scenario "session-cost": cachet's own CPU per request on the session paths, in process, with
 * node's HTTP layer left out — the real request `Context` on a fake request that carries a real
 * cookie, `store.get`, the handler's read or write, then the before-send hooks (the commit). The
 * first row, a Context and nothing else, is the baseline subtracted from the others.
 *
 * CPU is the process's (process.cpuUsage: every thread, so Web Crypto's work on libuv's pool
 * counts); one request at a time; rounds interleaved, median shown (lib/micro.ts).
 *
 *   npm run bench:session-cost        BENCH_MICRO_ROUNDS / BENCH_MICRO_MS change the rounds
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { machineInfo } from './lib/machine.ts';
import { runCases, type MicroCase } from './lib/micro.ts';
import { heading, publish, table, num } from './lib/report.ts';
import { cachetAvailable, loadCachet } from './lib/cachet.ts';
import { SECRET_B64URL, SESSION, renderHello } from './lib/fixture.ts';

// The child run (see the end of this file): every crypto.subtle.encrypt answers at once with a
// buffer of the right size, so a sealed write is measured apart from Web Crypto. Patched on the
// prototype before cachet loads, so no object this process uses changes shape mid-run.
const WITHOUT_ENCRYPT = process.env['SESSION_COST_WITHOUT_ENCRYPT'] === '1';
if (WITHOUT_ENCRYPT) {
  SubtleCrypto.prototype.encrypt = (_algorithm: unknown, _key: CryptoKey, data: BufferSource): Promise<ArrayBuffer> =>
    Promise.resolve(new ArrayBuffer(data.byteLength + 16));
}
if (!(await cachetAvailable('Context', 'CookieStore', 'Keyring'))) process.exit(0);
const cachet = await loadCachet();
const keyring = await cachet['Keyring'].create([{ id: 'bench', secret: SECRET_B64URL }]);
const config = { body: { limit: 1 << 20, fields: 100 }, trustProxy: 0, requestId: () => 'bench' };

interface Ctx {
  _hooks: (() => unknown)[] | null;
  _setCookies: Map<string, string> | null;
}
interface Session {
  values: Record<string, unknown>;
}

/** A fresh request context; the header is copied so that every request parses a new string, as over HTTP. */
function context(cookieHeader: string): Ctx {
  const req = { method: 'GET', headers: { host: 'bench', cookie: Buffer.from(cookieHeader).toString('latin1') } };
  return new cachet['Context'](config, req, {}, '/', '', {}, '/');
}

async function commit(ctx: Ctx): Promise<void> {
  for (const hook of ctx._hooks ?? []) await hook();
}

/** The cookie header a browser would send back after `ctx`'s response. */
function cookieAfter(ctx: Ctx, before: string): string {
  const set = ctx._setCookies?.values().next().value;
  return set === undefined ? before : set.slice(0, set.indexOf(';'));
}

async function login(store: { get(ctx: Ctx, name: string): Promise<Session> }): Promise<string> {
  const ctx = context('');
  Object.assign((await store.get(ctx, 'session')).values, SESSION);
  await commit(ctx);
  return cookieAfter(ctx, '');
}

const sealed = new cachet['CookieStore']({ keyring });
const signed = new cachet['CookieStore']({ keyring, mode: 'signed' });
const uncached = new cachet['CookieStore']({ keyring, cache: false });

function reader(store: typeof sealed, header: string): () => Promise<unknown> {
  return async () => {
    const ctx = context(header);
    const session: Session = await store.get(ctx, 'session');
    const body = renderHello(session.values as typeof SESSION);
    await commit(ctx);
    if (ctx._setCookies !== null) throw new Error('a read wrote the session');
    return body;
  };
}

function writer(store: typeof sealed, header: string): () => Promise<unknown> {
  let current = header;
  return async () => {
    const ctx = context(current);
    const session: Session = await store.get(ctx, 'session');
    session.values['count'] = ((session.values['count'] as number | undefined) ?? 0) + 1;
    await commit(ctx);
    current = cookieAfter(ctx, current); // the next request carries the new cookie, as a browser's would
  };
}

const sealedCookie = await login(sealed);
const signedCookie = await login(signed);
const cases: MicroCase[] = [
  { name: 'Context only (the baseline)', fn: () => context(sealedCookie) },
  { name: 'read, sealed, cache hit', fn: reader(sealed, sealedCookie) },
  { name: 'read, signed, cache hit', fn: reader(signed, signedCookie) },
  { name: 'read, sealed, cache off (one AES-GCM decrypt)', fn: reader(uncached, sealedCookie) },
  { name: 'write, sealed (one AES-GCM encrypt; the next read hits the cache)', fn: writer(sealed, sealedCookie) },
  { name: 'write, signed (one HMAC)', fn: writer(signed, signedCookie) },
];

const rounds = Number(process.env['BENCH_MICRO_ROUNDS'] ?? 7);
const roundMs = Number(process.env['BENCH_MICRO_MS'] ?? 300);
const cpuUs = (opsPerCpuSec: number): number => 1e6 / opsPerCpuSec;
if (WITHOUT_ENCRYPT) {
  // Its own baseline, measured in this process, and the sealed write; reported to the parent.
  const own = await runCases([cases[0]!, cases[4]!], { inFlight: 1, rounds, roundMs });
  process.stdout.write(JSON.stringify({ opsPerSec: own[1]!.opsPerSec, cpuUs: cpuUs(own[1]!.opsPerCpuSec), share: cpuUs(own[1]!.opsPerCpuSec) - cpuUs(own[0]!.opsPerCpuSec) }));
  process.exit(0);
}
const machine = machineInfo();
console.error(`session-cost: ${cases.length} cases, ${rounds} rounds × ${roundMs} ms, one request at a time`);
const results = await runCases(cases, { inFlight: 1, rounds, roundMs });
const base = cpuUs(results[0]!.opsPerCpuSec);
const child = JSON.parse(
  execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], { env: { ...process.env, SESSION_COST_WITHOUT_ENCRYPT: '1' }, encoding: 'utf8' }),
) as { opsPerSec: number; cpuUs: number; share: number };
publish(
  'session-cost',
  heading("Sessions in process: cachet's own CPU per request", machine, [
    `One request at a time, ${rounds} interleaved rounds of ${roundMs} ms (median); CPU of every thread of the process. ` +
      `"cachet's share" is the row minus the Context-only baseline (${base.toFixed(2)} µs). The 7-field, 150-byte session of lib/fixture.ts.`,
  ]) +
    '\n' +
    table(
      ['path', 'requests/s', 'CPU µs per request', "cachet's share, µs"],
      [
        ...results.map((r, i) => [r.name, num(r.opsPerSec), cpuUs(r.opsPerCpuSec).toFixed(2), i === 0 ? '—' : (cpuUs(r.opsPerCpuSec) - base).toFixed(2)]),
        ['write, sealed, every encrypt answered at once (cachet without Web Crypto; a second process, its own baseline)', num(child.opsPerSec), child.cpuUs.toFixed(2), child.share.toFixed(2)],
      ],
    ),
);
