// Router lookups/s: cachet's radix Router against find-my-way, hono's RegExpRouter, koa-tree-router
// and @medley/router, on one realistic 40-route table, in one process.
//
//   cd bench && npm ci && cd .. && npx tsx bench/router-lookup.ts
//   BENCH_MS=300 BENCH_ROUNDS=5 npx tsx bench/router-lookup.ts   (longer, steadier)
//   BENCH_ONLY=mixed npx tsx bench/router-lookup.ts               (one scenario)
//
// Each scenario is a fixed list of requests. Every router gets its own copy of the timing loop
// (compiled from distinct source), so one router's call-site feedback never slows another. Rounds
// alternate between routers and the median round counts, which evens out a shared, noisy machine.
import os from 'node:os';
import FindMyWay from 'find-my-way';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import KoaTreeRouter from 'koa-tree-router';
// @ts-expect-error @medley/router ships no type declarations
import MedleyRouter from '@medley/router';
import { Router } from '../src/http/router/radix.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Lookup = (method: string, path: string) => unknown;
interface Adapter {
  name: string;
  /** Builds the router for the table; returns a lookup that yields something truthy on a hit. */
  build(routes: readonly [Method, string][]): Lookup;
}

// A GitHub-ish API plus a site: static pages, params, nested params, wildcards. No static/param
// siblings in one method's tree, because koa-tree-router (an httprouter port) refuses them.
const ROUTES: [Method, string][] = [
  ['GET', '/'], ['GET', '/about'], ['GET', '/health'], ['GET', '/login'], ['POST', '/login'],
  ['POST', '/logout'], ['GET', '/signup'], ['POST', '/signup'], ['GET', '/user'], ['GET', '/user/comments'],
  ['GET', '/user/avatar'], ['GET', '/user/settings'], ['PUT', '/user/settings'], ['GET', '/status'],
  ['GET', '/api/v1/status'], ['GET', '/api/v1/search'], ['GET', '/very/deeply/nested/route/hello/there'],
  ['GET', '/user/lookup/username/:username'], ['GET', '/user/lookup/email/:address'],
  ['GET', '/event/:id'], ['GET', '/event/:id/comments'], ['POST', '/event/:id/comment'], ['DELETE', '/event/:id'],
  ['GET', '/map/:location/events'], ['GET', '/api/v1/users/:id'], ['PATCH', '/api/v1/users/:id'],
  ['DELETE', '/api/v1/users/:id'], ['GET', '/api/v1/users/:id/posts'], ['GET', '/api/v1/users/:id/posts/:postId'],
  ['GET', '/api/v1/users/:id/posts/:postId/comments'], ['GET', '/api/v1/users/:id/posts/:postId/comments/:commentId'],
  ['GET', '/api/v1/orgs/:org/repos'], ['GET', '/api/v1/orgs/:org/repos/:repo'],
  ['GET', '/api/v1/orgs/:org/repos/:repo/issues/:number'], ['GET', '/blog/:year/:month/:slug'],
  ['GET', '/products/:category/:sku'], ['GET', '/static/*'], ['GET', '/assets/*'], ['GET', '/files/:bucket/*'],
  ['GET', '/docs/*'],
];

const STATIC: [Method, string][] = [
  ['GET', '/'], ['GET', '/about'], ['GET', '/user'], ['GET', '/user/comments'], ['POST', '/login'],
  ['GET', '/very/deeply/nested/route/hello/there'], ['GET', '/api/v1/status'], ['PUT', '/user/settings'],
];
const DYNAMIC: [Method, string][] = [
  ['GET', '/user/lookup/username/hey'], ['GET', '/event/abcd1234/comments'], ['POST', '/event/abcd1234/comment'],
  ['GET', '/map/Tokyo/events'], ['GET', '/api/v1/users/42'], ['GET', '/api/v1/users/42/posts/7/comments/3'],
  ['GET', '/api/v1/orgs/cachet/repos/router/issues/12'], ['GET', '/blog/2026/11/hello-world'],
];
const WILDCARD: [Method, string][] = [
  ['GET', '/static/css/site.css'], ['GET', '/assets/app.js'], ['GET', '/files/images/2026/11/photo.jpg'],
  ['GET', '/docs/routing/priority'],
];
const MISSES: [Method, string][] = [
  ['GET', '/nope'], ['GET', '/user/unknown'], ['GET', '/api/v2/users/1'], ['GET', '/event/'],
  ['GET', '/api/v1/users/42/friends'], ['GET', '/favicon.ico'],
];
// The headline mix: mostly hits, one in six a miss.
const SCENARIOS: [string, [Method, string][]][] = [
  ['mixed (26 requests, 6 misses)', [...STATIC, ...DYNAMIC, ...WILDCARD, ...MISSES]],
  ['static', STATIC],
  ['params', DYNAMIC],
  ['wildcard', WILDCARD],
  ['misses', MISSES],
];

