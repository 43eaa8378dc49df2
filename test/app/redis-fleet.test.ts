// Three instances of the app (A, B, C) sharing one redis-server, each with its own data directory
// and connections, as three machines behind a load balancer would. Waits are for events the
// instances report; password checks are held by the test to decide how parallel logins interleave.
import { before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newStoredKey } from '../../src/app/key-file.js';
import { csrfFrom, type Reply, TestBrowser } from '../helpers/browser-client.js';
import { PASSWORD } from '../helpers/app-harness.js';
import { RedisServer, redisSkipReason } from '../session/redis-server.js';
import { healthWithoutKeys, shareCookies, startMember, type Member, type MemberOptions, until } from './redis-helpers.js';

let server: RedisServer;
let prefixes = 0;

async function fleet(n: number, options: Partial<MemberOptions> = {}): Promise<Member[]> {
  const keys = [newStoredKey()];
  const prefix = `fleet${prefixes++}:`;
  const members: Member[] = [];
  for (let i = 0; i < n; i++) members.push(await startMember({ url: server.url, prefix, keys, ...options }));
  return members;
}

async function login(browser: TestBrowser, username: string, password: string, headers?: Record<string, string>): Promise<Reply> {
  const csrf = csrfFrom((await browser.get('/login', headers)).body);
  return browser.post('/login', { username, password, _csrf: csrf }, headers);
}

/** A password check whose every call waits until the test releases it. */
function heldVerifier() {
  const held: { release: (matched: boolean) => void }[] = [];
  let calls = 0;
  const verify = (): Promise<boolean> => {
    calls++;
    return new Promise((resolve) => held.push({ release: resolve }));
  };
  return { verify, held, get calls() { return calls; } };
}

