// The demo app (test/runtimes/app/: cachet/fetch's withSessions with CookieStore, sealed and
// signed, CSRF on) on one real runtime at a time, driven with real HTTP from Node: log in, count
// three times, log out; a tampered cookie gives a fresh session; cross-site and tokenless posts
// are refused. Issue 16, "Runtimes"; docs/compatibility.md, "Runtimes".
//
// Runs under `npm run test:runtimes` (scripts/runtimes.mjs), which runs this file once per
// runtime; elsewhere it is skipped with that reason.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKey } from '../../src/keys/generate.js';
import { inspectValue } from '../../src/codec/inspect.js';
import { cookieName, MODES, Visitor, type Mode } from './client.js';
import { runtimeTestSkip, runtimesFromEnv, startServer, type RunningServer } from './servers.js';

const skip = runtimeTestSkip();
const { secret } = generateKey('demo');

if (skip !== false) test('the demo app runs on each runtime', { skip }, () => {});

for (const runtime of runtimesFromEnv()) {
  describe(`${runtime.label} (${runtime.source})`, () => {
    let server: RunningServer | undefined;
    before(async () => {
      server = await startServer(runtime, secret);
    });
    after(async () => {
      await server?.stop();
    });
    const visitor = (): Visitor => new Visitor((server as RunningServer).origin);

    test('the demo says which runtime it runs on', async () => {
      const state = await visitor().state('sealed');
      assert.equal(state.runtime, runtime.reports);
    });

    for (const mode of MODES) {
      test(`logs in, counts three times and logs out with a ${mode} cookie`, async () => {
        const v = visitor();
        const fresh = await v.state(mode);
        assert.deepEqual({ user: fresh.user, count: fresh.count }, { user: null, count: 0 });

        await v.logIn(mode, 'Ada Lovelace');
        assertCookieIs(mode, v.jar.get(cookieName(mode)), 'Ada Lovelace');
        let state = await v.state(mode);
        assert.deepEqual({ user: state.user, count: state.count }, { user: 'Ada Lovelace', count: 0 });

        for (let n = 1; n <= 3; n++) {
          await v.count(mode);
          state = await v.state(mode);
          assert.equal(state.count, n);
        }
        const page = await v.get(`/${mode}/`);
        assert.match(page.body, /Hello, Ada Lovelace\. Count: 3\./);

        await v.logOut(mode);
        assert.equal(v.jar.get(cookieName(mode)), undefined);
        state = await v.state(mode);
        assert.deepEqual({ user: state.user, count: state.count }, { user: null, count: 0 });
      });

      test(`a tampered, garbled or oversized ${mode} cookie gives a fresh session, not an error`, async () => {
        const v = visitor();
        await v.logIn(mode, 'Ada Lovelace');
        const good = v.jar.get(cookieName(mode)) ?? assert.fail('no session cookie after login');
        for (const bad of [flip(good, Math.floor(good.length / 2)), 'garbage', `${good}.${'A'.repeat(3000)}`]) {
          v.jar.set(cookieName(mode), bad);
          const state = await v.state(mode); // asserts the 200
          assert.deepEqual({ user: state.user, count: state.count }, { user: null, count: 0 }, `cookie ${bad.slice(0, 40)}…`);
        }
        v.jar.set(cookieName(mode), good);
        assert.equal((await v.state(mode)).user, 'Ada Lovelace', 'the untouched cookie still opens');
      });

      test(`refuses a ${mode} post without the CSRF token, or from another site, and counts nothing`, async () => {
        const v = visitor();
        await v.logIn(mode, 'Ada Lovelace');
        const { csrf } = await v.state(mode);
        const path = `/${mode}/count`;

        const tokenless = await v.post(path, {});
        assert.equal(tokenless.status, 403);
        assert.match(tokenless.body, /invalid CSRF token/);
        const wrongToken = await v.post(path, { _csrf: flip(csrf, 50) });
        assert.equal(wrongToken.status, 403);
        const crossSite = await v.post(path, { _csrf: csrf }, { 'sec-fetch-site': 'cross-site' });
        assert.equal(crossSite.status, 403);
        assert.match(crossSite.body, /cross-site request/);
        const otherOrigin = await v.post(path, { _csrf: csrf }, { 'sec-fetch-site': '', origin: 'https://evil.example' });
        assert.equal(otherOrigin.status, 403);
        assert.match(otherOrigin.body, /cross-site request/);
        assert.equal((await v.state(mode)).count, 0);

        const allowed = await v.post(path, { _csrf: csrf });
        assert.equal(allowed.status, 303, 'the same post with the token and from the same origin passes');
        assert.equal((await v.state(mode)).count, 1);
      });
    }
  });
}

/** `text` with the character at `at` changed. */
function flip(text: string, at: number): string {
  return `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
}

/** The cookie is what its mode promises: sealed hides the data, signed shows it; both name the key. */
function assertCookieIs(mode: Mode, value: string | undefined, secretWord: string): void {
  assert.ok(value !== undefined, 'the login set the session cookie');
  const info = inspectValue(value);
  assert.equal(info.mode, mode);
  assert.equal(info.keyId, 'demo');
  const payload = info.parts.find((part) => part.label === 'payload')?.decoded;
  if (mode === 'signed') assert.match(String(payload), new RegExp(secretWord));
  else assert.ok(payload === undefined && !JSON.stringify(info).includes(secretWord.split(' ')[1] ?? secretWord), 'a sealed cookie shows nothing of the session');
}
