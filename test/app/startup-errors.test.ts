import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { chmodSync, chownSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer } from '../../src/app/main.js';
import { startupMessage } from '../../src/app/startup-errors.js';
import { newStoredKey, writeKeyFile } from '../../src/app/key-file.js';
import { addUser } from '../../src/app/user-file.js';
import { WEAK } from '../helpers/app-harness.js';
import { spawnServer } from '../helpers/spawn-server.js';
import { tempDir } from '../helpers/temp-dir.js';

/** A data directory that needs nothing on first start, so the error is the only output. */
async function readyDir(): Promise<string> {
  const dir = tempDir();
  writeKeyFile(dir, [newStoredKey()]);
  await addUser(dir, 'demo', 'a long passphrase', WEAK);
  return dir;
}

/** Spawns the server and returns its exit status and everything it printed. */
async function failure(args: string[], env: NodeJS.ProcessEnv, as: { uid?: number } = {}): Promise<{ code: number | null; output: string }> {
  const server = spawnServer(args, env, as);
  const first = await Promise.race([server.exited, server.waitFor(/listening on/).then(() => ({ code: 'listening' as const }))]);
  if (first.code === 'listening') server.child.kill('SIGKILL');
  return { code: first.code === 'listening' ? null : first.code, output: server.output() };
}

function oneLine(output: string): string {
  assert.doesNotMatch(output, /\n {4}at /, 'no stack trace');
  const lines = output.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, output);
  assert.match(lines[0]!, /^cachet: /);
  return lines[0]!;
}

test('a port in use is one cachet: line naming the port and --port, with exit status 1', async () => {
  const holder: Server = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as { port: number }).port;
  try {
    const { code, output } = await failure(['--port', String(port)], { CACHET_DATA_DIR: await readyDir() });
    assert.equal(code, 1);
    assert.equal(oneLine(output), `cachet: port ${port} on 127.0.0.1 is already in use: stop what holds it, or choose another port with --port N (or PORT)`);
  } finally {
    holder.close();
  }
});

test('with --workers, a port in use stops the start with the worker\'s line and exit status 1 instead of restarting workers forever', { timeout: 60_000 }, async () => {
  const holder: Server = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as { port: number }).port;
  try {
    const { code, output } = await failure(['--port', String(port), '--workers', '2'], { CACHET_DATA_DIR: await readyDir() });
    assert.equal(code, 1, output);
    assert.doesNotMatch(output, /\n {4}at /, 'no stack trace');
    assert.match(output, new RegExp(`^cachet: port ${port} on 127\\.0\\.0\\.1 is already in use: stop what holds it`, 'm'));
    assert.match(output, /^cachet: a worker exited \(status 1\) before it was listening, so no worker was started$/m);
  } finally {
    holder.close();
  }
});

test('with --workers, a Redis that never answers stops the start with exit status 1 instead of leaving the workers waiting forever', { timeout: 60_000 }, async () => {
  // Only the workers connect to Redis: each gives up after 10 s, and a worker that merely
  // returned stayed alive on its channel to the primary, which waited for it to listen.
  const holder: Server = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as { port: number }).port;
  await new Promise<void>((resolve) => holder.close(() => resolve())); // a port nothing listens on
  const server = spawnServer(['--port', '0', '--workers', '2', '--redis', `redis://127.0.0.1:${port}`], { CACHET_DATA_DIR: await readyDir() });
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<{ code: 'hung' }>((resolve) => { timer = setTimeout(() => resolve({ code: 'hung' }), 40_000); });
  const first = await Promise.race([server.exited, hung]);
  clearTimeout(timer);
  if (first.code === 'hung') server.child.kill('SIGKILL');
  assert.equal(first.code, 1, server.output());
  assert.doesNotMatch(server.output(), /\n {4}at /, 'no stack trace');
  assert.match(server.output(), new RegExp(`^cachet: no connection to Redis at redis://127\\.0\\.0\\.1:${port} within 10000 ms`, 'm'));
  assert.match(server.output(), /^cachet: a worker exited \(status 1\) before it was listening, so no worker was started$/m);
});

test('a port below 1024 refused in a cluster worker (a bind error) names the port, not the data directory', () => {
  const err = Object.assign(new Error('bind EACCES 127.0.0.1:80'), { code: 'EACCES', syscall: 'bind' });
  assert.equal(startupMessage(err, { host: '127.0.0.1', port: 80, dataDir: '/srv/.data' }, 'npm-run'), 'no permission to listen on port 80: ports below 1024 need privileges; choose --port 1024 or above (the default is 8080)');
});

test('a --host that does not resolve is one cachet: line with exit status 1', async () => {
  const { code, output } = await failure(['--port', '0', '--host', 'no-such-host.invalid'], { CACHET_DATA_DIR: await readyDir() });
  assert.equal(code, 1);
  assert.match(oneLine(output), /^cachet: cannot resolve --host "no-such-host\.invalid" \(or HOST\): give an IP address such as 127\.0\.0\.1/);
});

test('a --data-dir that is a file is one cachet: line with exit status 1', async () => {
  const file = join(tempDir(), 'not-a-dir');
  writeFileSync(file, 'x');
  const { code, output } = await failure(['--port', '0', '--data-dir', file], {});
  assert.equal(code, 1);
  assert.equal(oneLine(output), `cachet: the data directory ${file} cannot be created, because it or a parent is a file: move that file away, or choose another directory with --data-dir DIR (or CACHET_DATA_DIR)`);
});

