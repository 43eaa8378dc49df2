// The hints name commands that exist where they are printed: npm scripts in a clone, `npx cachet`
// in a project that installed the package, `node dist/cli/cachet.js` in a built copy without
// sources (docs/deploy.md's container image), found by each entry from where it stands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { commandLine, commandStyleAt } from '../../src/app/commands.js';
import { cachetMain } from '../../src/cli/cachet.js';
import { memoryIo } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = resolve(new URL('../..', import.meta.url).pathname);
const built = existsSync(join(root, 'dist/server.js')) && existsSync(join(root, 'dist/cli/cachet.js'));
const skipBuilt = built ? false : 'dist/ is not built (npm test builds it first)';

test('writes each command in each style', () => {
  assert.equal(commandLine('npm-run', 'users', 'add demo'), 'npm run users -- add demo');
  assert.equal(commandLine('npx', 'users', 'add demo'), 'npx cachet users add demo');
  assert.equal(commandLine('node', 'users', 'add demo'), 'node dist/cli/cachet.js users add demo');
  assert.equal(commandLine('node', 'keys'), 'node dist/cli/cachet.js keys');
  assert.equal(commandLine('node', 'serve', '--port 8080'), 'node dist/server.js --port 8080');
  assert.equal(commandLine('npm-run', 'serve'), 'node dist/server.js');
});

test('tells an installed package, a clone and a built copy apart from the package root', () => {
  const everything = () => true;
  const nothing = () => false;
  assert.equal(commandStyleAt(new URL('file:///srv/app/node_modules/cachet/'), everything), 'npx');
  assert.equal(commandStyleAt(new URL('file:///home/me/cachet/'), everything), 'npm-run');
  assert.equal(commandStyleAt(new URL('file:///app/'), nothing), 'node');
  // Sources without tsx (dev dependencies pruned) cannot run `npm run users` either.
  const sourcesOnly = (path: URL) => path.pathname.endsWith('/src/cli/users.ts');
  assert.equal(commandStyleAt(new URL('file:///app/'), sourcesOnly), 'node');
  assert.equal(commandStyleAt(pathToFileURL(`${root}/`)), 'npm-run', 'this checkout is a clone');
});

test('the cachet command names node dist/cli/cachet.js in the node style', async () => {
  const env = { CACHET_DATA_DIR: tempDir() };
  // The io's out and err write to the object memoryIo made, so the style is set on that object.
  const help = Object.assign(memoryIo(env), { commands: 'node' as const });
  assert.equal(await cachetMain(['--help'], help), 0);
  assert.match(help.stdout, /^Usage: node dist\/cli\/cachet\.js <command>/);
  const missing = Object.assign(memoryIo(env), { commands: 'node' as const });
  assert.equal(await cachetMain(['keys', 'list'], missing), 1);
  assert.match(missing.stderr, /or run "node dist\/cli\/cachet\.js keys generate"/);
});

/** Starts `node dist/server.js` in `cwd` until it prints its first-start hint, then stops it. */
function firstStartHint(cwd: string): Promise<string> {
  const child = spawn(process.execPath, ['dist/server.js', '--port', '0'], {
    cwd,
    env: { ...process.env, NODE_ENV: '', CACHET_KEYS: '', CACHET_DATA_DIR: join(tempDir(), 'data') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  return new Promise((resolvePromise) => {
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      if (/listening on /.test(text)) child.kill('SIGTERM');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', () => resolvePromise(/set another with: (.*)\)/.exec(text)?.[1] ?? text));
  });
}

test('node dist/server.js names the npm scripts in this clone', { skip: skipBuilt, timeout: 30_000 }, async () => {
  assert.equal(await firstStartHint(root), 'npm run users -- add demo');
});

test('a built copy without sources (dist/ and package.json, as in the container image) names node dist/cli/cachet.js', { skip: skipBuilt, timeout: 30_000 }, async () => {
  const copy = join(tempDir('cachet-built-'), 'app');
  mkdirSync(copy);
  cpSync(join(root, 'dist'), join(copy, 'dist'), { recursive: true });
  cpSync(join(root, 'package.json'), join(copy, 'package.json'));
  const hint = await firstStartHint(copy);
  assert.equal(hint, 'node dist/cli/cachet.js users add demo');
  // And the command it names works there.
  const data = join(tempDir(), 'data');
  const listed = spawnSync(process.execPath, ['dist/cli/cachet.js', 'keys', 'list'], { cwd: copy, env: { ...process.env, CACHET_DATA_DIR: data }, encoding: 'utf8' });
  assert.equal(listed.status, 1);
  assert.match(listed.stderr, /or run "node dist\/cli\/cachet\.js keys generate"/);
});
