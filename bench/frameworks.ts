/**
 * Scenario "framework adapters" (issue 16, "Speed"): cachet's sessions inside express, fastify,
 * hono (on Node through @hono/node-server) and koa, each measured in the same run as that
 * framework's own hello and its session peers:
 *   (a) read  — GET /      reads the session and renders from it;
 *   (b) write — GET /count changes the session, so it is re-sealed on every response.
 * Every session server answers the routes of servers/sessions/README.md and passes the same
 * correctness check (lib/session-target.ts) before any load; the hellos answer GET / and get a
 * cookie of realistic size that they ignore.
 *
 * The goals (issue 16), checked against rows of the same run:
 *   read:  express + cachet/express >= 3x express-session and cookie-session;
 *          fastify + cachet/fastify >= 1.3x @fastify/secure-session;
 *          each framework + cachet read costs at most 15% over that framework's hello
 *          (hello/read - 1 <= 0.15, per wall-clock second and per CPU-second);
 *   write: level with @fastify/secure-session or better (fastify + cachet/fastify against it;
 *          express + cachet/express against the express peers, on the same framework).
 *
 *   npm run bench:frameworks          (both)    node --import tsx frameworks.ts read|write
 */
import { machineInfo } from './lib/machine.ts';
import { serverNodeVersion } from './lib/server-process.ts';
import { runHttpTable, httpOptionsFromEnv, expectText, type HttpTarget, type HttpResult } from './lib/http-table.ts';
import { sessionTarget, rawHello, type Scenario } from './lib/session-target.ts';
import { heading, publish, table, num, ratio, ms } from './lib/report.ts';
import { adapterAvailable } from './lib/cachet.ts';

/** A framework's own hello: GET / answers "Hello, world!"; it receives (and ignores) a cookie of realistic size. */
function hello(name: string, server: string): HttpTarget {
  return {
    name,
    role: 'baseline',
    server,
    path: '/',
    async prepare(url) {
      await expectText(url + '/', {}, 'Hello, world!');
      return { cookie: `session=${'x'.repeat(240)}` };
    },
  };
}

interface Group {
  framework: string;
  /** The framework's own hello: the first row of its group, what its rows' "× own hello" is against. */
  hello: HttpTarget;
  /** Read only: the hello with empty hooks or middleware where cachet's adapter has them (what the framework charges for them). */
  empty: HttpTarget | undefined;
  peers: HttpTarget[];
  /** undefined when the adapter is not built on this checkout. */
  cachet: HttpTarget | undefined;
}

/** The same hello server with HOOKS=empty, as a diagnostic row of the read table. */
function emptyHooks(scenario: Scenario, t: HttpTarget, what: string): HttpTarget | undefined {
  return scenario === 'read' ? { ...t, name: `${t.name} + ${what}`, env: { HOOKS: 'empty' } } : undefined;
}

/** BENCH_FRAMEWORKS=fastify,hono runs those groups only (an investigation; the published tables have all). */
const only = process.env['BENCH_FRAMEWORKS']?.split(',').filter(Boolean);

function groups(scenario: Scenario): Group[] {
  const s = (name: string, role: HttpTarget['role'], server: string): HttpTarget => sessionTarget(name, role, server, scenario);
  const cachet = (adapter: string, name: string, server: string): HttpTarget | undefined =>
    adapterAvailable(adapter) ? s(name, 'cachet', server) : undefined;
  const express = hello('express 5 hello', 'servers/frameworks/express-hello.ts');
  const fastify = hello('fastify 5 hello', 'servers/frameworks/fastify-hello.ts');
  const hono = hello('hono 4 (node-server) hello', 'servers/frameworks/hono-node-hello.ts');
  const koa = hello('koa 3 hello', 'servers/frameworks/koa-hello.ts');
  const list: Group[] = [
    {
      framework: 'express 5',
      hello: express,
      empty: emptyHooks(scenario, express, 'an empty middleware'),
      peers: [
        s('express 5 + cookie-session', 'peer', 'servers/sessions/express-cookie-session.ts'),
        s('express 5 + express-session (MemoryStore)', 'peer', 'servers/sessions/express-session.ts'),
      ],
      cachet: cachet('express', 'express 5 + cachet/express', 'servers/frameworks/express-cachet.ts'),
    },
    {
      framework: 'fastify 5',
      hello: fastify,
      empty: emptyHooks(scenario, fastify, 'empty onRequest and onSend hooks'),
      peers: [s('fastify 5 + @fastify/secure-session', 'peer', 'servers/sessions/fastify-secure-session.ts')],
      cachet: cachet('fastify', 'fastify 5 + cachet/fastify', 'servers/frameworks/fastify-cachet.ts'),
    },
    {
      framework: 'hono 4 on @hono/node-server',
      hello: hono,
      empty: emptyHooks(scenario, hono, 'an empty middleware'),
      peers: [],
      cachet: cachet('hono', 'hono 4 (node-server) + cachet/hono', 'servers/frameworks/hono-node-cachet.ts'),
    },
    {
      framework: 'koa 3',
      hello: koa,
      empty: emptyHooks(scenario, koa, 'an empty middleware'),
      peers: [],
      cachet: cachet('koa', 'koa 3 + cachet/koa', 'servers/frameworks/koa-cachet.ts'),
    },
  ];
  return list.filter((g) => (g.cachet !== undefined || g.peers.length > 0) && (!only || only.some((o) => g.framework.startsWith(o))));
}

