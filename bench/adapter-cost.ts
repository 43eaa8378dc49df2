/**
 * Scenario "adapter-cost" (issue 16): what a session read costs inside each framework, in
 * process, without HTTP or the load generator — so the few microseconds at stake are not lost
 * in the noise of a shared machine. For each framework, one request at a time, interleaved:
 *   its hello; the same hello with empty hooks or an empty middleware where the adapter has them
 *   (what the framework charges any plugin of that shape); the adapter reading a CookieStore
 *   session (verified-value cache hit) and rendering from it.
 * The framework's own entry point drives each request: `app.fetch(Request)` for hono,
 * `app.inject()` for fastify (light-my-request: a fake socket, the same for all three rows), and
 * light-my-request itself for koa (`app.callback()`) and express (the app as a Node handler).
 * A first group has no framework: `SessionScope` + `store.get` + `commit()`, the least any
 * adapter can do, against making the scope alone.
 *
 * CPU is the process's (every thread); rounds interleaved, median shown (lib/micro.ts).
 *
 *   npm run bench:adapter-cost        BENCH_MICRO_ROUNDS / BENCH_MICRO_MS change the rounds
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import inject from 'light-my-request';
import { machineInfo } from './lib/machine.ts';
import { runCases, type MicroCase } from './lib/micro.ts';
import { heading, publish, table, num } from './lib/report.ts';
import { adapterAvailable, cachetAvailable, loadAdapter, loadCachet, cachetRoot } from './lib/cachet.ts';
import { SECRET_B64URL, SESSION, type SessionData, renderHello } from './lib/fixture.ts';

if (!(await cachetAvailable('CookieStore', 'Keyring')) || !['fastify', 'hono', 'koa', 'express'].every(adapterAvailable)) process.exit(0);
const cachet = await loadCachet();
const { SessionScope } = await import(`${cachetRoot()}/dist/web/session-scope.js`);
const keyring = await cachet['Keyring'].create([{ id: 'bench', secret: SECRET_B64URL }]);
const store = new cachet['CookieStore']({ keyring });
interface BenchSession {
  values: Partial<SessionData>;
}

// The logged-in cookie, sealed once (the reads below hit the verified-value cache, as the HTTP rows do).
const loginScope = new SessionScope({ headers: {} });
Object.assign((await store.get(loginScope, 'session')).values, SESSION);
const setCookie: string = (await loginScope.commit())[0];
const cookie = setCookie.slice(0, setCookie.indexOf(';'));
/** A fresh copy of the header per request, as over HTTP (a new string to parse). */
const cookieHeader = (): string => Buffer.from(cookie).toString('latin1');
const headers = (): Record<string, string> => ({ host: 'bench', 'user-agent': 'bench', accept: '*/*', cookie: cookieHeader() });

const expectHello = (body: string): void => {
  if (body !== 'Hello, world!') throw new Error(`hello answered ${body}`);
};
const expectRead = (body: string): void => {
  if (body !== renderHello(SESSION)) throw new Error(`read answered ${body}`);
};

// --- no framework: the scope and the store alone
const bare: MicroCase[] = [
  { name: 'SessionScope alone (the baseline)', fn: () => new SessionScope({ headers: headers() }) },
  {
    name: 'SessionScope + store.get + commit()',
    fn: async () => {
      const scope = new SessionScope({ headers: headers() });
      const s: BenchSession = await store.get(scope, 'session');
      expectRead(renderHello(s.values as SessionData));
      const out = scope.commit();
      if ((Array.isArray(out) ? out : await out).length) throw new Error('a read wrote');
    },
  },
];

// --- hono, driven by app.fetch
function honoApp(kind: 'hello' | 'empty' | 'cachet', sessions?: (o: object) => never): Hono {
  const app = new Hono<{ Variables: { session: BenchSession } }>();
  if (kind === 'empty') app.use(async (_c, next) => void (await next()));
  if (kind === 'cachet') app.use(sessions!({ store }));
  app.get('/', (c) => (kind === 'cachet' ? c.text(renderHello(c.get('session').values as SessionData)) : c.text('Hello, world!')));
  return app as unknown as Hono;
}
const honoAdapter = await loadAdapter('hono');
const honoCase = (name: string, app: Hono, check: (b: string) => void): MicroCase => ({
  name,
  fn: async () => check(await (await app.fetch(new Request('http://bench/', { headers: headers() }))).text()),
});

// --- fastify, driven by app.inject
async function fastifyApp(kind: 'hello' | 'empty' | 'cachet'): Promise<ReturnType<typeof Fastify>> {
  const app = Fastify({ logger: false });
  if (kind === 'empty') {
    app.addHook('onRequest', (_req, _reply, next) => next());
    app.addHook('onSend', (_req, _reply, payload, next) => next(null, payload));
  }
  if (kind === 'cachet') await app.register((await loadAdapter('fastify'))['sessions'], { store });
  app.get('/', (req, reply) =>
    reply.type('text/plain; charset=utf-8').send(kind === 'cachet' ? renderHello((req as unknown as { session: BenchSession }).session.values as SessionData) : 'Hello, world!'),
  );
  await app.ready();
  return app;
}
// light-my-request's fake socket finishes each response in a setImmediate callback. A loop that
// only awaits promises never lets those run: they queued up by the hundred thousand, each holding
// its request, response and socket (the heap grew ~10 KB per request until it ran out), and their
// work was never counted. So each injected request also waits for one turn of the event loop.
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const fastifyCase = (name: string, app: ReturnType<typeof Fastify>, check: (b: string) => void): MicroCase => ({
  name,
  fn: async () => {
    check((await app.inject({ method: 'GET', url: '/', headers: headers() })).body);
    await turn();
  },
});

