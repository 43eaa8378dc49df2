// `npm start` is how the README runs the app, and a supervisor (`docker stop` with `CMD npm start`,
// a systemd unit, a process manager) signals the process it started: npm. npm forwards SIGTERM to
// the shell that runs the script; with `npm run build && node dist/server.js` that shell ran node
// as a child it does not signal, so the shell died, npm exited, and node went on serving,
// orphaned, with no drain; a container then killed it outright. The script now ends with `exec`,
// so node is the process npm signals.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnCommand } from '../helpers/spawn-server.js';
import { tempDir } from '../helpers/temp-dir.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('npm start hands a SIGTERM sent to npm to the server, which drains and exits 0, and npm with it', async () => {
  // A copy of what the build reads: `npm start` rebuilds dist/, which must never be the dist/ that
  // other test files run at the same time.
  const work = tempDir();
  for (const file of ['package.json', 'tsconfig.json', 'tsconfig.build.json']) cpSync(file, join(work, file));
  cpSync('src', join(work, 'src'), { recursive: true });
  symlinkSync(resolve('node_modules'), join(work, 'node_modules'), 'dir');

  const npm = spawnCommand('npm', ['start', '--', '--port', '0'], { CACHET_DATA_DIR: join(work, 'data') }, { cwd: work });
  const [, origin, pid] = await npm.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+) \(pid (\d+)\)/);
  const server = Number(pid);
  after(() => {
    if (alive(server)) process.kill(server, 'SIGKILL'); // an orphan, if the script regresses
  });
  assert.equal((await fetch(`${origin!}/healthz`)).status, 200);

  // npm's own exit, not the close of its output: an orphaned server would hold that open forever.
  const npmExit = new Promise<[number | null, NodeJS.Signals | null]>((done) => npm.child.once('exit', (code, signal) => done([code, signal])));
  npm.child.kill('SIGTERM');
  const [code, signal] = await npmExit;
  // npm waits for its script's process, which is the server once the shell has exec'd it: so when
  // npm is gone, the server must be too.
  assert.equal(alive(server), false, `nothing is left serving after npm exits:\n${npm.output()}`);
  assert.deepEqual({ code, signal }, { code: 0, signal: null });
  await npm.exited;
  assert.match(npm.output(), /SIGTERM received: shutting down/, 'the server heard the signal and drained');
});
