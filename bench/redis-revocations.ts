/**
 * Scenario "redis-revocations": what the app's state in Redis (`--redis`) costs, on a local
 * redis-server it starts itself (test/session/redis-server.ts):
 * - a logout on instance A until instance B applies it (one pub/sub hop), median of 200;
 * - the resync's version check (one O(1) round trip), median of 200;
 * - the login limiter's check-and-count script, median of 200;
 * - a revocation check on the hot path (memory only);
 * - an instance starting (a full read) with REDIS_REVOCATIONS_N live records (default 300,000).
 * Not a test, and not part of bench:all: run it by hand from the repository root.
 *
 *   node --import tsx bench/redis-revocations.ts       REDIS_REVOCATIONS_N (default 300000)
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { connectRedis } from '../src/app/redis/connect.ts';
import { RedisLoginLimiter } from '../src/app/redis/login-limiter.ts';
import { RedisRevocations, type RevocationEvent } from '../src/app/redis/revocations.ts';
import { STATE } from '../src/app/redis/revocation-scripts.ts';
import { RedisServer } from '../test/session/redis-server.ts';

const n = Number(process.env['REDIS_REVOCATIONS_N'] ?? 300_000);
const server = await RedisServer.start();
const log = (): void => undefined;
const connections = await Promise.all([connectRedis(server.url, { log }), connectRedis(server.url, { log }), connectRedis(server.url, { log })]);
const [ra, rb, rc] = connections as [typeof connections[0], typeof connections[0], typeof connections[0]];
let onB: (event: RevocationEvent) => void = () => undefined;
const open = (redis: typeof ra, onEvent?: (e: RevocationEvent) => void) =>
  RedisRevocations.open({ client: redis.client, subscriber: redis.subscriber, retainSeconds: 86_400, resyncMs: 3_600_000, ...(onEvent ? { onEvent } : {}) });
const a = await open(ra);
const b = await open(rb, (e) => onB(e));

function median(values: number[]): string {
  const sorted = [...values].sort((x, y) => x - y);
  return `${(sorted[Math.floor(sorted.length / 2)] ?? 0).toFixed(3)} ms`;
}

const until = Date.now() + 86_400_000;
const hops: number[] = [];
for (let i = 0; i < 200; i++) {
  const id = `hop-${i}`;
  const applied = new Promise<void>((resolve) => (onB = (e) => e.type === 'message' && e.record.member === id && resolve()));
  const start = performance.now();
  void a.revokeSession(id, until);
  await applied;
  hops.push(performance.now() - start);
}

const checks: number[] = [];
for (let i = 0; i < 200; i++) {
  const start = performance.now();
  await ra.client.eval(STATE, { keys: ['cachet:revoked:version', 'cachet:revoked:epoch'], arguments: ['0123456789abcdef'] });
  checks.push(performance.now() - start);
}

const limiter = new RedisLoginLimiter({ client: ra.client, perUser: 5, perIp: 20, windowSeconds: 900 });
const takes: number[] = [];
for (let i = 0; i < 200; i++) {
  const start = performance.now();
  await limiter.take(`user${i}`, '192.0.2.1');
  takes.push(performance.now() - start);
}

let start = performance.now();
const probes = 1_000_000;
let hits = 0;
for (let i = 0; i < probes; i++) if (b.isRevoked({ id: `hop-${i % 400}`, subject: 'demo', createdAt: 0 })) hits++;
const check = ((performance.now() - start) * 1000) / probes;

start = performance.now();
for (let i = 0; i < n; i += 500) {
  await Promise.all(Array.from({ length: Math.min(500, n - i) }, (_, j) => a.revokeSession(`seed-${i + j}`, until)));
}
const seeded = performance.now() - start;
start = performance.now();
const c = await open(rc);
const fullRead = performance.now() - start;
const size = c.size;

console.log(`redis-revocations: Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), redis-server on loopback`);
const rows: [string, string][] = [
  ['logout on A until applied on B (one pub/sub hop)', `median ${median(hops)}`],
  ['resync version check (one script)', `median ${median(checks)}`],
  ['login limiter check-and-count (one script)', `median ${median(takes)}`],
  ['revocation check (memory, hot path)', `${check.toFixed(3)} µs (${hits} hits)`],
  [`seeding ${n} logouts through the write queue`, `${(seeded / 1000).toFixed(1)} s`],
  [`an instance opening on ${size} records (full read)`, `${fullRead.toFixed(0)} ms`],
];
for (const [what, value] of rows) console.log(`  ${what.padEnd(52)} ${value}`);

for (const r of [a, b, c]) await r.close();
for (const redis of connections) await redis.close();
await server.close();
