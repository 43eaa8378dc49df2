// One key, every runtime: a cookie sealed (or signed) by the demo on one runtime opens on every
// other. One visitor's cookie jar goes from server to server: log in on the first runtime, then
// each runtime in turn counts once, and after each write every runtime (the writer included) must
// read the same user and count; the first runtime logs out and no runtime sees a user any more.
// The CSRF token travels too: each runtime checks a token the runtime before it masked.
//
// Runs under `npm run test:runtimes` (scripts/runtimes.mjs) with all the runtimes it fetched;
// elsewhere it is skipped with that reason.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKey } from '../../src/keys/generate.js';
import { cookieName, Jar, MODES, Visitor } from './client.js';
import { runtimeTestSkip, runtimesFromEnv, startServer, type RunningServer } from './servers.js';

const runtimes = runtimesFromEnv();
const skip = runtimeTestSkip() || (runtimes.length < 2 ? 'needs at least two runtimes' : false);
const { secret } = generateKey('demo');
const servers: RunningServer[] = [];

before(async () => {
  if (skip !== false) return;
  // One after the other: CI has 2 cores, and a runtime's start-up is the slow part of this file.
  for (const runtime of runtimes) servers.push(await startServer(runtime, secret));
});

after(async () => {
  await Promise.all(servers.map((server) => server.stop()));
});

for (const mode of MODES) {
  test(`a ${mode} cookie written on each runtime opens on every other`, { skip }, async () => {
    const jar = new Jar();
    const visitors = servers.map((server) => new Visitor(server.origin, jar));
    const [first] = visitors;
    assert.ok(first !== undefined);
    const user = 'Grace Hopper';

    await first.logIn(mode, user);
    // Every runtime reads exactly the cookie the writer left: a reader may add a CSRF token and
    // write its own, which is put aside.
    const expectEverywhere = async (count: number, writer: string): Promise<void> => {
      const written = jar.get(cookieName(mode)) ?? assert.fail(`${writer} left no session cookie`);
      for (const [i, reader] of visitors.entries()) {
        jar.set(cookieName(mode), written);
        const state = await reader.state(mode);
        const runtime = servers[i]?.runtime;
        assert.deepEqual(
          { runtime: state.runtime, user: state.user, count: state.count },
          { runtime: runtime?.reports, user, count },
          `written on ${writer}, read on ${runtime?.label}`,
        );
      }
      jar.set(cookieName(mode), written);
    };
    await expectEverywhere(0, servers[0]?.runtime.label ?? '');

    for (const [i, writer] of visitors.entries()) {
      // The token comes from the runtime before this one (masked there, checked here).
      const masker = visitors[(i + visitors.length - 1) % visitors.length] ?? writer;
      const { csrf } = await masker.state(mode);
      const reply = await writer.post(`/${mode}/count`, { _csrf: csrf });
      assert.equal(reply.status, 303, `count on ${servers[i]?.runtime.label} with a token from the runtime before it: ${reply.body}`);
      await expectEverywhere(i + 1, servers[i]?.runtime.label ?? '');
    }

    await first.logOut(mode);
    for (const [i, reader] of visitors.entries()) {
      const state = await reader.state(mode);
      assert.equal(state.user, null, `logged out on ${servers[0]?.runtime.label}, read on ${servers[i]?.runtime.label}`);
    }
  });
}
