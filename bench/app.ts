/**
 * Scenario "reference app" (issue 6): the logged-in home page of `node dist/server.js` under
 * load, in one process and with `--workers 2`, next to raw node:http hello in the same run.
 * The client logs in as the demo user once (GET /login for the CSRF token, POST /login), then
 * requests GET / with that session cookie. The home page counts visits in the session, so
 * every response re-seals it; it also sends the full set of security headers.
 *
 *   npm run bench:app
 */
import { machineInfo } from './lib/machine.ts';
import { serverNodeVersion } from './lib/server-process.ts';
import { runHttpTable, httpOptionsFromEnv, expectText, cookieHeader, type HttpTarget } from './lib/http-table.ts';
import { rawHello } from './lib/session-target.ts';
import { heading, publish, httpTable } from './lib/report.ts';
import { cachetRoot } from './lib/cachet.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

function mergeCookies(...headers: string[]): string {
  const jar = new Map<string, string>();
  for (const h of headers) for (const p of h.split('; ').filter(Boolean)) jar.set(p.slice(0, p.indexOf('=')), p);
  return [...jar.values()].join('; ');
}

function appTarget(name: string, workers: number): HttpTarget {
  return {
    name,
    role: 'cachet',
    server: 'servers/app/reference-app.ts',
    env: { APP_WORKERS: String(workers) },
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
      const cookie = mergeCookies(before, cookieHeader(res));
      const home = await expectText(url + '/', { cookie }, 'Welcome, demo');
      if (home.headers.getSetCookie().length === 0) throw new Error('GET /: the visit counter did not re-seal the session');
      return { cookie };
    },
  };
}

const root = cachetRoot();
if (!root || !existsSync(join(root, 'dist/server.js'))) {
  console.error('app: dist/server.js is not in this checkout yet; nothing to measure');
  process.exit(0);
}
const targets: HttpTarget[] = [rawHello, appTarget('reference app, 1 process', 1), appTarget('reference app, --workers 2', 2)];
const machine = machineInfo({ serverNode: serverNodeVersion() });
const options = httpOptionsFromEnv();
console.error(`app: ${targets.length} servers, ${options.rounds} rounds × ${options.duration}s, ${options.connections} connections`);
const results = await runHttpTable(targets, options);
const raw = results[0]!;
publish(
  'app',
  heading('Reference app: the logged-in home page', machine, [
    `${options.connections} connections, ${options.rounds} interleaved rounds of ${options.duration} s each (median shown), ${raw.rounds[0]!.tool}. ` +
      `GET / as the logged-in demo user: renders the page, counts the visit in the session (re-sealed on every response), ` +
      `security headers, access log on. req/CPU-s counts the app's primary and its workers. ` +
      `With 2 workers on this 2-core machine, wrk and the workers compete for the same two cores.`,
  ]) +
    '\n' +
    httpTable(results, '× raw hello'),
);
