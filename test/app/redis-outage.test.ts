// The app when Redis fails: a real redis-server killed (SIGKILL, no persistence: it comes back
// empty) and restarted mid-test, and one instance cut off by a proxy while the others stay
// connected. Every wait is for an event (a connection lost or back, a message, a sync, a write).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newStoredKey } from '../../src/app/key-file.js';
import { verifyPassword } from '../../src/app/passwords.js';
import { csrfFrom, type Reply, TestBrowser } from '../helpers/browser-client.js';
import { PASSWORD } from '../helpers/app-harness.js';
import { RedisServer, redisSkipReason } from '../session/redis-server.js';
import { healthWithoutKeys, RedisProxy, shareCookies, startMember, type Member, whenDown, whenReady } from './redis-helpers.js';

let server: RedisServer;
let prefixes = 0;
const T0 = 1_764_115_200_000; // the harness clock's start: sessions are created at it
const DAY_MS = 86_400_000; // the default absolute timeout: a logged-out id is refused until T0 + it

async function login(browser: TestBrowser, username: string, password: string): Promise<Reply> {
  const csrf = csrfFrom((await browser.get('/login')).body);
  return browser.post('/login', { username, password, _csrf: csrf });
}

async function down(...members: Member[]): Promise<void> {
  await Promise.all(members.flatMap((m) => [whenDown(m.redis.client), whenDown(m.redis.subscriber)]));
}

