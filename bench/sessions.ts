/**
 * Scenario "sessions" (issue 4), over HTTP with wrk (or autocannon):
 *   (a) read  — GET /      reads the session and renders from it;
 *   (b) write — GET /count changes the session, so it is re-sealed on every response.
 * Baselines in the same run: raw node:http hello, and a bare node:http server doing one
 * crypto.subtle AES-GCM decrypt (+ one encrypt) per request with a cached key — the floor
 * for any Web Crypto design. Peers do the same routes (servers/sessions/README.md).
 *
 * The client logs in once, then sends that same valid cookie on every request, as a browser
 * does between writes.
 *
 *   npm run bench:sessions            (both)    node --import tsx sessions.ts read|write
 */
import { machineInfo } from './lib/machine.ts';
import { runHttpTable, httpOptionsFromEnv, expectText, cookieHeader, type HttpTarget, type HttpResult } from './lib/http-table.ts';
import { heading, publish, table, num, ratio, ms } from './lib/report.ts';
import { cachetAvailable } from './lib/cachet.ts';
import { SESSION, renderHello } from './lib/fixture.ts';

type Scenario = 'read' | 'write';

/** Cookie header after applying a response's Set-Cookie to an earlier Cookie header. */
function mergeCookies(before: string, res: Response): string {
  const jar = new Map(before.split('; ').filter(Boolean).map((p) => [p.slice(0, p.indexOf('=')), p] as const));
  for (const p of cookieHeader(res).split('; ').filter(Boolean)) jar.set(p.slice(0, p.indexOf('=')), p);
  return [...jar.values()].join('; ');
}

/** A session server target: log in, check the scenario's answer (and, for writes, that the new cookie carries the change). */
function sessionTarget(name: string, role: HttpTarget['role'], server: string, scenario: Scenario, path = scenario === 'read' ? '/' : '/count'): HttpTarget {
  return {
    name,
    role,
    server,
    path,
    async prepare(url) {
      await fetch(url + '/').then(async (r) => {
        await r.text();
        if (r.status !== 401) throw new Error(`GET / without a cookie: expected 401, got ${r.status}`);
      });
      const login = await expectText(url + '/login', {}, 'logged in');
      const cookie = cookieHeader(login);
      if (!cookie) throw new Error('GET /login set no cookie');
      if (path === '/') {
        await expectText(url + '/', { cookie }, renderHello(SESSION));
      } else {
        const first = await expectText(url + '/count', { cookie }, 'count: 1');
        if (first.headers.getSetCookie().length === 0) throw new Error('GET /count did not write the session');
        await expectText(url + '/count', { cookie: mergeCookies(cookie, first) }, 'count: 2');
      }
      return { cookie };
    },
  };
}

/** Raw hello answers any path and ignores the cookie; it still receives one of realistic size. */
const rawHello: HttpTarget = {
  name: 'raw node:http hello',
  role: 'baseline',
  server: 'servers/hello/raw-node.ts',
  path: '/',
  async prepare(url) {
    await expectText(url + '/', {}, 'Hello, world!');
    return { cookie: `session=${'x'.repeat(240)}` };
  },
};

async function targetsFor(scenario: Scenario): Promise<HttpTarget[]> {
  const t: HttpTarget[] = [rawHello];
  if (scenario === 'read') t.push(sessionTarget('bare subtle: decrypt', 'baseline', 'servers/sessions/bare-subtle.ts', 'read'));
  t.push(sessionTarget('bare subtle: decrypt + encrypt', 'baseline', 'servers/sessions/bare-subtle.ts', scenario, '/count'));
  t.push(
    sessionTarget('express 5 + cookie-session', 'peer', 'servers/sessions/express-cookie-session.ts', scenario),
    sessionTarget('express 5 + express-session (MemoryStore)', 'peer', 'servers/sessions/express-session.ts', scenario),
    sessionTarget('fastify 5 + @fastify/secure-session', 'peer', 'servers/sessions/fastify-secure-session.ts', scenario),
    sessionTarget('node:http + iron-session', 'peer', 'servers/sessions/node-iron-session.ts', scenario),
  );
  if (await cachetAvailable('createApp', 'CookieStore')) {
    t.push(
      sessionTarget('cachet CookieStore (sealed)', 'cachet', 'servers/sessions/cachet-cookie-store.ts', scenario),
      { ...sessionTarget('cachet CookieStore (signed)', 'cachet', 'servers/sessions/cachet-cookie-store.ts', scenario), env: { CACHET_MODE: 'signed' } },
    );
  }
  return t;
}

function resultTable(results: HttpResult[], floorName: string): string {
  const raw = results[0]!;
  const floor = results.find((r) => r.name === floorName)!;
  return table(
    ['server', 'req/s', '× raw hello', '× floor', 'req/CPU-s', '× raw hello', '× floor', 'p50', 'p99', 'errors'],
    results.map((r) => [
      r.name,
      num(r.requestsPerSec),
      ratio(r.requestsPerSec, raw.requestsPerSec),
      ratio(r.requestsPerSec, floor.requestsPerSec),
      num(r.requestsPerCpuSec),
      ratio(r.requestsPerCpuSec, raw.requestsPerCpuSec),
      ratio(r.requestsPerCpuSec, floor.requestsPerCpuSec),
      ms(r.latencyP50),
      ms(r.latencyP99),
      r.errors ? `**${r.errors}**` : '0',
    ]),
  );
}

const arg = process.argv.slice(2).find((a) => !a.startsWith('--'));
const scenarios: Scenario[] = arg === 'read' || arg === 'write' ? [arg] : ['read', 'write'];
const options = httpOptionsFromEnv();
for (const scenario of scenarios) {
  const machine = machineInfo();
  const targets = await targetsFor(scenario);
  console.error(`sessions ${scenario}: ${targets.length} servers, ${options.rounds} rounds × ${options.duration}s, ${options.connections} connections`);
  const results = await runHttpTable(targets, options);
  const title = scenario === 'read' ? 'Sessions (a): read the session and render from it' : 'Sessions (b): change the session on every request';
  const floorName = scenario === 'read' ? 'bare subtle: decrypt' : 'bare subtle: decrypt + encrypt';
  publish(
    `sessions-${scenario}`,
    heading(title, machine, [
      `${options.connections} connections, ${options.rounds} interleaved rounds of ${options.duration} s each (median shown), ` +
        `${results[0]!.rounds[0]!.tool}, one server process each; × subtle floor is against "${floorName}".`,
    ]) +
      '\n' +
      resultTable(results, floorName),
  );
}
