#!/usr/bin/env node
// Fails when an import in src/ points the wrong way through the layers
//   bytes -> keys -> codec -> cookie -> session -> http -> app -> cli
// (the CLIs manage the app's data directory, so they may read its file formats; the app never
// imports a CLI). src/server.ts, the entry that `node dist/server.js` runs, belongs to the app layer.
// or when the Web-platform core (bytes..session) imports a node: module.
// A Node-only store may live in src/session as *-store.ts listed in scripts/node-only-files.json.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve, sep } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const src = join(root, 'src');
const order = ['errors', 'bytes', 'keys', 'codec', 'cookie', 'session', 'http', 'app', 'cli', 'index', 'server'];
const rank = { errors: 0, bytes: 1, keys: 2, codec: 3, cookie: 4, session: 5, http: 6, app: 7, cli: 8, index: 9 };
// Top-level files that belong to a layer of their own name's choosing.
const FILE_LAYERS = { server: 'app' };
const core = new Set(['errors', 'bytes', 'keys', 'codec', 'cookie', 'session']);
// Server-side stores that need the file system or sockets. They sit in the session layer
// but are Node-only by nature; the core proper never imports them.
// The list lives in node-only-files.json, which the browser test reads too.
const NODE_STORES = new Set(JSON.parse(readFileSync(new URL('./node-only-files.json', import.meta.url), 'utf8')));

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

const problems = [];
const importRe = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
for (const file of walk(src)) {
  const layer = layerOf(file);
  const relFile = relative(src, file).split(sep).join('/');
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2];
    if (spec.startsWith('node:') || /^(crypto|fs|http|https|net|path|os|buffer|cluster|child_process)$/.test(spec)) {
      if (core.has(layer) && !NODE_STORES.has(relFile)) problems.push(`${relFile}: core layer '${layer}' imports ${spec}`);
      if (/^(node:)?crypto$/.test(spec)) problems.push(`${relFile}: imports ${spec}; use crypto.subtle / crypto.getRandomValues`);
      continue;
    }
    if (!spec.startsWith('.')) {
      problems.push(`${relFile}: imports package '${spec}'; cachet has no runtime dependencies`);
      continue;
    }
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    if (!target.startsWith(src)) continue;
    const to = layerOf(target);
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
