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
 *   BENCH_NODE=../.node-versions/26.12.1/bin/node npm run bench:sessions   servers on Node 26
 *     (the harness stays on its own Node; the tables are then named sessions-read-node26 and
 *     sessions-write-node26, so BENCH_DOC=1 fills their own sections of docs/benchmarks.md)
 */
import { machineInfo } from './lib/machine.ts';
import { serverNodeVersion } from './lib/server-process.ts';
import { runHttpTable, httpOptionsFromEnv, type HttpTarget, type HttpResult } from './lib/http-table.ts';
import { sessionTarget, rawHello, type Scenario } from './lib/session-target.ts';
import { heading, publish, table, num, ratio, ms } from './lib/report.ts';
import { cachetAvailable } from './lib/cachet.ts';

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
      sessionTarget('cachet CookieStore (sealed)', 'cachet', 'servers/sessions/cachet.ts', scenario),
      { ...sessionTarget('cachet CookieStore (signed)', 'cachet', 'servers/sessions/cachet.ts', scenario), env: { CACHET_MODE: 'signed' } },
    );
    // Diagnostic: what a read costs when the verified-value cache cannot help (first sight of a cookie).
    if (scenario === 'read') {
      t.push({ ...sessionTarget('cachet CookieStore (sealed, cache off)', 'cachet', 'servers/sessions/cachet.ts', scenario), env: { CACHET_CACHE: 'off' } });
    }
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

/**
 * The write tail (docs/benchmarks.md, "Write tail (p99)"): each cachet row's p99 against the
 * fastest peer's, fastify + @fastify/secure-session, measured in the same run.
 */
function tailNote(results: HttpResult[]): string {
  const peer = results.find((r) => r.name.startsWith('fastify'));
  if (!peer) return '';
  const rows = results.filter((r) => r.role === 'cachet').map((r) => `${r.name} ${ratio(r.latencyP99, peer.latencyP99)}`);
  return rows.length ? `\np99 against ${peer.name}'s (${ms(peer.latencyP99)}), same run: ${rows.join('; ')}.\n` : '';
}

/** Servers on another Node line than the harness ($BENCH_NODE) publish their own tables: `sessions-write-node26`. */
function tableName(scenario: Scenario, serverNode: string): string {
  const major = (v: string): string => v.replace(/^v/, '').split('.')[0]!;
  return major(serverNode) === major(process.version) ? `sessions-${scenario}` : `sessions-${scenario}-node${major(serverNode)}`;
}

const arg = process.argv.slice(2).find((a) => !a.startsWith('--'));
const scenarios: Scenario[] = arg === 'read' || arg === 'write' ? [arg] : ['read', 'write'];
const options = httpOptionsFromEnv();
for (const scenario of scenarios) {
  const serverNode = serverNodeVersion();
  const machine = machineInfo({ serverNode });
  const targets = await targetsFor(scenario);
  console.error(`sessions ${scenario}: ${targets.length} servers, ${options.rounds} rounds × ${options.duration}s, ${options.connections} connections`);
  const results = await runHttpTable(targets, options);
  const title = scenario === 'read' ? 'Sessions (a): read the session and render from it' : 'Sessions (b): change the session on every request';
  const floorName = scenario === 'read' ? 'bare subtle: decrypt' : 'bare subtle: decrypt + encrypt';
  publish(
    tableName(scenario, serverNode),
    heading(title, machine, [
      `${options.connections} connections, ${options.rounds} interleaved rounds of ${options.duration} s each (median shown), ` +
        `${results[0]!.rounds[0]!.tool}, one server process each; × subtle floor is against "${floorName}".`,
    ]) +
      '\n' +
      resultTable(results, floorName) +
      '\n' +
      (scenario === 'write' ? tailNote(results) : ''),
  );
}
