// createCachetApp's own wiring, seen from outside: the names in its option errors, where its log
// lines go by default, how a handler's error is logged, the exact Content-Security-Policy, and the
// explain page's hint. (The routes it mounts have their own files: routes.test.ts, lab.test.ts…)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCachetApp } from '../../src/app/create-app.js';
import { COUNTDOWN_SCRIPT } from '../../src/app/explain-page.js';
import { hashSource } from '../../src/app/html.js';
import { newStoredKey } from '../../src/app/key-file.js';
import { SessionError } from '../../src/errors.js';
import { csrfFrom, TestBrowser } from '../helpers/browser-client.js';
import { startApp, WEAK } from '../helpers/app-harness.js';
import { tempDir } from '../helpers/temp-dir.js';

test('names createCachetApp, or its loginLimits, in the error for an unknown option', async () => {
  const base = { dataDir: tempDir(), keys: [newStoredKey()], log: () => undefined, passwordHashOptions: WEAK };
  const refused = async (options: object, message: RegExp): Promise<void> => {
    await assert.rejects(createCachetApp(options as never), (err: unknown) => {
      assert.ok(err instanceof SessionError);
      assert.equal(err.code, 'ERR_OPTIONS_UNKNOWN');
      assert.match(err.message, message);
      return true;
    });
  };
  await refused({ ...base, idletimeout: 5 }, /^createCachetApp: unknown option "idletimeout" \(did you mean "idleTimeout"\?\)/);
  await refused({ ...base, loginLimits: { perUsr: 1 } }, /^createCachetApp loginLimits: unknown option "perUsr" \(did you mean "perUser"\?\)/);
});

test('with no log option, writes its log lines to standard output, one per line', async () => {
  const written: string[] = [];
  const write = process.stdout.write;
  // Replaced only while this app runs. The test runner's own report may be written meanwhile (for
  // the previous test): what is not one of the app's lines goes through.
  const appLine = /^(login failed|(GET|POST) \/login \d{3} [0-9.]+ms \S+)\n$/;
  process.stdout.write = function (this: NodeJS.WriteStream, chunk: string | Uint8Array, ...rest: unknown[]): boolean {
    if (typeof chunk === 'string' && appLine.test(chunk)) return written.push(chunk) > 0;
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof process.stdout.write;
  try {
    const built = await createCachetApp({ dataDir: tempDir(), keys: [newStoredKey()], passwordHashOptions: WEAK });
    const server = (await built.app.listen({ port: 0, host: '127.0.0.1' })) as Server;
    try {
      const browser = new TestBrowser(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      const form = await browser.get('/login');
      const res = await browser.post('/login', { username: 'demo', password: 'wrong', _csrf: csrfFrom(form.body) });
      assert.equal(res.status, 401);
    } finally {
      await built.app.close();
      await built.close();
    }
  } finally {
    process.stdout.write = write;
  }
  assert.ok(written.includes('login failed\n'), `no "login failed" line on stdout: ${JSON.stringify(written)}`);
  assert.ok(written.some((chunk) => /^GET \/login 200 [0-9.]+ms \S+\n$/.test(chunk)), 'an access line');
});

test('logs an error thrown by a handler as "request <id> failed: <message>", and answers a bare 500', async () => {
  const h = await startApp();
  let id = '';
  h.built.app.get('/boom', (ctx) => {
    id = ctx.requestId;
    throw new Error('the handler broke');
  });
  const res = await h.browser().get('/boom');
  assert.equal(res.status, 500);
  assert.doesNotMatch(res.body, /the handler broke/);
  assert.notEqual(id, '');
  assert.ok(h.logs.includes(`request ${id} failed: the handler broke`), JSON.stringify(h.logs));
});

test('sends every page the documented Content-Security-Policy, directive for directive', async () => {
  const h = await startApp();
  const script = await hashSource(COUNTDOWN_SCRIPT);
  const policy =
    `default-src 'none'; script-src ${script}; style-src 'self'; img-src 'self'; ` +
    "form-action 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
  for (const path of ['/login', '/explain', '/healthz']) {
    assert.equal((await h.browser().get(path)).headers.get('content-security-policy'), policy, path);
  }
});

test('the explain page\'s hint names the inspect command as npm run by default, and as npx when told', async () => {
  const byDefault = await startApp();
  assert.ok((await byDefault.browser().get('/explain')).body.includes('<code>npm run inspect -- VALUE</code>'));
  const installed = await startApp({ commands: 'npx' });
  assert.ok((await installed.browser().get('/explain')).body.includes('<code>npx cachet inspect VALUE</code>'));
});