// --- koa and express, driven through light-my-request (the same fake socket app.inject uses)
type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;
const nodeCase = (name: string, handler: NodeHandler, check: (b: string) => void): MicroCase => ({
  name,
  fn: async () => {
    check((await inject(handler, { method: 'GET', url: '/', headers: headers() })).payload);
    await turn();
  },
});

async function koaApp(kind: 'hello' | 'empty' | 'cachet'): Promise<NodeHandler> {
  const app = new Koa();
  if (kind === 'empty') app.use((_ctx, next) => next());
  if (kind === 'cachet') app.use((await loadAdapter('koa'))['sessions']({ store }));
  app.use((ctx) => {
    ctx.type = 'text/plain';
    ctx.body = kind === 'cachet' ? renderHello((ctx as unknown as { session: BenchSession }).session.values as SessionData) : 'Hello, world!';
  });
  return app.callback() as NodeHandler;
}

async function expressApp(kind: 'hello' | 'empty' | 'cachet'): Promise<NodeHandler> {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  if (kind === 'empty') app.use((_req, _res, next) => next());
  if (kind === 'cachet') app.use((await loadAdapter('express'))['sessions']({ store }));
  app.get('/', (req, res) => {
    res.type('text/plain').send(kind === 'cachet' ? renderHello((req as unknown as { session: BenchSession }).session.values as SessionData) : 'Hello, world!');
  });
  return app as unknown as NodeHandler;
}

const groups: { framework: string; cases: MicroCase[] }[] = [
  { framework: 'no framework', cases: bare },
  {
    framework: 'hono 4, app.fetch(Request)',
    cases: [
      honoCase('hono hello (the baseline)', honoApp('hello'), expectHello),
      honoCase('hono hello + an empty middleware', honoApp('empty'), expectHello),
      honoCase('hono + cachet/hono, read', honoApp('cachet', honoAdapter['sessions']), expectRead),
    ],
  },
  {
    framework: 'fastify 5, app.inject()',
    cases: [
      fastifyCase('fastify hello (the baseline)', await fastifyApp('hello'), expectHello),
      fastifyCase('fastify hello + empty onRequest and onSend hooks', await fastifyApp('empty'), expectHello),
      fastifyCase('fastify + cachet/fastify, read', await fastifyApp('cachet'), expectRead),
    ],
  },
  {
    framework: 'koa 3, light-my-request',
    cases: [
      nodeCase('koa hello (the baseline)', await koaApp('hello'), expectHello),
      nodeCase('koa hello + an empty middleware', await koaApp('empty'), expectHello),
      nodeCase('koa + cachet/koa, read', await koaApp('cachet'), expectRead),
    ],
  },
  {
    framework: 'express 5, light-my-request',
    cases: [
      nodeCase('express hello (the baseline)', await expressApp('hello'), expectHello),
      nodeCase('express hello + an empty middleware', await expressApp('empty'), expectHello),
      nodeCase('express + cachet/express, read', await expressApp('cachet'), expectRead),
    ],
  },
];
for (const g of groups) for (const c of g.cases) await c.fn(); // each case checks its answer before any timing

const rounds = Number(process.env['BENCH_MICRO_ROUNDS'] ?? 7);
const roundMs = Number(process.env['BENCH_MICRO_MS'] ?? 300);
const cpuUs = (opsPerCpuSec: number): number => 1e6 / opsPerCpuSec;
const machine = machineInfo();
const all = groups.flatMap((g) => g.cases);
console.error(`adapter-cost: ${all.length} cases, ${rounds} rounds × ${roundMs} ms, one request at a time`);
const results = await runCases(all, { inFlight: 1, rounds, roundMs });
const byName = new Map(results.map((r) => [r.name, r] as const));
const rows: string[][] = [];
for (const g of groups) {
  const base = cpuUs(byName.get(g.cases[0]!.name)!.opsPerCpuSec);
  for (const [i, c] of g.cases.entries()) {
    const r = byName.get(c.name)!;
    const us = cpuUs(r.opsPerCpuSec);
    rows.push([`${g.framework}: ${c.name}`, num(r.opsPerSec), us.toFixed(2), i === 0 ? '—' : `${(us - base).toFixed(2)} (${us >= base ? '+' : ''}${(((us - base) / base) * 100).toFixed(0)}%)`]);
  }
}
publish(
  'adapter-cost',
  heading('Framework adapters in process: what a session read adds to a request', machine, [
    `One request at a time, ${rounds} interleaved rounds of ${roundMs} ms (median); CPU of every thread of the process. ` +
      `"over the baseline" is the row minus the first row of its group. The read hits CookieStore's verified-value cache, as the HTTP rows do.`,
  ]) +
    '\n' +
    table(['request', 'requests/s', 'CPU µs per request', 'over the baseline, µs'], rows),
);
