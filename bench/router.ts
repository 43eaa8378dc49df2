/**
 * Scenario "router lookups" (issue 3): runs the router helper's bench/router-lookup.ts (cachet's
 * radix Router against find-my-way, hono's RegExpRouter, koa-tree-router and @medley/router, each
 * an adapter, in one process) and files its tables under the same report heading as the others.
 *
 *   npm run bench:router              BENCH_MS / BENCH_ROUNDS are passed through
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machineInfo } from './lib/machine.ts';
import { heading, publish } from './lib/report.ts';

const file = fileURLToPath(new URL('router-lookup.ts', import.meta.url));
if (!existsSync(file)) {
  console.error('router: bench/router-lookup.ts is not in this checkout yet; nothing to measure');
  process.exit(0);
}
const machine = machineInfo();
const out = execFileSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
// Its own "## scenario" headings sit one level below this report's "### Router lookups".
const body = out.replace(/^## /gm, '#### ');
publish('router', heading('Router lookups', machine, []) + '\n' + body);
