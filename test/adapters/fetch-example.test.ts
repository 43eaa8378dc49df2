// docs/adapters/fetch.md's complete app, run as the page prints it: the `// app.ts` block is
// copied out with its `cachet` imports pointed at src/, served on Node by @hono/node-server, and
// walked through like a browser would (the token taken from each form).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { generateKey } from '../../src/keys/generate.js';
import { Client, type Reply } from './cookie-jar.js';

const root = resolve(new URL('../..', import.meta.url).pathname);

/** The `// app.ts` code block of the page, with its imports resolved to this checkout. */
function appSource(): string {
  const page = readFileSync(join(root, 'docs/adapters/fetch.md'), 'utf8');
  const block = /```ts\n(\/\/ app\.ts\n[\s\S]*?)```/.exec(page)?.[1];
  assert.ok(block !== undefined, 'docs/adapters/fetch.md has an `// app.ts` block');
  return block
    .replace("from 'cachet/core';", `from '${pathToFileURL(join(root, 'src/core.ts')).href}';`)
    .replace("from 'cachet/fetch';", `from '${pathToFileURL(join(root, 'src/adapters/fetch/index.ts')).href}';`);
}

function tokenIn(reply: Reply): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(String(reply.body))?.[1];
  assert.ok(token !== undefined, `a form with a token: ${String(reply.body)}`);
  return token;
}

test('the fetch page\'s app logs in, counts and logs out, with CSRF on', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cachet-fetch-example-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'app.mts');
  writeFileSync(file, appSource());
  const { createHandler } = (await import(pathToFileURL(file).href)) as { createHandler: (secret: string) => Promise<(r: Request) => Promise<Response>> };
  const handler = await createHandler(generateKey('doc').secret);
  const server = await new Promise<ReturnType<typeof serve>>((done) => {
    const s = serve({ fetch: handler, port: 0, hostname: '127.0.0.1', overrideGlobalObjects: false }, () => done(s));
  });
  t.after(() => new Promise<void>((done) => server.close(() => done())));
  const browser = new Client(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const SAME = { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' };
  const post = (path: string, fields: Record<string, string>) => browser.post(path, SAME, new URLSearchParams(fields).toString());

  const start = await browser.get('/');
  assert.match(String(start.body), /Log in/);
  assert.equal((await post('/login', { user: 'Ada' })).status, 403, 'no token: refused');
  const login = await post('/login', { user: 'Ada', _csrf: tokenIn(start) });
  assert.equal(login.status, 303);
  const welcome = await browser.get('/');
  assert.match(String(welcome.body), /Welcome, Ada\./);
  assert.match(String(welcome.body), /Hello, Ada\. Count: 0/);
  assert.equal((await post('/count', { _csrf: tokenIn(welcome) })).status, 303);
  const counted = await browser.get('/');
  assert.match(String(counted.body), /Count: 1/);
  assert.doesNotMatch(String(counted.body), /Welcome/, 'the flash was shown once');
  const out = await post('/logout', { _csrf: tokenIn(counted) });
  assert.equal(out.status, 303);
  assert.equal(browser.jar.size, 0, 'logout deleted the cookie');
  assert.match(String((await browser.get('/')).body), /Log in/);
});