/** The rows of a group, hello first; each row's ratio is against its own framework's hello. */
function rowsOf(g: Group): HttpTarget[] {
  return [g.hello, ...(g.empty && g.cachet ? [g.empty] : []), ...g.peers, ...(g.cachet ? [g.cachet] : [])];
}

function resultTable(all: readonly Group[], byName: ReadonlyMap<string, HttpResult>): string {
  const raw = byName.get(rawHello.name)!;
  const rows: string[][] = [];
  const row = (r: HttpResult, own: HttpResult): string[] => [
    r.name,
    num(r.requestsPerSec),
    ratio(r.requestsPerSec, own.requestsPerSec),
    ratio(r.requestsPerSec, raw.requestsPerSec),
    num(r.requestsPerCpuSec),
    ratio(r.requestsPerCpuSec, own.requestsPerCpuSec),
    ms(r.latencyP50),
    ms(r.latencyP99),
    r.errors ? `**${r.errors}**` : '0',
  ];
  rows.push(row(raw, raw));
  for (const g of all) {
    const own = byName.get(g.hello.name)!;
    for (const t of rowsOf(g)) rows.push(row(byName.get(t.name)!, own));
  }
  return table(['server', 'req/s', '× own hello', '× raw hello', 'req/CPU-s', '× own hello', 'p50', 'p99', 'errors'], rows);
}

interface Goal {
  what: string;
  /** The measured ratio against the goal's reference, per second and per CPU-second. */
  wall: number;
  cpu: number;
  /** A ratio meets the goal when it is >= min (speed goals) or, for overheads, <= max. */
  min?: number;
  max?: number;
}

function goals(scenario: Scenario, all: readonly Group[], byName: ReadonlyMap<string, HttpResult>): Goal[] {
  const out: Goal[] = [];
  const against = (what: string, a: string | undefined, b: string, min: number): void => {
    const x = a === undefined ? undefined : byName.get(a);
    const y = byName.get(b);
    if (x && y) out.push({ what, wall: x.requestsPerSec / y.requestsPerSec, cpu: x.requestsPerCpuSec / y.requestsPerCpuSec, min });
  };
  const express = all.find((g) => g.framework.startsWith('express'));
  const fastify = all.find((g) => g.framework.startsWith('fastify'));
  const speed = scenario === 'read' ? { express: 3, fastify: 1.3 } : { express: 1, fastify: 1 };
  for (const p of express?.peers ?? []) against(`${express!.cachet?.name} ÷ ${p.name}`, express!.cachet?.name, p.name, speed.express);
  for (const p of fastify?.peers ?? []) against(`${fastify!.cachet?.name} ÷ ${p.name}`, fastify!.cachet?.name, p.name, speed.fastify);
  if (scenario === 'read') {
    for (const g of all) {
      const c = g.cachet && byName.get(g.cachet.name);
      const h = byName.get(g.hello.name);
      if (!c || !h) continue;
      // Cost per request is 1/throughput: the read's extra cost over hello is hello/read - 1.
      out.push({ what: `${g.cachet!.name}: cost over ${g.hello.name}`, wall: h.requestsPerSec / c.requestsPerSec - 1, cpu: h.requestsPerCpuSec / c.requestsPerCpuSec - 1, max: 0.15 });
    }
  }
  return out;
}

function goalTable(list: readonly Goal[]): string {
  const fmt = (g: Goal, x: number): string => (g.max !== undefined ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)}%` : `${x.toFixed(2)}×`);
  const met = (g: Goal, x: number): boolean => (g.max !== undefined ? x <= g.max : x >= g.min!);
  const verdict = (g: Goal): string => {
    const a = met(g, g.wall);
    const b = met(g, g.cpu);
    return a && b ? 'met' : !a && !b ? '**missed**' : a ? 'met per second, missed per CPU-second' : 'met per CPU-second, missed per second';
  };
  return table(
    ['goal', 'target', 'req/s', 'req/CPU-s', 'verdict'],
    list.map((g) => [g.what, g.max !== undefined ? `≤ +${g.max * 100}%` : `≥ ${g.min!.toFixed(2)}×`, fmt(g, g.wall), fmt(g, g.cpu), verdict(g)]),
  );
}

const arg = process.argv.slice(2).find((a) => !a.startsWith('--'));
const scenarios: Scenario[] = arg === 'read' || arg === 'write' ? [arg] : ['read', 'write'];
const options = httpOptionsFromEnv();
for (const scenario of scenarios) {
  const machine = machineInfo({ serverNode: serverNodeVersion() });
  const all = groups(scenario);
  const targets = [rawHello, ...all.flatMap(rowsOf)];
  console.error(`frameworks ${scenario}: ${targets.length} servers, ${options.rounds} rounds × ${options.duration}s, ${options.connections} connections`);
  const results = await runHttpTable(targets, options);
  const byName = new Map(results.map((r) => [r.name, r] as const));
  const title = scenario === 'read' ? 'Framework adapters (a): read the session and render from it' : 'Framework adapters (b): change the session on every request';
  publish(
    `frameworks-${scenario}`,
    heading(title, machine, [
      `${options.connections} connections, ${options.rounds} interleaved rounds of ${options.duration} s each (median shown), ` +
        `${results[0]!.rounds[0]!.tool}, one server process each; "× own hello" is against the hello of the row's own framework, measured in the same run.`,
    ]) +
      '\n' +
      resultTable(all, byName) +
      '\n\n' +
      goalTable(goals(scenario, all, byName)),
  );
}