const ADAPTERS: Adapter[] = [
  {
    name: 'cachet Router',
    build(routes) {
      const router = new Router<() => void>();
      for (const [m, p] of routes) router.add(m, p, () => {});
      return (method, path) => router.find(method, path);
    },
  },
  {
    name: 'find-my-way',
    build(routes) {
      const router = FindMyWay();
      for (const [m, p] of routes) router.on(m, p, () => {});
      return (method, path) => router.find(method as 'GET', path);
    },
  },
  {
    name: 'hono RegExpRouter',
    build(routes) {
      const router = new RegExpRouter<() => void>();
      for (const [m, p] of routes) router.add(m, p, () => {});
      return (method, path) => router.match(method, path)[0].length > 0;
    },
  },
  {
    name: 'koa-tree-router',
    build(routes) {
      const router = new KoaTreeRouter();
      for (const [m, p] of routes) router.on(m, p.replace(/\*$/, '*rest'), () => {});
      // find() exists at runtime (router.js) but is missing from the package's declarations.
      const tree = router as unknown as { find(method: string, path: string): { handle: unknown } };
      return (method, path) => tree.find(method, path).handle;
    },
  },
  {
    name: '@medley/router',
    build(routes) {
      const router = new MedleyRouter() as {
        register(path: string): Record<string, unknown>;
        find(path: string): { store: Record<string, unknown> } | null;
      };
      for (const [m, p] of routes) router.register(p)[m] = () => {};
      return (method, path) => {
        const route = router.find(path);
        return route === null ? undefined : route.store[method];
      };
    },
  },
];

const MS = Number(process.env['BENCH_MS'] ?? 80);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const ONLY = process.env['BENCH_ONLY'] ?? ''; // run only scenarios whose name contains this

type Loop = (lookup: Lookup, methods: string[], paths: string[], n: number) => number;

/** A fresh copy of the timing loop; distinct source text gives it its own type feedback. */
function makeLoop(tag: string): Loop {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('lookup', 'methods', 'paths', 'n', `// ${tag}
    let hits = 0;
    const k = paths.length;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) if (lookup(methods[j], paths[j])) hits++;
    }
    return hits;`) as Loop;
}

/**
 * Lookups per second of this process's CPU time over about MS milliseconds. CPU time rather than
 * wall time: on a shared 2-core machine wall time also counts the moments another process held
 * the core, which moved the same run by ±40%; CPU time moved it by about ±5%.
 */
function measure(loop: Loop, lookup: Lookup, methods: string[], paths: string[]): number {
  let n = 1;
  for (;;) {
    const start = process.cpuUsage();
    loop(lookup, methods, paths, n);
    const used = process.cpuUsage(start);
    const us = used.user + used.system;
    if (us >= MS * 1e3) return (n * paths.length) / (us / 1e6);
    n = us < 1e3 ? n * 10 : Math.ceil((n * MS * 1e3 * 1.05) / us);
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number): string => `${(x / 1e6).toFixed(2)} M/s`;

console.log(`router lookups — Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores), ${ROUTES.length} routes`);
console.log(`${ROUNDS} rounds × ${MS} ms per router and scenario; median round shown; ratio = this / fastest peer\n`);
for (const [scenario, requests] of SCENARIOS.filter(([name]) => name.includes(ONLY))) {
  const methods = requests.map(([m]) => m);
  const paths = requests.map(([, p]) => p);
  const runs = ADAPTERS.map((adapter) => {
    const lookup = adapter.build(ROUTES);
    const hits = paths.filter((p, i) => lookup(methods[i]!, p)).length;
    return { adapter, lookup, hits, loop: makeLoop(`${scenario} ${adapter.name}`), rates: [] as number[] };
  });
  const expected = runs[0]!.hits;
  for (const run of runs) {
    if (run.hits !== expected) console.log(`  note: ${run.adapter.name} answers ${run.hits} of ${paths.length}, cachet ${expected}`);
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const run of runs) run.rates.push(measure(run.loop, run.lookup, methods, paths));
  }
  const rates = runs.map((run) => ({ name: run.adapter.name, rate: median(run.rates) }));
  const fastestPeer = Math.max(...rates.slice(1).map((r) => r.rate));
  console.log(`## ${scenario}`);
  console.log('| router | lookups/s | vs fastest peer |\n|---|---:|---:|');
  for (const { name, rate } of rates) console.log(`| ${name} | ${fmt(rate)} | ${(rate / fastestPeer).toFixed(2)}× |`);
  console.log('');
}
