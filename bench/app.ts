/**
 * Scenario "reference app" (issues 6 and 17): the logged-in home page of `node dist/server.js`
 * under load, in one process (file backend; with `--redis` on a local redis-server when one is
 * installed, and with `--session-store redis` as well) and with `--workers 2`. Baseline:
 * `CookieStore`'s sealed write alone (bench:sessions (b)'s cachet server, GET /count) in the same
 * run; raw node:http hello is measured too.
 * The client logs in as the demo user once (GET /login for the CSRF token, POST /login), then
 * requests GET / with that session cookie. The home page counts visits in the session, so
 * every response re-seals it; it also sends the full set of security headers.
 *
 *   npm run bench:app
 */
import { machineInfo } from './lib/machine.ts';
import { serverNodeVersion } from './lib/server-process.ts';
import { runHttpTable, httpOptionsFromEnv, expectText, cookieHeader, type HttpTarget, type HttpResult } from './lib/http-table.ts';
import { rawHello, sessionTarget } from './lib/session-target.ts';
import { hasRedisServer, startRedis, type RedisServer } from './lib/redis-server.ts';
import { heading, publish, httpTable, table } from './lib/report.ts';
import { median, medianInterval } from './lib/micro.ts';
import { cachetRoot } from './lib/cachet.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

function mergeCookies(...headers: string[]): string {
  const jar = new Map<string, string>();
  for (const h of headers) for (const p of h.split('; ').filter(Boolean)) jar.set(p.slice(0, p.indexOf('=')), p);
  return [...jar.values()].join('; ');
}

function appTarget(name: string, workers: number, redisUrl?: string, sessionStore?: 'redis'): HttpTarget {
  return {
    name,
    role: 'cachet',
    server: 'servers/app/reference-app.ts',
    env: { APP_WORKERS: String(workers), ...(redisUrl ? { APP_REDIS: redisUrl } : {}), ...(sessionStore ? { APP_SESSION_STORE: sessionStore } : {}) },
    path: '/',
    async prepare(url, info) {
      const password = String(info['password'] ?? '');
      const form = await expectText(url + '/login', {}, 'name="_csrf"');
      const token = /name="_csrf" value="([^"]+)"/.exec(form.bodyText)?.[1];
      if (!token) throw new Error('GET /login: no CSRF token in the form');
      const before = cookieHeader(form);
      const res = await fetch(url + '/login', {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: before, origin: url, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: 'demo', password, _csrf: token }).toString(),
      });
      await res.text();
      if (res.status !== 303) throw new Error(`POST /login: expected 303, got ${res.status}`);
      const loggedIn = mergeCookies(before, cookieHeader(res));
      const home = await expectText(url + '/', { cookie: loggedIn }, 'Welcome, demo');
      // The cookie store re-seals the session on every view. With --session-store redis the
      // record is rewritten and the id cookie kept while it is fresh: the count must still move.
      if (sessionStore === undefined && home.headers.getSetCookie().length === 0) throw new Error('GET /: the visit counter did not re-seal the session');
      const visits = (text: string) => Number(/data-visits="(\d+)"/.exec(text)?.[1]);
      const again = await expectText(url + '/', { cookie: mergeCookies(loggedIn, cookieHeader(home)) }, 'Welcome, demo');
      if (!(visits(again.bodyText) === visits(home.bodyText) + 1)) throw new Error('GET /: the visit counter did not move');
      // The cookie a browser holds from its second view on: the first view after login gave the
      // session its CSRF secret (login regenerates it), so replaying the login cookie would make
      // every request create a new secret, which no browser does.
      return { cookie: mergeCookies(loggedIn, cookieHeader(home), cookieHeader(again)) };
    },
  };
}

