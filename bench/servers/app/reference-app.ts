// cachet's reference app exactly as operators run it: `node dist/server.js`, in its own process,
// with a fresh data directory (first start creates the keys and the user "demo" and prints its
// password once). APP_WORKERS=2 runs it with `--workers 2`. This wrapper announces the app's
// port, its pid (so the app's CPU time, workers included, is what is measured) and the demo
// password; it stops the app on SIGTERM. APP_REDIS=URL adds `--redis URL` (revocations and login
// limits in Redis, as a fleet runs it); APP_SESSION_STORE=redis adds `--session-store redis` too
// (a signed-in session kept in Redis, the home page listing the user's sessions).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachetRoot } from '../../lib/cachet.ts';

const root = cachetRoot();
if (!root) throw new Error('reference app: cachet could not be built');
const dataDir = mkdtempSync(join(tmpdir(), 'cachet-bench-app-'));
const workers = process.env['APP_WORKERS'] ?? '1';
const redis = process.env['APP_REDIS'];
const sessionStore = process.env['APP_SESSION_STORE'];
const args = [
  '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--workers', workers,
  ...(redis ? ['--redis', redis] : []),
  ...(sessionStore ? ['--session-store', sessionStore] : []),
];
const app = spawn(process.execPath, [join(root, 'dist/server.js'), ...args], {
  cwd: root,
  env: { ...process.env, NODE_ENV: 'production' },
  stdio: ['ignore', 'pipe', 'inherit'],
});

let out = '';
let password: string | undefined;
let announced = false;
app.stdout.setEncoding('utf8');
app.stdout.on('data', (chunk: string) => {
  if (announced) return; // the access log, one line per request: read and dropped
  out += chunk;
  password ??= /created user "demo" with password (\S+)/.exec(out)?.[1];
  const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1];
  if (port && password) {
    announced = true;
    process.send?.({ port: Number(port), pid: app.pid, password });
  }
});

const cleanup = (): void => rmSync(dataDir, { recursive: true, force: true });
app.once('exit', (code) => {
  cleanup();
  if (!announced) console.error(`reference app exited with ${code} before listening:\n${out}`);
  process.exit(announced ? 0 : 1);
});
process.once('SIGTERM', () => app.kill('SIGTERM'));
process.once('disconnect', () => app.kill('SIGTERM'));
