// Running an adapter page's complete app as the page prints it (docs/adapters/*.md): the
// `// app.ts` block copied out with its imports pointed at this checkout, and the walk through
// login, the counter and logout that every page's app must pass.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Browser, type Reply } from '../session/harness.js';

export const root = resolve(new URL('../..', import.meta.url).pathname);

/** The page's `// <file>` code block, with its imports resolved to this checkout. */
export function exampleSource(page: string, file: string, imports: Record<string, string>): string {
  const text = readFileSync(join(root, page), 'utf8');
  const start = text.indexOf('```ts\n// ' + file + '\n');
  assert.notEqual(start, -1, `${page} has a \`// ${file}\` block`);
  let block = text.slice(start + '```ts\n'.length, text.indexOf('```', start + 6));
  for (const [specifier, target] of Object.entries(imports)) {
    const from = `from '${specifier}';`;
    assert.ok(block.includes(from), `the block imports ${specifier}`);
    block = block.replaceAll(from, `from '${target}';`);
  }
  return block;
}

export function tokenIn(reply: Reply): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(String(reply.body))?.[1];
  assert.ok(token !== undefined, `a form with a token: ${String(reply.body)}`);
  return token;
}

/** Logs in, counts and logs out through the page's app at `url`, as a browser posting forms. */
export async function walkThrough(url: string): Promise<void> {
  const browser = new Browser(url);
  const SAME = { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' };
  const post = (path: string, fields: Record<string, string>) =>
    browser.request(path, { method: 'POST', headers: SAME, body: new URLSearchParams(fields).toString() });

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
}