describe('the app when Redis fails', { skip: redisSkipReason ?? false, timeout: 120_000 }, () => {
  before(async () => {
    server = await RedisServer.start();
  });
  after(() => server.close());

  it('while Redis is away: logins get 503 and no hash, pages still load, a logout holds at once and reaches B once Redis is back', async () => {
    const keys = [newStoredKey()];
    const prefix = `outage${prefixes++}:`;
    let hashes = 0;
    const counting = (password: string, stored: string) => (hashes++, verifyPassword(password, stored));
    const a = await startMember({ url: server.url, prefix, keys, verifyPassword: counting });
    const b = await startMember({ url: server.url, prefix, keys, verifyPassword: counting });
    const alice = a.h.browser();
    assert.equal((await login(alice, 'demo', PASSWORD)).status, 303);
    const onB = new TestBrowser(b.h.origin);
    shareCookies(alice, onB);
    const copyA = new TestBrowser(a.h.origin);
    shareCookies(alice, copyA);
    const hashesBefore = hashes;

    await server.stop();
    await down(a, b);
    let restarted = false;
    try {
      // The limiter fails closed: no guess is let through uncounted, and none costs a hash.
      const refused = await login(b.h.browser(), 'demo', PASSWORD);
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '5');
      assert.match(refused.body, /The server is busy/);
      assert.equal(hashes, hashesBefore);
      assert.ok(b.h.logs.some((l) => l.startsWith('login refused: the login limiter is unavailable')));
      assert.deepEqual(healthWithoutKeys((await b.h.browser().get('/healthz')).body), { status: 'ok', redis: 'down' });

      // Signed-in pages read the last synced revocations.
      assert.equal((await onB.get('/')).status, 200);
      assert.equal((await alice.get('/')).status, 200);

      // A logout: refused on A at once, the browser's cookie replaced either way.
      const home = await alice.get('/');
      const out = await alice.post('/logout', { _csrf: csrfFrom(home.body) });
      assert.equal(out.status, 303);
      assert.equal(out.headers.get('location'), '/login');
      assert.notEqual(alice.jar.get('__Host-session'), copyA.jar.get('__Host-session'), 'the browser got a fresh cookie');
      assert.equal((await copyA.get('/')).status, 303, 'a replayed copy is refused on A at once');
      assert.ok(a.h.logs.some((l) => /^redis: 1 revocation\(s\) queued/.test(l)), a.h.logs.join('\n'));
      // B has not heard of it: the documented bound while Redis is away.
      assert.equal((await onB.get('/')).status, 200);

      const [markA, markB] = [a.events.mark(), b.events.mark()];
      await server.restart();
      restarted = true;
      // A writes the queued record once it reconnects; B gets it as a message, or in the full
      // read of its own reconnect if that ran after A's write (any version from A's on has it).
      const written = await a.events.waitFor((e) => e.type === 'write' && e.error === undefined && e.waiting === 0, markA);
      const version = written.type === 'write' ? (written.version ?? Infinity) : Infinity;
      await b.events.waitFor((e) =>
        (e.type === 'message' && e.record.kind === 's' && e.record.time === T0 + DAY_MS) ||
        (e.type === 'synced' && e.full && e.version >= version), markB);
    } finally {
      if (!restarted) await server.restart();
    }
    assert.equal((await onB.get('/')).status, 303, 'B refuses the cookie once Redis is back');
    assert.ok(a.h.logs.includes('redis: queued revocations written'));

    // And the limiter counts again.
    await whenReady(b.redis.client);
    assert.equal((await login(b.h.browser(), 'demo', PASSWORD)).status, 303);
  });

  it('a Redis that hangs (connections open, nothing answered) shows as down on /healthz from the first failed sync, and up again once one works', async () => {
    // SIGSTOP: both connections stay "ready"; only the resync's timeout tells. /healthz said "up".
    const own = await RedisServer.start();
    try {
      // 1 s: short enough for the hung sync to fail within the test, long enough that a Redis
      // just woken on a loaded CI machine answers the next one.
      const a = await startMember({ url: own.url, prefix: `hang${prefixes++}:`, keys: [newStoredKey()], commandTimeoutMs: 1_000 });
      const health = async () => healthWithoutKeys((await a.h.browser().get('/healthz')).body);
      assert.deepEqual(await health(), { status: 'ok', redis: 'up' });
      own.pause();
      let from = a.events.mark();
      a.timers.fire('resync');
      await a.events.waitFor((e) => e.type === 'sync-failed', from);
      assert.equal(a.redis.client.isReady, true, 'the connection still looks ready');
      assert.deepEqual(await health(), { status: 'ok', redis: 'down' });
      own.resume();
      from = a.events.mark();
      while (a.timers.pending('resync') === 0) await new Promise((resolve) => setImmediate(resolve));
      a.timers.fire('resync');
      await a.events.waitFor((e) => e.type === 'synced', from);
      assert.deepEqual(await health(), { status: 'ok', redis: 'up' });
    } finally {
      own.resume();
      await own.close();
    }
  });

  it('an instance cut off from Redis applies, on reconnect, every revocation made elsewhere meanwhile', async () => {
    const keys = [newStoredKey()];
    const prefix = `outage${prefixes++}:`;
    const proxy = await RedisProxy.start(server.port);
    after(() => proxy.close());
    const a = await startMember({ url: server.url, prefix, keys });
    const b = await startMember({ url: proxy.url, prefix, keys });
    const bob = a.h.browser();
    assert.equal((await login(bob, 'demo', PASSWORD)).status, 303);
    const onB = new TestBrowser(b.h.origin);
    shareCookies(bob, onB);
    assert.equal((await onB.get('/')).status, 200);

    proxy.cut();
    await down(b);
    const home = await bob.get('/');
    assert.equal((await bob.post('/logout-everywhere', { _csrf: csrfFrom(home.body) })).status, 303);
    assert.equal((await onB.get('/')).status, 200, 'B, cut off, still has only its last sync');

    const mark = b.events.mark();
    proxy.heal();
    await b.events.waitFor((e) => e.type === 'synced' && e.full && e.reason === 'reconnect', mark);
    assert.equal((await onB.get('/')).status, 303, 'B applied what it missed');
    assert.ok(b.h.logs.some((l) => l.startsWith('redis: revocations synced in full after a reconnect')), b.h.logs.join('\n'));
  });
});
