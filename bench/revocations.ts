/**
 * Scenario "revocations": what one logout costs when the reference app's revocation list already
 * holds many live records (issue #13 §5 measured 394 ms of blocked event loop at 300,000 ids).
 *
 * Seeds a data directory with N revoked session ids in the old `revocations.json` format (the
 * format every version reads), opens the list, then times: opening it (the parse a worker does at
 * start), the first logout (for the append log: the one-time migration), then 50 more logouts
 * (the steady state), opening the list again (a worker starting on what the logouts left), and a
 * revocation check. Synchronous work, so wall time = blocked event loop.
 * Not a test, and not part of bench:all: run it by hand.
 *
 *   node --import tsx bench/revocations.ts            REVOCATIONS_N (default 300000), REVOCATIONS_DIR
 */
import { mkdtempSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { RevocationList } from '../src/app/revocations.ts';

const n = Number(process.env['REVOCATIONS_N'] ?? 300_000);
const dir = mkdtempSync(join(process.env['REVOCATIONS_DIR'] ?? tmpdir(), 'cachet-revocations-'));
const until = Date.now() + 86_400_000;
const sessions = Array.from({ length: n }, (_, i) => ({ id: `${i.toString(36).padStart(8, '0')}${'x'.repeat(24)}`, until }));
writeFileSync(join(dir, 'revocations.json'), `${JSON.stringify({ sessions, subjects: [] })}\n`, { mode: 0o600 });

function ms(start: number): string {
  return `${(performance.now() - start).toFixed(1)} ms`;
}

let start = performance.now();
const list = new RevocationList({ dir, retainSeconds: 86_400 });
const opened = ms(start);
start = performance.now();
list.revokeSession('first-logout', until);
const first = ms(start);
const steady: number[] = [];
for (let i = 0; i < 50; i++) {
  start = performance.now();
  list.revokeSession(`logout-${i}`, until);
  steady.push(performance.now() - start);
}
steady.sort((a, b) => a - b);
start = performance.now();
let hits = 0;
for (let i = 0; i < 100_000; i++) if (list.isRevoked({ id: sessions[i % n]!.id, createdAt: 0 })) hits++;
const check = ((performance.now() - start) / 100).toFixed(2); // µs per check: ms × 1000 / 100,000
start = performance.now();
new RevocationList({ dir, retainSeconds: 86_400 });
const reopened = ms(start);
const files = readdirSync(dir).map((name) => `${name} ${(statSync(join(dir, name)).size / 1e6).toFixed(1)} MB`);
console.log(`node ${process.version}, ${cpus()[0]?.model ?? '?'} × ${cpus().length}, ${n} revoked ids`);
console.log(`open (parse):        ${opened}`);
console.log(`first logout:        ${first}`);
console.log(`next 50 logouts:     median ${steady[25]!.toFixed(2)} ms, max ${steady[49]!.toFixed(2)} ms`);
console.log(`open again (after):  ${reopened}`);
console.log(`isRevoked:           ${check} µs per check (${hits} hits)`);
console.log(`files:               ${files.join(', ')}`);
rmSync(dir, { recursive: true, force: true });
