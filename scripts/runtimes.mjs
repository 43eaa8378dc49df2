#!/usr/bin/env node
// `npm run test:runtimes`: the fetch adapter with CookieStore, sealed and signed, on real runtimes:
// Deno, Bun, Cloudflare's workerd, this machine's Node and the Node lines of node-pins.json.
// docs/compatibility.md, "Runtimes", says what each run checks and how to move a pin.
//
//  1. Fetches each runtime's binary from npm at the exact version pinned in
//     scripts/runtime-pins.json (scripts/npm-binary.mjs: `npm pack`, one file unpacked) into the
//     git-ignored .runtimes/; the Node lines come through scripts/node-versions.mjs --install-only.
//  2. Compiles the demo app (test/runtimes/app/, its own tsconfig) into .runtimes/app/, importing
//     the built package by its name, as an app would; `npm run test:runtimes` builds dist/ first.
//  3. Writes the workerd config: every module the Worker imports, listed from the built files.
//  4. Runs test/runtimes/journey.test.ts once per runtime (its own pass/fail line), then
//     test/runtimes/cross-runtime.test.ts with all of them: a cookie written on each runtime
//     must open on every other. The tests start and stop the servers themselves; they learn the
//     runtimes from CACHET_RUNTIMES (JSON) and are skipped when it is absent (plain `npm test`).
//
// Usage: node scripts/runtimes.mjs [--only deno,bun,workerd,node] [--latest] [--install-only]
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { installFromNpm, registryVersions, root, run, versionOf } from './npm-binary.mjs';

const pins = JSON.parse(readFileSync(join(root, 'scripts', 'runtime-pins.json'), 'utf8'));
const nodePins = JSON.parse(readFileSync(join(root, 'scripts', 'node-pins.json'), 'utf8')).versions;
const APP = join(root, '.runtimes', 'app');
const KINDS = ['deno', 'bun', 'workerd', 'node'];

const args = process.argv.slice(2);
let only = KINDS;
let latest = false;
let installOnly = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--only') only = String(args[++i] ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  else if (args[i] === '--latest') latest = true;
  else if (args[i] === '--install-only') installOnly = true;
  else fail(`unknown argument ${args[i]} (usage: --only deno,bun,workerd,node --latest --install-only)`);
}
for (const kind of only) if (!KINDS.includes(kind)) fail(`--only: "${kind}" is not one of ${KINDS.join(', ')}`);
if (process.platform !== 'linux' || process.arch !== 'x64') fail(`the pinned packages are linux/x64 builds, not ${process.platform}/${process.arch}`);

function fail(message) {
  console.error(`runtimes: ${message}`);
  process.exit(1);
}

// Bun's default linux-x64 build needs AVX2 (Haswell, 2013, and later); older CPUs get the
// -baseline build of the same version.
function bunPackage() {
  const avx2 = /\bavx2\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  return avx2 ? '@oven/bun-linux-x64' : '@oven/bun-linux-x64-baseline';
}

/** How each fetched runtime is packaged, what `--version` says, and what the demo calls it. */
const FETCHED = {
  deno: { pkg: () => '@deno/linux-x64-glibc', member: 'deno', major: '2.', expect: (v) => `deno ${v}`, reports: (v) => `Deno ${v}`, label: (v) => `Deno ${v}` },
  bun: { pkg: bunPackage, member: 'bin/bun', major: '1.', expect: (v) => v, reports: (v) => `Bun ${v}`, label: (v) => `Bun ${v}` },
  // workerd's npm version is 1.YYYYMMDD.patch; the binary prints the date (`workerd 2026-11-23`).
  // A Worker has no version API: the demo just says `workerd`.
  workerd: {
    pkg: () => '@cloudflare/workerd-linux-64',
    member: 'bin/workerd',
    major: '1.',
    expect: (v) => `workerd ${v.split('.')[1]?.replace(/^(\d{4})(\d\d)(\d\d)$/, '$1-$2-$3')}`,
    reports: () => 'workerd',
    label: (v) => `workerd ${v}`,
  },
};

/** One runtime as the tests see it (test/runtimes/servers.ts, RuntimeSpec). */
function fetched(kind) {
  const how = FETCHED[kind];
  const pkg = how.pkg();
  let version = pins[kind];
  if (latest) {
    [version] = registryVersions(pkg, how.major);
    if (version === undefined) fail(`the registry has no ${pkg}@${how.major}x`);
  } else if (typeof version !== 'string' || !/^\d+\.\d+\.\d+$/.test(version)) {
    fail(`no exact pin for ${kind} in scripts/runtime-pins.json`);
  }
  const binary = join(root, '.runtimes', kind, version, how.member);
  installFromNpm({ spec: `${pkg}@${version}`, member: how.member, binary, expect: how.expect(version), log: 'runtimes' });
  const tag = latest ? (version === pins[kind] ? 'newest, = the pin' : `newest; pinned ${pins[kind]}`) : 'pinned';
  return { id: kind, kind, label: how.label(version), reports: how.reports(version), binary, source: `${pkg}@${version}, ${tag}` };
}

/** This machine's Node, then each pinned line (fetched by node-versions.mjs) that differs from it. */
function nodes() {
  const install = run(process.execPath, [join('scripts', 'node-versions.mjs'), '--install-only'], { stdio: 'inherit' });
  if (install.status !== 0) fail('scripts/node-versions.mjs --install-only failed');
  const out = [{ id: `node${process.versions.node.split('.')[0]}`, kind: 'node', label: `Node ${process.version}`, reports: `Node ${process.version}`, binary: process.execPath, source: "this machine's" }];
  for (const [line, version] of Object.entries(nodePins)) {
    if (`v${version}` === process.version) continue;
    const binary = join(root, '.node-versions', version, 'bin', 'node');
    if (versionOf(binary) !== `v${version}`) fail(`${binary} is not Node v${version}`);
    out.push({ id: `node${line}`, kind: 'node', label: `Node v${version}`, reports: `Node v${version}`, binary, source: 'node-pins.json' });
  }
  return out;
}

