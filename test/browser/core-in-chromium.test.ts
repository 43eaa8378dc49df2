// The Web-platform core (bytes, keys, codec, cookie, session) runs unchanged in a browser:
// its built modules are served to headless Chromium, imported there, and used for a seal/open
// round trip whose result Node opens (and the reverse). Issue 7, "Compatibility".
//
// Runs under `npm run test:browser` (which builds dist/ and sets CACHET_BROWSER=1); needs
// /usr/bin/chromium (scripts/install-chromium.sh). Elsewhere (npm test, test:compat) it is skipped
// with that reason: the browser result does not depend on the Node version, so once is enough.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync, readdirSync, readFile, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { browserTestSkip, chromiumMissing, launchChromium } from '../helpers/chromium.js';

const root = resolve(new URL('../..', import.meta.url).pathname);
const dist = join(root, 'dist');
const CORE = ['bytes', 'keys', 'codec', 'cookie', 'session'];
// Node-only stores live in the session layer by design; the one list is shared with scripts/check-layers.mjs.
// store-kit.js, the integrators' entry point, re-exports only session core, so it loads here too.
const NODE_ONLY = new Set(
  (JSON.parse(readFileSync(join(root, 'scripts', 'node-only-files.json'), 'utf8')) as string[]).map((f) => f.replace(/\.ts$/, '.js')),
);

const skip = browserTestSkip(chromiumMissing() ?? (existsSync(join(dist, 'errors.js')) ? undefined : 'dist/ is not built (run npm run build)'));

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = join(dir, name);
      return statSync(full).isDirectory() ? walk(full) : name.endsWith('.js') ? [full] : [];
    });
}
const coreModules = (): string[] =>
  ['errors.js', 'store-kit.js', ...CORE.flatMap((layer) => walk(join(dist, layer)).map((f) => relative(dist, f).split(sep).join('/')))].filter((f) => !NODE_ONLY.has(f));

let server: Server | undefined;
let context: BrowserContext | undefined;
let closeBrowser: (() => Promise<void>) | undefined;
let page: Page;
let origin = '';

before(async () => {
  if (skip !== false) return;
  // A static server for dist/ on 127.0.0.1: module scripts cannot load from file://, and
  // http://127.0.0.1 is a secure context, so crypto.subtle is available.
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>cachet core</title>');
      return;
    }
    const file = resolve(dist, `.${path}`);
    if (!file.startsWith(dist + sep) || !file.endsWith('.js')) return void res.writeHead(404).end();
    readFile(file, (err, body) => {
      if (err) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(body);
    });
  });
  await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  origin = `http://127.0.0.1:${address.port}`;
  ({ context, page, close: closeBrowser } = await launchChromium());
  await page.goto(`${origin}/`);
});

after(async () => {
  await closeBrowser?.();
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
});

test('every built core module loads in Chromium', { skip, timeout: 60_000 }, async () => {
  const modules = coreModules();
  assert.ok(modules.includes('cookie/parse.js'), 'dist/cookie is missing');
  const exported = await page.evaluate(async (urls) => {
    const out: Record<string, string[]> = {};
    for (const url of urls) out[url] = Object.keys(await import(url));
    return out;
  }, modules.map((m) => `${origin}/${m}`));
  assert.deepEqual(Object.keys(exported).length, modules.length);
  assert.ok(exported[`${origin}/cookie/parse.js`]?.includes('parseCookies'));
});

test('a Set-Cookie built in Chromium parses back in Node', { skip, timeout: 60_000 }, async () => {
  const header = await page.evaluate(async (base) => {
    const { serializeCookie } = (await import(`${base}/cookie/serialize.js`)) as typeof import('../../src/cookie/serialize.js');
    return serializeCookie('__Host-t', 'v.1_-', { path: '/', secure: true, httpOnly: true, sameSite: 'Lax', maxAge: 60 });
  }, origin);
  const { parseCookies } = (await import(pathToFileURL(join(dist, 'cookie/parse.js')).href)) as typeof import('../../src/cookie/parse.js');
  assert.equal(header, '__Host-t=v.1_-; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=Lax');
  assert.equal(parseCookies(header.split(';')[0])['__Host-t'], 'v.1_-');
});

type Api = typeof import('../../src/index.js');

for (const mode of ['sealed', 'signed'] as const) {
  test(`a value ${mode} in Chromium opens in Node, and one ${mode} in Node opens in Chromium`, { skip, timeout: 60_000 }, async () => {
    const node = (await import(pathToFileURL(join(dist, 'index.js')).href)) as Api;
    const { secret } = node.generateKey('k1');
    const data = { user: 'ada', visits: 3, note: 'ünïcødé ✓' };
    const urls = coreModules().map((m) => `${origin}/${m}`);

    // Runs in the page: only the core modules served from dist/ are available there.
    const inBrowser = async (args: { urls: string[]; secret: string; mode: 'sealed' | 'signed'; data: unknown; value: string | null }) => {
      const api = Object.assign({}, ...(await Promise.all(args.urls.map((u) => import(u))))) as Api;
      const keyring = await api.Keyring.create([{ id: 'k1', secret: args.secret }]);
      const codec = new api.CookieCodec({ keyring, mode: args.mode, maxAge: 3600 });
      return args.value === null ? codec.encode('session', args.data) : (await codec.decode('session', args.value)).data;
    };

    const fromBrowser = await page.evaluate(inBrowser, { urls, secret, mode, data, value: null });
    assert.equal(typeof fromBrowser, 'string');
    const keyring = await node.Keyring.create([{ id: 'k1', secret }]);
    const codec = new node.CookieCodec({ keyring, mode, maxAge: 3600 });
    assert.deepEqual((await codec.decode('session', fromBrowser as string)).data, data);
    await assert.rejects(codec.decode('other', fromBrowser as string), (err: unknown) => node.SessionError.isDecode(err));

    const fromNode = await codec.encode('session', data);
    assert.deepEqual(await page.evaluate(inBrowser, { urls, secret, mode, data: null, value: fromNode }), data);
  });
}