describe('the app on Redis, three instances', { skip: redisSkipReason ?? false, timeout: 120_000 }, () => {
  before(async () => {
    server = await RedisServer.start();
  });
  after(() => server.close());

  it('a logout on A is refused on B within one pub/sub hop', async () => {
    const [a, b] = (await fleet(2)) as [Member, Member];
    const viaA = a.h.browser();
    assert.equal((await login(viaA, 'demo', PASSWORD)).status, 303);
    const viaB = new TestBrowser(b.h.origin);
    shareCookies(viaA, viaB);
    assert.equal((await viaB.get('/')).status, 200, 'the session opens on B too (shared keys)');
    const stolen = new TestBrowser(b.h.origin);
    shareCookies(viaA, stolen); // a copy of the cookie, replayed later

    const mark = b.events.mark();
    const home = await viaA.get('/');
    const out = await viaA.post('/logout', { _csrf: csrfFrom(home.body) });
    assert.equal(out.status, 303);
    assert.equal(out.headers.get('location'), '/login');
    await b.events.waitFor((e) => e.type === 'message' && e.record.kind === 's', mark);

    const replay = await stolen.get('/');
    assert.equal(replay.status, 303, 'B refuses the logged-out cookie');
    assert.equal(replay.headers.get('location'), '/login');
  });

  it('"log out everywhere" on A ends the user\'s sessions that were opened on B and C', async () => {
    const [a, b, c] = (await fleet(3)) as [Member, Member, Member];
    const onB = b.h.browser();
    const onC = c.h.browser();
    assert.equal((await login(onB, 'demo', PASSWORD)).status, 303);
    assert.equal((await login(onC, 'demo', PASSWORD)).status, 303);
    a.h.clock.advance(1000); // the logout-everywhere time is after both sessions were created
    const onA = a.h.browser();
    assert.equal((await login(onA, 'demo', PASSWORD)).status, 303);
    const marks = [b.events.mark(), c.events.mark()];
    const home = await onA.get('/');
    assert.equal((await onA.post('/logout-everywhere', { _csrf: csrfFrom(home.body) })).status, 303);
    await b.events.waitFor((e) => e.type === 'message' && e.record.kind === 'u', marks[0]);
    await c.events.waitFor((e) => e.type === 'message' && e.record.kind === 'u', marks[1]);
    assert.equal((await onB.get('/')).status, 303);
    assert.equal((await onC.get('/')).status, 303);
  });

  it('5 wrong passwords spread over A, B and C, then 429 on every one, even for the right password', async () => {
    const members = await fleet(3);
    for (let i = 0; i < 5; i++) {
      const m = members[i % 3]!;
      assert.equal((await login(m.h.browser(), 'demo', `wrong ${i}`)).status, 401, `guess ${i + 1} on instance ${i % 3}`);
    }
    for (const m of members) {
      const reply = await login(m.h.browser(), 'demo', PASSWORD);
      assert.equal(reply.status, 429);
      assert.match(reply.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/);
    }
  });

  it('20 failed logins from one IP spread over A, B and C, then 429 for any user from that IP', async () => {
    const members = await fleet(3, { trustProxy: 1 });
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    for (let i = 0; i < 20; i++) {
      const m = members[i % 3]!;
      assert.equal((await login(m.h.browser(), `user${i}`, 'wrong', from('203.0.113.50'))).status, 401);
    }
    for (const m of members) assert.equal((await login(m.h.browser(), 'demo', PASSWORD, from('203.0.113.50'))).status, 429);
    assert.equal((await login(members[0]!.h.browser(), 'demo', PASSWORD, from('203.0.113.51'))).status, 303, 'another IP is not held back');
  });

  it('of 30 parallel wrong logins for one user spread over A, B and C, exactly 5 reach a password hash', async () => {
    const verifiers = [heldVerifier(), heldVerifier(), heldVerifier()];
    const keys = [newStoredKey()];
    const prefix = `fleet${prefixes++}:`;
    const members: Member[] = [];
    for (const v of verifiers) members.push(await startMember({ url: server.url, prefix, keys, verifyPassword: v.verify, loginLimits: { perUser: 5, perIp: 1000 } }));
    const browsers = members.map((m) => m.h.browser());
    const tokens = await Promise.all(browsers.map(async (b) => csrfFrom((await b.get('/login')).body)));
    const answered: Reply[] = [];
    const requests = Array.from({ length: 30 }, (_, i) =>
      browsers[i % 3]!.post('/login', { username: 'demo', password: `guess ${i}`, _csrf: tokens[i % 3]! }).then((r) => (answered.push(r), r)),
    );
    const admitted = (): number => members.reduce((n, m) => n + m.h.built.hashGate.inFlight + m.h.built.hashGate.queued, 0);
    await until(() => answered.length + admitted() === 30, 'every login answered or admitted to a hash');
    while (answered.length < 30) {
      await until(() => verifiers.some((v) => v.held.length > 0) || answered.length === 30, 'a check to release');
      for (const v of verifiers) v.held.shift()?.release(false);
    }
    const replies = await Promise.all(requests);
    assert.equal(verifiers.reduce((n, v) => n + v.calls, 0), 5);
    assert.equal(replies.filter((r) => r.status === 401).length, 5);
    assert.equal(replies.filter((r) => r.status === 429).length, 25);
  });

  it('a successful login on one instance takes back its count for the fleet', async () => {
    const members = await fleet(3, { loginLimits: { perUser: 2, perIp: 2 } });
    for (let i = 0; i < 4; i++) assert.equal((await login(members[i % 3]!.h.browser(), 'demo', PASSWORD)).status, 303);
    assert.equal((await login(members[1]!.h.browser(), 'demo', 'wrong')).status, 401);
    assert.equal((await login(members[2]!.h.browser(), 'demo', PASSWORD)).status, 303);
  });

  it('reports redis up on /healthz', async () => {
    const [a] = (await fleet(1)) as [Member];
    const health = await a.h.browser().get('/healthz');
    assert.deepEqual(healthWithoutKeys(health.body), { status: 'ok', redis: 'up' });
  });
});