const root = cachetRoot();
if (!root || !existsSync(join(root, 'dist/server.js'))) {
  console.error('app: dist/server.js is not in this checkout yet; nothing to measure');
  process.exit(0);
}
// The baseline: the sealed write path alone, as bench:sessions (b) measures it (createApp +
// CookieStore, GET /count re-seals the session on every request, no page, no log).
const sealedWrite: HttpTarget = { ...sessionTarget('CookieStore (sealed) write alone (baseline)', 'baseline', 'servers/sessions/cachet.ts', 'write'), env: { STORE: 'cookie' } };
const targets: HttpTarget[] = [sealedWrite, { ...rawHello, role: 'cachet' }, appTarget('reference app, 1 process (file backend)', 1)];
let redis: RedisServer | undefined;
if (hasRedisServer()) {
  redis = await startRedis();
  targets.push(appTarget('reference app, 1 process, --redis (local redis-server)', 1, redis.url));
  // Not a goal row: sessions themselves in Redis, a different store from the baseline's. Every
  // view reads and rewrites the session's record and lists the user's sessions (8 commands).
  targets.push(appTarget('reference app, 1 process, --redis --session-store redis', 1, redis.url, 'redis'));
} else {
  console.error('app: redis-server is not installed; the --redis row is left out');
}
targets.push(appTarget('reference app, --workers 2 (file backend)', 2));
const machine = machineInfo({ serverNode: serverNodeVersion() });
// Nine rounds unless BENCH_ROUNDS says otherwise: the goal rows sit near 0.8× on a machine whose
// rounds differ by 10–25%, and fewer than six rounds give no 95% interval for the per-round median.
const options = { ...httpOptionsFromEnv(), ...(process.env['BENCH_ROUNDS'] ? {} : { rounds: 9 }) };
console.error(`app: ${targets.length} servers, ${options.rounds} rounds × ${options.duration}s, ${options.connections} connections`);
let results;
try {
  results = await runHttpTable(targets, options);
} finally {
  await redis?.stop();
}
const raw = results[0]!;

/**
 * Each round measures every server once, minutes apart at most, so a round's ratio compares the
 * app with the baseline on the machine as it was then. The table's ratio divides two medians
 * taken over the whole run instead; on a shared machine whose speed drifts from round to round,
 * the per-round ratios show how far the verdict depends on when each server ran.
 */
function perRound(result: HttpResult): string {
  const ratios = result.rounds.map((round, i) => round.requestsPerCpuSec / raw.rounds[i]!.requestsPerCpuSec).filter(Number.isFinite);
  if (ratios.length === 0) return 'n/a';
  const sorted = [...ratios].sort((x, y) => x - y);
  const over = ratios.filter((x) => x >= 0.8).length;
  const interval = medianInterval(ratios);
  const within = interval === undefined ? 'too few rounds for a 95% interval' : `95% interval ${interval[0].toFixed(2)}–${interval[1].toFixed(2)}×`;
  return `${median(ratios).toFixed(2)}× (${within}; range ${sorted[0]!.toFixed(2)}–${sorted.at(-1)!.toFixed(2)}×; ${over} of ${ratios.length} rounds at 0.8× or more)`;
}
const judged = results.filter((r) => r.name.startsWith('reference app, 1 process') && !r.name.includes('--session-store'));
publish(
  'app',
  heading('Reference app: the logged-in home page', machine, [
    `${options.connections} connections, ${options.rounds} interleaved rounds of ${options.duration} s each (median shown), ${raw.rounds[0]!.tool}. ` +
      `GET / as the logged-in demo user: renders the page, counts the visit in the session (re-sealed on every response), ` +
      `security headers, access log on. req/CPU-s counts the app's primary and its workers. ` +
      `With 2 workers on this 2-core machine, wrk and the workers compete for the same two cores. ` +
      `The baseline is CookieStore's sealed write alone (createApp + CookieStore, GET /count, no page, no access log), ` +
      `the floor the home page's own session write cannot go under; the --redis rows' redis-server CPU is not counted. ` +
      `With --session-store redis the session is not sealed at all: its record is read and rewritten in Redis and the page lists the user's sessions, ` +
      `so that row is shown for scale, not judged against the baseline.`,
  ]) +
    '\n' +
    httpTable(results, '× sealed write') +
    '\n\nPer round, req/CPU-s against the baseline measured in the same round (median, its distribution-free 95% interval, range):\n\n' +
    table(['server', '× sealed write, per round'], judged.map((r) => [r.name, perRound(r)])),
);
