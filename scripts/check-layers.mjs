#!/usr/bin/env node
// Fails when an import in src/ points the wrong way through the layers
//   bytes -> keys -> codec -> cookie -> session -> web -> http | adapters -> app -> cli
// (web is the request glue every server shares: the session scope and the CSRF guard; http, cachet's
// own server, and adapters, the framework adapters, sit side by side and never import each other)
// (the CLIs manage the app's data directory, so they may read its file formats; the app never
// imports a CLI). src/server.ts, the entry that `node dist/server.js` runs, belongs to the app layer;
// src/index.ts and src/store-kit.ts, the package's entry points, sit above everything.
// or when the Web-platform core (bytes..session) imports a node: module.
// A Node-only store may live in src/session/server-store/ when it is listed in scripts/node-only-files.json.
//
// Inside the session layer, the folders are parts with their own direction (src/session/README.md):
//   core <- cookie-store          core <- server-store <- server-store/{memory,file,redis}
// cookie-store and server-store never import each other, core imports neither, a server-store
// backend folder never imports another one, and no file sits loose in src/session/.
//
// Usage: node scripts/check-layers.mjs [--root DIR]   (DIR holds src/; default: this checkout)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve, sep } from 'node:path';

const rootArg = process.argv.indexOf('--root');
const root = rootArg === -1 ? resolve(new URL('..', import.meta.url).pathname) : resolve(process.argv[rootArg + 1] ?? '.');
const src = join(root, 'src');
const order = ['errors', 'bytes', 'keys', 'codec', 'cookie', 'session', 'web', 'http', 'adapters', 'app', 'cli', 'index', 'server'];
const rank = { errors: 0, bytes: 1, keys: 2, codec: 3, cookie: 4, session: 5, web: 6, http: 7, adapters: 7, app: 8, cli: 9, index: 10 };
// Top-level files that belong to a layer of their own name's choosing.
// core.ts, the `cachet/core` entry point, must stay Web-platform code: it sits in the web layer.
const FILE_LAYERS = { server: 'app', 'store-kit': 'index', core: 'web' };
// The parts of the session layer, each with the parts it may import (besides itself and the
// layers below). A part is a file's folder under src/session/.
const SESSION_PARTS = {
  core: [],
  'cookie-store': ['core'],
  'server-store': ['core'],
  'server-store/memory': ['server-store', 'core'],
  'server-store/file': ['server-store', 'core'],
  'server-store/redis': ['server-store', 'core'],
};
const core = new Set(['errors', 'bytes', 'keys', 'codec', 'cookie', 'session', 'web']);
// The adapters that must run on any Web-platform runtime (Deno, Bun, workerd): no node: import.
// The Node frameworks' adapters (express, fastify, koa) work on their objects structurally and
// need none either, but may.
const WEB_ADAPTERS = new Set(['fetch', 'hono']);
function webOnly(layer, relFile) {
  return core.has(layer) || (layer === 'adapters' && WEB_ADAPTERS.has(relFile.split('/')[1]));
}
// Server-side stores that need the file system or sockets. They sit in the session layer
// but are Node-only by nature; the core proper never imports them.
// The list lives in node-only-files.json, which the browser test reads too.
const NODE_STORES = new Set(JSON.parse(readFileSync(new URL('./node-only-files.json', import.meta.url), 'utf8')));

// Packages a file may load with a dynamic import(), never statically: they stay out of
// `dependencies`, and only a configuration that needs them loads them.
const OPTIONAL_PACKAGES = { 'app/redis/connect.ts': ['redis'] };

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full));
    else if (name.endsWith('.ts')) out.push(full);
  }
  return out;
}
function layerOf(file) {
  const rel = relative(src, file).split(sep);
  const bare = rel.length === 1 ? rel[0].replace(/\.ts$/, '') : rel[0];
  const head = rel.length === 1 && bare in FILE_LAYERS ? FILE_LAYERS[bare] : bare;
  if (!(head in rank)) throw new Error(`check-layers: ${relative(root, file)} is in no known layer (${order.join(', ')})`);
  return head;
}

// The session part of a file in the session layer, or undefined when it is in none.
function sessionPartOf(file) {
  const part = relative(join(src, 'session'), dirname(file)).split(sep).join('/');
  return part in SESSION_PARTS ? part : undefined;
}

const problems = [];
// An import clause holds no ';': without it in the class, `export type X = ...;` could run on to
// a `from '...'` inside a later TSDoc example and be read as an import of it.
const importRe = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
for (const file of walk(src)) {
  const layer = layerOf(file);
  const relFile = relative(src, file).split(sep).join('/');
  const part = layer === 'session' ? sessionPartOf(file) : undefined;
  if (layer === 'session' && part === undefined) {
    problems.push(`${relFile}: is in no part of the session layer (${Object.keys(SESSION_PARTS).join(', ')})`);
  }
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2];
    if (spec.startsWith('node:') || /^(crypto|fs|http|https|net|path|os|buffer|cluster|child_process)$/.test(spec)) {
      if (webOnly(layer, relFile) && !NODE_STORES.has(relFile)) problems.push(`${relFile}: Web-platform code ('${layer}') imports ${spec}`);
      if (/^(node:)?crypto$/.test(spec)) problems.push(`${relFile}: imports ${spec}; use crypto.subtle / crypto.getRandomValues`);
      continue;
    }
    if (!spec.startsWith('.')) {
      // An optional package the app loads with import() only when the operator asks for it
      // (`--redis URL`); a static import would make it a dependency of every install.
      if (m[2] !== undefined && OPTIONAL_PACKAGES[relFile]?.includes(spec)) continue;
      problems.push(`${relFile}: imports package '${spec}'; cachet has no runtime dependencies`);
      continue;
    }
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    if (!target.startsWith(src)) continue;
    const to = layerOf(target);
    // Web-platform code may not reach node: through a Node-only store either.
    const toFile = relative(src, target).split(sep).join('/');
    if (webOnly(layer, relFile) && NODE_STORES.has(toFile) && !NODE_STORES.has(relFile)) {
      problems.push(`${relFile}: Web-platform code ('${layer}') imports the Node-only store ${toFile}`);
    }
    if (to === layer && part !== undefined) {
      const toPart = sessionPartOf(target);
      if (toPart !== part && !SESSION_PARTS[part].includes(toPart)) {
        problems.push(`${relFile}: session part '${part}' imports '${toPart ?? relative(src, target)}' (${spec}); it may import ${[part, ...SESSION_PARTS[part]].join(', ')}`);
      }
    }
    if (to === layer) continue;
    if (rank[to] > rank[layer] || (rank[to] === rank[layer] && to !== layer)) {
      problems.push(`${relFile}: layer '${layer}' imports upward/sideways into '${to}' (${spec})`);
    }
  }
}
if (problems.length) {
  console.error('check-layers: ' + problems.length + ' problem(s)\n  ' + problems.join('\n  '));
  process.exit(1);
}
console.log('check-layers: ok');