test('CACHET_KEYS without a colon is one cachet: line that does not mangle the key id (regression: "bad" was reported as "ba")', async () => {
  const { code, output } = await failure(['--port', '0'], { CACHET_DATA_DIR: await readyDir(), CACHET_KEYS: 'bad' });
  assert.equal(code, 1);
  const line = oneLine(output);
  assert.equal(line, 'cachet: CACHET_KEYS: entry 1 is not "id:secret" or "id:secret:state"; the format is "id:secret,id:secret" (primary first; a third field ":pending" or ":primary" sets a state) or the keys.json JSON. Fix or unset CACHET_KEYS; a fresh pair comes from: npm run keys -- generate --print');
  assert.doesNotMatch(line, /\bba\b/);
});

test('the same secret under two key ids is one cachet: line that says where the keys are and how to make a fresh one, not a library call', async () => {
  const secret = 'dGVzdCBrZXkgb2YgdGhpcnR5LXR3byBieXRlcyEhISE';
  const dir = await readyDir();
  const { code, output } = await failure(['--port', '0'], { CACHET_DATA_DIR: dir, CACHET_KEYS: `k2:${secret},k1:${secret}` });
  assert.equal(code, 1);
  const line = oneLine(output.split('\n').filter((l) => !l.includes('using the keys in CACHET_KEYS')).join('\n'));
  assert.equal(line, `cachet: keys "k2" and "k1" have the same secret, a rotation that rotates nothing (in CACHET_KEYS, or ${dir}/keys.json when it is unset): give each key a secret of its own; a fresh pair comes from: npm run keys -- generate --print`);
  assert.ok(!line.includes(secret), 'never the secret');
});

function io(env: NodeJS.ProcessEnv, commands?: 'npx' | 'npm-run' | 'node') {
  const lines: string[] = [];
  return { lines, env, out: (l: string) => void lines.push(l), err: (l: string) => void lines.push(`ERR ${l}`), ...(commands === undefined ? {} : { commands }) };
}

test('names npm run users inside this repository, npx cachet users through the installed bin, and node dist/cli/cachet.js in a built copy', async () => {
  for (const [style, expected] of [
    [undefined, 'npm run users -- add demo'],
    ['npx', 'npx cachet users add demo'],
    ['node', 'node dist/cli/cachet.js users add demo'],
  ] as const) {
    const out = io({ CACHET_DATA_DIR: tempDir() }, style);
    const running = await startServer(['--port', '0'], out);
    assert.ok(running);
    await running.close();
    assert.ok(out.lines.includes(`cachet: (shown once; set another with: ${expected})`), out.lines.join('\n'));
  }
});

test('warns at start-up that --insecure-cookies sends the session cookie without Secure', async () => {
  const out = io({ CACHET_DATA_DIR: await readyDir() });
  const running = await startServer(['--port', '0', '--insecure-cookies'], out);
  assert.ok(running);
  await running.close();
  assert.ok(out.lines.some((l) => l.startsWith('ERR cachet: warning: --insecure-cookies: the session cookie is sent without Secure')), out.lines.join('\n'));
  const quiet = io({ CACHET_DATA_DIR: await readyDir() });
  const secure = await startServer(['--port', '0'], quiet);
  await secure?.close();
  assert.ok(!quiet.lines.some((l) => l.includes('warning')));
});

// Root writes anywhere: run as root (CI), the server runs as `nobody`, which owns the directory.
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
const nobodyCannotRun =
  asRoot && spawnSync(process.execPath, ['-e', ''], { uid: NOBODY, gid: NOBODY }).status !== 0
    ? 'run as root, and the user nobody cannot run node from here'
    : false;

test('a data directory the server can read but not write stops the start with one line, instead of a 500 on every logout', { skip: nobodyCannotRun }, async (t) => {
  // Registered before readyDir's removal of the directory, so it runs first: a non-root owner
  // cannot empty a directory of mode 0500.
  let dir = '';
  t.after(() => chmodSync(dir, 0o700));
  dir = await readyDir();
  if (asRoot) for (const path of [dir, ...readdirSync(dir).map((f) => join(dir, f))]) chownSync(path, NOBODY, NOBODY);
  chmodSync(dir, 0o500); // its owner may read it, and no one may write to it
  const { code, output } = await failure(['--port', '0'], { CACHET_DATA_DIR: dir }, asRoot ? { uid: NOBODY } : {});
  assert.equal(code, 1, output);
  assert.match(oneLine(output), new RegExp(`^cachet: no permission: EACCES: permission denied, open '${dir}/\\.write-check-\\d+'; check the owner and mode of the data directory ${dir}, or choose another with --data-dir DIR$`));
});

test('a data directory on a read-only file system is named in one line that says to mount it writable', () => {
  const err = Object.assign(new Error("EROFS: read-only file system, open '.data/.write-check-1'"), { code: 'EROFS' });
  assert.equal(
    startupMessage(err, { host: '127.0.0.1', port: 8080, dataDir: '/srv/cachet' }, 'npx'),
    'the data directory /srv/cachet is on a read-only file system, and without --redis each logout is written there: mount it writable, or choose another directory with --data-dir DIR (or CACHET_DATA_DIR)',
  );
});