const runtimes = [];
for (const kind of only) {
  if (kind === 'node') runtimes.push(...nodes());
  else runtimes.push(fetched(kind));
}
for (const r of runtimes) {
  const where = relative(root, r.binary);
  console.log(`runtimes: ${r.label} (${r.source}) at ${where.startsWith('..') ? r.binary : where}`);
}
if (installOnly) process.exit(0);

// 2. The demo, compiled against the built package.
if (!existsSync(join(root, 'dist', 'index.js'))) fail('dist/ is missing: run `npm run build` first (npm run test:runtimes does)');
rmSync(APP, { recursive: true, force: true });
const tsc = run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join('test', 'runtimes', 'app', 'tsconfig.json')], { stdio: 'inherit' });
if (tsc.status !== 0) fail('the demo app does not compile (test/runtimes/app/)');

// 3. The workerd config.
if (only.includes('workerd')) writeFileSync(join(APP, 'workerd.capnp'), workerdConfig());

/** The specifiers a built ES module imports; tsc prints each import or re-export at a line start. */
function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\s(?:[^;'"]*?\sfrom\s*)?['"]([^'"]+)['"]/gm)].map((m) => m[1]);
}

/**
 * A workerd config serving the demo Worker on 127.0.0.1, port 0 (the test learns the port through
 * workerd's --control-fd). workerd has no node_modules lookup: every module is listed by name, and
 * a specifier resolves like a URL path against the importing module's name. So the built files
 * keep their dist/ paths as names, and `cachet` and `cachet/fetch` are one-line modules that
 * re-export the package's entry files (what a bundler does for a real Worker).
 */
function workerdConfig() {
  const exportsMap = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).exports;
  const modules = new Map(); // name -> file
  const shims = new Map(); // name -> source
  const visit = (name, file) => {
    if (modules.has(name)) return;
    modules.set(name, file);
    for (const spec of importsOf(file)) {
      // The demo imports `cachet/core` and `cachet/fetch`, which are Web-platform code: a Worker
      // built from them needs no Node compatibility. A node: import here means that broke.
      if (spec.startsWith('node:')) throw new Error(`workerd: ${relative(root, file)} imports "${spec}"; the Worker must load without Node compatibility (cachet/core, cachet/fetch)`);
      if (spec.startsWith('.')) {
        visit(posix.normalize(posix.join(posix.dirname(name), spec)), join(dirname(file), spec));
        continue;
      }
      const target = exportsMap[spec === 'cachet' ? '.' : spec.replace(/^cachet\//, './')]?.import;
      if (!spec.startsWith('cachet') || typeof target !== 'string') throw new Error(`workerd: ${relative(root, file)} imports "${spec}", which the Worker cannot have`);
      const targetName = posix.normalize(target);
      let from = posix.relative(posix.dirname(spec), targetName);
      if (!from.startsWith('.')) from = `./${from}`;
      shims.set(spec, `export * from '${from}';\n`);
      visit(targetName, join(root, target));
    }
  };
  visit('workerd.js', join(APP, 'workerd.js'));
  mkdirSync(join(APP, 'shims'), { recursive: true });
  const lines = [];
  for (const [name, file] of modules) lines.push(`(name = "${name}", esModule = embed "${relative(APP, file)}")`);
  for (const [name, source] of shims) {
    const file = join(APP, 'shims', `${name.replace(/\//g, '__')}.js`);
    writeFileSync(file, source);
    lines.push(`(name = "${name}", esModule = embed "${relative(APP, file)}")`);
  }
  const date = pins.workerdCompatibilityDate;
  if (!/^\d{4}-\d\d-\d\d$/.test(String(date))) fail('scripts/runtime-pins.json: workerdCompatibilityDate must be YYYY-MM-DD');
  return `# Written by scripts/runtimes.mjs: the demo Worker (test/runtimes/app/workerd.ts) on loopback.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "demo", worker = .demo) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "demo") ],
);

const demo :Workerd.Worker = (
  modules = [
    ${lines.join(',\n    ')},
  ],
  compatibilityDate = "${date}",
  # A text binding whose value workerd reads from its own environment when it starts, so the key
  # is never written to a file.
  bindings = [ (name = "CACHET_DEMO_KEY", fromEnvironment = "CACHET_DEMO_KEY") ],
);
`;
}

// 4. The tests.
function runTests(file, selected) {
  const started = Date.now();
  const env = { ...process.env, CACHET_RUNTIMES: JSON.stringify(selected) };
  const result = run(process.execPath, ['scripts/run-tests.mjs', file], { stdio: 'inherit', env });
  return { ok: result.status === 0, seconds: ((Date.now() - started) / 1000).toFixed(1) };
}

const results = [];
for (const r of runtimes) results.push({ name: `${r.label} (${r.source})`, ...runTests('test/runtimes/journey.test.ts', [r]) });
if (runtimes.length > 1) results.push({ name: `cross-runtime, ${runtimes.length} runtimes`, ...runTests('test/runtimes/cross-runtime.test.ts', runtimes) });

for (const { name, ok, seconds } of results) console.log(`runtimes: ${name}: ${ok ? 'pass' : 'FAIL'} (${seconds} s)`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
