/**
 * Scenario "stores" (issue 5): session read and write throughput of every cachet store next to
 * CookieStore, over HTTP, in one run. The same server (servers/sessions/cachet.ts) with
 * STORE=cookie|memory|file|redis answers the session routes: GET / reads, GET /count writes.
 * Raw node:http hello is the ceiling. RedisStore runs against a throwaway local redis-server
 * (left out when redis-server is not installed); FileStore writes to a temp directory with its
 * default `durable: true` (an fsync per write).
 *
 *   npm run bench:stores
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineInfo } from './lib/machine.ts';
import { serverNodeVersion } from './lib/server-process.ts';
import { runHttpTable, httpOptionsFromEnv, type HttpTarget, type HttpResult } from './lib/http-table.ts';
import { sessionTarget, rawHello, type Scenario } from './lib/session-target.ts';
import { heading, publish, table, num, ratio } from './lib/report.ts';
import { cachetAvailable } from './lib/cachet.ts';
import { hasRedisServer, startRedis, type RedisServer } from './lib/redis-server.ts';

const SERVER = 'servers/sessions/cachet.ts';
const stores: { label: string; env: Record<string, string> }[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

if (await cachetAvailable('createApp', 'CookieStore')) stores.push({ label: 'CookieStore (sealed)', env: { STORE: 'cookie' } });
if (await cachetAvailable('createApp', 'MemoryStore', 'FileStore', 'RedisStore')) {
  stores.push({ label: 'MemoryStore', env: { STORE: 'memory' } });
  const dir = mkdtempSync(join(tmpdir(), 'cachet-bench-files-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  stores.push({ label: 'FileStore (durable)', env: { STORE: 'file', STORE_DIR: dir } });
  if (hasRedisServer()) {
    const redis: RedisServer = await startRedis();
    cleanups.push(() => redis.stop());
    stores.push({ label: 'RedisStore (local redis-server)', env: { STORE: 'redis', REDIS_URL: redis.url } });
  } else {
    console.error('stores: redis-server not installed; RedisStore left out');
  }
}
if (stores.length === 0) {
  console.error('stores: no cachet store exported yet; nothing to measure');
  process.exit(0);
}

const targets: HttpTarget[] = [rawHello];
for (const scenario of ['read', 'write'] as Scenario[]) {
  for (const s of stores) targets.push({ ...sessionTarget(`${s.label} ${scenario}`, 'cachet', SERVER, scenario), env: s.env });
}

const machine = machineInfo({ serverNode: serverNodeVersion() });
const options = httpOptionsFromEnv();
console.error(`stores: ${targets.length} servers, ${options.rounds} rounds × ${options.duration}s, ${options.connections} connections`);
let results: HttpResult[];
try {
  results = await runHttpTable(targets, options);
} finally {
  for (const c of cleanups) await c();
}
const raw = results[0]!;
const byName = new Map(results.map((r) => [r.name, r]));
const first = stores[0]!.label;
const cell = (label: string, scenario: Scenario): string[] => {
  const r = byName.get(`${label} ${scenario}`)!;
  const base = byName.get(`${first} ${scenario}`)!;
  return [num(r.requestsPerSec), ratio(r.requestsPerSec, raw.requestsPerSec), num(r.requestsPerCpuSec), ratio(r.requestsPerCpuSec, base.requestsPerCpuSec), r.errors ? `**${r.errors}**` : '0'];
};
publish(
  'stores',
  heading('Session stores: read and write', machine, [
    `${options.connections} connections, ${options.rounds} interleaved rounds of ${options.duration} s each (median shown), ${raw.rounds[0]!.tool}; ` +
      `raw node:http hello in the same run: ${num(raw.requestsPerSec)} req/s, ${num(raw.requestsPerCpuSec)} req/CPU-s. ` +
      `Read = GET / (render from the session), write = GET /count (change it every request). ` +
      `"× ${first}" compares req/CPU-s with the first row of the same column.`,
  ]) +
    '\n' +
    table(
      ['store', 'read req/s', '× raw hello', 'read req/CPU-s', `× ${first}`, 'errors', 'write req/s', '× raw hello', 'write req/CPU-s', `× ${first}`, 'errors'],
      stores.map((s) => [s.label, ...cell(s.label, 'read'), ...cell(s.label, 'write')]),
    ),
);
