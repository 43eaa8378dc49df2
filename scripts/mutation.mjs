#!/usr/bin/env node
// `npm run test:mutation`: StrykerJS over the security paths (docs/testing.md, "Mutation testing").
//
// Stryker lives in mutation/, with its own package.json and lock (exact versions), not in the root
// install: the TypeScript checker needs a TypeScript with a JavaScript compiler API (5.x), while the
// project compiles with TypeScript 7, which has none; and Stryker 10 needs Node >= 22, while the
// machine's own Node is 20. So this script
//   1. installs mutation/'s locked dependencies when they are missing or older than the lock
//      (`npm ci --prefix mutation`: the lock decides, a registry release never does);
//   2. makes sure the pinned Node 26 is in .node-versions/ (scripts/node-versions.mjs --install-only,
//      the version from scripts/node-pins.json);
//   3. runs Stryker under that Node, with its bin first on PATH so that the test files the tap
//      runner spawns (`node …`) run on it too.
// Arguments are passed to `stryker run`, e.g. `--mutate src/bytes/**/*.ts`, `--incremental`,
// `--concurrency 2`. `--ci` runs CI's smaller scope (`ciMutate` in
// mutation/stryker.config.mjs) on both cores and fails below a 90% score.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const line = '26';
const version = JSON.parse(readFileSync(join(root, 'scripts', 'node-pins.json'), 'utf8')).versions[line];

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const lock = join(root, 'mutation', 'package-lock.json');
const installed = join(root, 'mutation', 'node_modules', '.package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  run('npm', ['ci', '--prefix', 'mutation', '--no-audit', '--no-fund']);
}
run(process.execPath, [join('scripts', 'node-versions.mjs'), '--versions', line, '--install-only']);

const args = process.argv.slice(2);
const ci = args.includes('--ci');
// The 90% break threshold of the CI scope is set in the config, from CACHET_MUTATION_SCOPE.
const strykerArgs = ci ? ['--concurrency', '2', ...args.filter((a) => a !== '--ci')] : args;
const bin = join(root, '.node-versions', version, 'bin');
const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, ...(ci ? { CACHET_MUTATION_SCOPE: 'ci' } : {}) };
const stryker = join(root, 'mutation', 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
run(join(bin, 'node'), [stryker, 'run', join('mutation', 'stryker.config.mjs'), ...strykerArgs], { env });
