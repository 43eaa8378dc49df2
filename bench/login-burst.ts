/**
 * Scenario "login burst" (issue 13, section 1): does a burst of logins from one client take the
 * crypto thread pool from everyone else's sessions? The reference app (`node dist/server.js`,
 * fresh data directory, one process) serves logged-in page views to a few clients; we measure
 * their latency without a burst, then while 200 parallel logins (wrong passwords, each for
 * another user name) arrive from one client. Every round starts a fresh server, so the
 * failed-login counters of the previous round do not turn the next burst into 429s.
 *
 * Each page view (GET / as demo) opens and re-seals the session: AES-GCM on the same libuv pool
 * that runs PBKDF2. The claim under test: p99 during the burst stays within 2× of p99 without it.
 *
 *   npm run bench:login-burst
 *   BENCH_ROUNDS=5 BENCH_PAGE_VIEWS=600 npm run bench:login-burst
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { machineInfo } from './lib/machine.ts';
import { cookieHeader, expectText } from './lib/http-table.ts';
import { startServer } from './lib/server-process.ts';
import { heading, ms, num, publish, ratio, table } from './lib/report.ts';
import { cachetRoot } from './lib/cachet.ts';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const PAGE_VIEWS = Number(process.env['BENCH_PAGE_VIEWS'] ?? 400);
const VIEWERS = 4; // concurrent logged-in clients, each one request at a time
const BURST = 200;

function mergeCookies(...headers: string[]): string {
  const jar = new Map<string, string>();
  for (const h of headers) for (const p of h.split('; ').filter(Boolean)) jar.set(p.slice(0, p.indexOf('=')), p);
  return [...jar.values()].join('; ');
}

async function loginForm(url: string): Promise<{ cookie: string; token: string }> {
  const form = await expectText(url + '/login', {}, 'name="_csrf"');
  const token = /name="_csrf" value="([^"]+)"/.exec(form.bodyText)?.[1];
  if (!token) throw new Error('GET /login: no CSRF token in the form');
  return { cookie: cookieHeader(form), token };
}

function postLogin(url: string, cookie: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url + '/login', {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, origin: url, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

async function logIn(url: string, password: string): Promise<string> {
  const { cookie, token } = await loginForm(url);
  const res = await postLogin(url, cookie, { username: 'demo', password, _csrf: token });
  await res.text();
  if (res.status !== 303) throw new Error(`POST /login: expected 303, got ${res.status}`);
  const session = mergeCookies(cookie, cookieHeader(res));
  await expectText(url + '/', { cookie: session }, 'Welcome, demo');
  return session;
}

/** `count` logged-in page views from VIEWERS clients (or until `until` settles, whichever is later); latencies in ms. */
async function pageViews(url: string, cookies: string[], count: number, until?: Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  let busy = until !== undefined;
  void until?.then(() => (busy = false));
  let issued = 0;
  await Promise.all(
    cookies.map(async (start) => {
      let cookie = start;
      while (issued < count || busy) {
        issued++;
        const t = performance.now();
        const res = await fetch(url + '/', { headers: { cookie }, redirect: 'manual' });
        const body = await res.text();
        latencies.push(performance.now() - t);
        if (res.status !== 200 || !body.includes('Welcome, demo')) throw new Error(`GET /: ${res.status}`);
        const next = cookieHeader(res);
        if (next) cookie = mergeCookies(cookie, next);
      }
    }),
  );
  return latencies;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

interface Round {
  quietP50: number;
  quietP99: number;
  burstP50: number;
  burstP99: number;
  burstViews: number;
  burstMs: number;
  statuses: Map<number, number>;
}

async function round(): Promise<Round> {
  const server = await startServer('servers/app/reference-app.ts', { APP_WORKERS: '1' });
  try {
    const password = String(server.info['password'] ?? '');
    const cookies: string[] = [];
    for (let i = 0; i < VIEWERS; i++) cookies.push(await logIn(server.url, password));
    await pageViews(server.url, cookies, 100); // warm-up
    const quiet = (await pageViews(server.url, cookies, PAGE_VIEWS)).sort((a, b) => a - b);

    const attacker = await loginForm(server.url);
    const started = performance.now();
    const statuses = new Map<number, number>();
    const burst = Promise.all(
      Array.from({ length: BURST }, async (_, i) => {
        const res = await postLogin(server.url, attacker.cookie, { username: `user${i}`, password: `guess ${i}`, _csrf: attacker.token });
        await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }),
    ).then(() => performance.now() - started);
    const during = (await pageViews(server.url, cookies, PAGE_VIEWS, burst)).sort((a, b) => a - b);
    const burstMs = await burst;
    return {
      quietP50: percentile(quiet, 50),
      quietP99: percentile(quiet, 99),
      burstP50: percentile(during, 50),
      burstP99: percentile(during, 99),
      burstViews: during.length,
      burstMs,
      statuses,
    };
  } finally {
    await server.stop();
  }
}

const root = cachetRoot();
if (!root || !existsSync(join(root, 'dist/server.js'))) {
  console.error('login-burst: dist/server.js is not in this checkout yet; nothing to measure');
  process.exit(0);
}
const machine = machineInfo();
console.error(`login-burst: ${ROUNDS} rounds; ${VIEWERS} logged-in clients, ${PAGE_VIEWS} page views without and at least ${PAGE_VIEWS} during a burst of ${BURST} logins`);
const rounds: Round[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const r = await round();
  console.error(`  round ${i + 1}: p99 ${ms(r.quietP99)} quiet, ${ms(r.burstP99)} during the burst (${[...r.statuses].map(([s, n]) => `${n}×${s}`).join(', ')} in ${ms(r.burstMs)})`);
  rounds.push(r);
}
const quietP50 = median(rounds.map((r) => r.quietP50));
const quietP99 = median(rounds.map((r) => r.quietP99));
const burstP50 = median(rounds.map((r) => r.burstP50));
const burstP99 = median(rounds.map((r) => r.burstP99));
const answers = [...rounds.at(-1)!.statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${n} × ${s}`).join(', ');
publish(
  'login-burst',
  heading('Reference app: logged-in page views during a login burst', machine, [
    `${VIEWERS} logged-in clients request GET / one at a time (each view opens and re-seals the session); ` +
      `${PAGE_VIEWS} views without a burst, then at least as many while ${BURST} parallel logins (wrong passwords, ` +
      `each for another user name) arrive from one client. ${ROUNDS} rounds, each on a fresh server; medians shown. ` +
      `The burst was answered ${answers} (last round), in ${ms(median(rounds.map((r) => r.burstMs)))} (median).`,
  ]) +
    '\n' +
    table(
      ['page views', 'views', 'p50', 'p99', 'p99 × without burst'],
      [
        ['without a burst', num(PAGE_VIEWS), ms(quietP50), ms(quietP99), ratio(quietP99, quietP99)],
        [`during ${BURST} logins from one client`, num(median(rounds.map((r) => r.burstViews))), ms(burstP50), ms(burstP99), ratio(burstP99, quietP99)],
      ],
    ),
);
