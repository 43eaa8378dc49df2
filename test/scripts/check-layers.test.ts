// scripts/check-layers.mjs is what keeps the layers and the session layer's folders pointing one
// way. These tests plant a wrong import in a small src/ tree and check that the script fails and
// names it, so a rule that stopped biting would show here, not as a quietly tangled layer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tempDir } from '../helpers/temp-dir.js';

const root = resolve(new URL('../..', import.meta.url).pathname);
const script = join(root, 'scripts', 'check-layers.mjs');

function checkLayers(args: string[]): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

// A small src/ tree that follows every rule: one file per session part, each importing what it may.
const GOOD: Record<string, string> = {
  'errors.ts': 'export const e = 1;\n',
  'cookie/parse.ts': "import { e } from '../errors.js';\nexport const p = e;\n",
  'session/core/session.ts': "import { p } from '../../cookie/parse.js';\nexport const s = p;\n",
  'session/cookie-store/cookie-store.ts': "import { s } from '../core/session.js';\nexport const c = s;\n",
  'session/server-store/server-store.ts': "import { s } from '../core/session.js';\nexport const ss = s;\n",
  'session/server-store/memory/memory-store.ts': "import { ss } from '../server-store.js';\nimport { s } from '../../core/session.js';\nexport const m = ss + s;\n",
  'session/server-store/redis/redis-store.ts': "import { ss } from '../server-store.js';\nexport const r = ss;\n",
  'index.ts': "export { c } from './session/cookie-store/cookie-store.js';\n",
  'store-kit.ts': "export { s } from './session/core/session.js';\n",
};

function tree(files: Record<string, string>): string {
  const dir = tempDir('cachet-layers-');
  for (const [path, text] of Object.entries(files)) {
    const full = join(dir, 'src', path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return dir;
}

function withFile(path: string, text: string): string {
  return tree({ ...GOOD, [path]: text });
}

test('the checkout itself passes the layer check', () => {
  const { status, output } = checkLayers([]);
  assert.equal(status, 0, output);
  assert.match(output, /check-layers: ok/);
});

test('a tree that follows every rule passes', () => {
  const { status, output } = checkLayers(['--root', tree(GOOD)]);
  assert.equal(status, 0, output);
});

const planted: Array<[title: string, path: string, text: string, expected: RegExp]> = [
  [
    'the cookie store importing a server-side store fails',
    'session/cookie-store/cookie-store.ts',
    "import { ss } from '../server-store/server-store.js';\nexport const c = ss;\n",
    /session\/cookie-store\/cookie-store\.ts: session part 'cookie-store' imports 'server-store'/,
  ],
  [
    'a server-side store importing the cookie store fails',
    'session/server-store/server-store.ts',
    "import { c } from '../cookie-store/cookie-store.js';\nexport const ss = c;\n",
    /session\/server-store\/server-store\.ts: session part 'server-store' imports 'cookie-store'/,
  ],
  [
    'the session core importing the cookie store fails',
    'session/core/session.ts',
    "import { c } from '../cookie-store/cookie-store.js';\nexport const s = c;\n",
    /session part 'core' imports 'cookie-store'/,
  ],
  [
    'the session core importing a server-side store backend fails',
    'session/core/session.ts',
    "import type { m } from '../server-store/memory/memory-store.js';\nexport const s = 1;\n",
    /session part 'core' imports 'server-store\/memory'/,
  ],
  [
    'one store backend importing another fails',
    'session/server-store/redis/redis-store.ts',
    "import { m } from '../memory/memory-store.js';\nexport const r = m;\n",
    /session part 'server-store\/redis' imports 'server-store\/memory'/,
  ],
  [
    'the shared server-store code importing one of its backends fails',
    'session/server-store/server-store.ts',
    "import { m } from './memory/memory-store.js';\nexport const ss = m;\n",
    /session part 'server-store' imports 'server-store\/memory'/,
  ],
  [
    'a file loose in src/session, outside every part, fails',
    'session/loose.ts',
    'export const l = 1;\n',
    /session\/loose\.ts: is in no part of the session layer/,
  ],
  [
    'a lower layer importing the session layer still fails',
    'cookie/parse.ts',
    "import { s } from '../session/core/session.js';\nexport const p = s;\n",
    /cookie\/parse\.ts: layer 'cookie' imports upward\/sideways into 'session'/,
  ],
  [
    'a node: import in the session core still fails',
    'session/core/session.ts',
    "import { readFile } from 'node:fs/promises';\nexport const s = readFile;\n",
    /session\/core\/session\.ts: Web-platform code \('session'\) imports node:fs\/promises/,
  ],
  [
    'a node: import in the shared request glue (web) fails',
    'web/session-scope.ts',
    "import { readFile } from 'node:fs/promises';\nexport const s = readFile;\n",
    /web\/session-scope\.ts: Web-platform code \('web'\) imports node:fs\/promises/,
  ],
  [
    'a node: import in the fetch adapter fails (it runs on Deno, Bun and workerd)',
    'adapters/fetch/with-sessions.ts',
    "import { readFile } from 'node:fs/promises';\nexport const s = readFile;\n",
    /adapters\/fetch\/with-sessions\.ts: Web-platform code \('adapters'\) imports node:fs\/promises/,
  ],
  [
    'an adapter importing cachet\'s own http layer fails (they sit side by side)',
    'adapters/fetch/with-sessions.ts',
    "import { csrf } from '../../http/csrf.js';\nexport const s = csrf;\n",
    /adapters\/fetch\/with-sessions\.ts: layer 'adapters' imports upward\/sideways into 'http'/,
  ],
  [
    'an adapter importing its framework, even as a type, fails',
    'adapters/fetch/with-sessions.ts',
    "import type { Request } from 'express';\nexport type R = Request;\n",
    /adapters\/fetch\/with-sessions\.ts: imports package 'express'/,
  ],
  [
    'the Redis connector importing redis statically fails (only import() keeps it optional)',
    'app/redis/connect.ts',
    "import { createClient } from 'redis';\nexport const c = createClient;\n",
    /app\/redis\/connect\.ts: imports package 'redis'/,
  ],
  [
    'another app file loading redis with import() fails',
    'app/create-app.ts',
    "export const load = () => import('redis');\n",
    /app\/create-app\.ts: imports package 'redis'/,
  ],
];

for (const [title, path, text, expected] of planted) {
  test(title, () => {
    const { status, output } = checkLayers(['--root', withFile(path, text)]);
    assert.equal(status, 1, output);
    assert.match(output, expected);
  });
}

test('a package named in a TSDoc example after an export statement is not taken for an import', () => {
  const text = "export type M = (ctx: unknown) => void;\n\n/**\n * @example\n * ```ts\n * import Koa from 'koa';\n * ```\n */\nexport const k = 1;\n";
  const { status, output } = checkLayers(['--root', tree({ ...GOOD, 'adapters/koa/sessions.ts': text })]);
  assert.equal(status, 0, output);
});

test('the Redis connector may load redis with import(), which only --redis reaches', () => {
  const text = "export const load = () => import('redis');\n";
  const { status, output } = checkLayers(['--root', tree({ ...GOOD, 'app/redis/connect.ts': text })]);
  assert.equal(status, 0, output);
});
