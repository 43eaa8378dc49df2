// The multi-instance test (issue #17): one real redis-server on a free loopback port, three
// reference-app processes (A, B, C) on their own ports, each with its own data directory (as
// separate machines), the same keys and users, the same Redis. A client goes round-robin across
// them, as a load balancer would.
//
// Under CI a missing redis-server fails the file instead of skipping it (test/session/redis-server.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newStoredKey, writeKeyFile } from '../../src/app/key-file.js';
import { addUser } from '../../src/app/user-file.js';
import { WEAK } from '../helpers/app-harness.js';
import { csrfFrom, type Reply } from '../helpers/browser-client.js';
import { RoundRobin, startFleet, type Instance, type RunningFleet } from '../helpers/fleet.js';
import { redisSkipReason, type RedisServer } from '../session/redis-server.js';

const SESSION = '__Host-session';
const PASSWORD = 'correct horse battery staple';

/** Seeds a data directory with one key and the users of the test (cheap hashes: the test is about the fleet). */
async function seedDir(dir: string, users: readonly string[]): Promise<void> {
  writeKeyFile(dir, [newStoredKey()]);
  for (const user of users) await addUser(dir, user, PASSWORD, WEAK);
}

function keysCli(dir: string, ...args: string[]): string {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/keys.ts', ...args], { env: { ...process.env, CACHET_DATA_DIR: dir, CACHET_KEYS: '' }, encoding: 'utf8' });
  assert.equal(result.status, 0, `keys ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

function keyIds(dir: string): { id: string; state?: string }[] {
  return (JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')) as { keys: { id: string; state?: string }[] }).keys;
}

/** Polls `check` until it holds: for outcomes whose timing is the network's (a reconnect's backoff), never for a result. */
async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function logIn(client: RoundRobin, user: string, password = PASSWORD): Promise<Reply> {
  const form = await client.get('/login');
  return client.post('/login', { username: user, password, _csrf: csrfFrom(form.body) });
}

function visits(reply: Reply): number {
  const match = /data-visits="(\d+)"/.exec(reply.body);
  assert.ok(match, `not the home page (status ${reply.status}, location ${reply.headers.get('location')})`);
  return Number(match[1]);
}

/** A browser that sends only `cookie` (a copy an attacker kept) to one instance: GET /login answers 303 to / while the session opens. */
async function replayOpens(instance: Instance, cookie: string): Promise<boolean> {
  const reply = await instance.browser().request('GET', '/login', { headers: { cookie: `${SESSION}=${cookie}` } });
  assert.ok(reply.status === 200 || reply.status === 303, `replay answered ${reply.status}`);
  return reply.status === 303;
}

describe('a fleet of three instances on one Redis', { skip: redisSkipReason, timeout: 300_000 }, () => {
  let running: RunningFleet;
  let redis: RedisServer;
  let fleet: Instance[];
  let seed: string;
  let A: Instance;
  let B: Instance;
  let C: Instance;

  before(async () => {
    running = await startFleet(['A', 'B', 'C'], (dir) => seedDir(dir, ['alice', 'bob', 'carol', 'dave']), (url) => ['--redis', url]);
    ({ redis, seed, instances: fleet } = running);
    [A, B, C] = fleet as [Instance, Instance, Instance];
  });
  after(() => running.stop());

  test('a login on A reads on B and C, and a visit counted on B is seen on C', async () => {
    const client = new RoundRobin(fleet);
    const login = await client.on(A).post('/login', { username: 'alice', password: PASSWORD, _csrf: csrfFrom((await client.on(A).get('/login')).body) });
    assert.equal(login.status, 303);
    assert.equal(login.headers.get('location'), '/');
    const onB = await client.on(B).get('/');
    const onC = await client.on(C).get('/');
    assert.equal(visits(onB), 1);
    assert.equal(visits(onC), 2);
  });

  test('a logout on B is refused on A and on C from the next request on', async () => {
    const client = new RoundRobin(fleet);
    assert.equal((await logIn(client, 'alice')).status, 303);
    visits(await client.get('/'));
    const copy = client.jar.get(SESSION)!;
    const home = await client.on(B).get('/');
    const out = await client.on(B).post('/logout', { _csrf: csrfFrom(home.body) });
    assert.equal(out.headers.get('location'), '/login');
    // B answered only after Redis took the revocation and published it, so the message is in A's and
    // C's sockets before this request is sent: refused at once, not eventually.
    assert.equal(await replayOpens(A, copy), false);
    assert.equal(await replayOpens(C, copy), false);
    assert.equal(await replayOpens(B, copy), false);
  });

  test('"log out everywhere" on C ends the sessions of the same user on two other clients', async () => {
    const phone = new RoundRobin(fleet);
    const laptop = new RoundRobin(fleet);
    const tablet = new RoundRobin(fleet);
    for (const client of [phone, laptop, tablet]) assert.equal((await logIn(client, 'dave')).status, 303);
    for (const client of [phone, laptop]) visits(await client.get('/'));
    const home = await tablet.on(C).get('/');
    const out = await tablet.on(C).post('/logout-everywhere', { _csrf: csrfFrom(home.body) });
    assert.equal(out.headers.get('location'), '/login');
    for (const client of [phone, laptop]) {
      for (const instance of fleet) {
        const reply = await client.on(instance).get('/');
        assert.equal(reply.status, 303, `${instance.name} still served dave's old session`);
        assert.equal(reply.headers.get('location'), '/login');
      }
    }
  });

  test('5 wrong passwords spread over A, B and C, and the 6th on any of them gets 429', async () => {
    const client = new RoundRobin(fleet);
    for (let i = 0; i < 5; i++) {
      const reply = await logIn(client, 'carol', 'not the password');
      assert.equal(reply.status, 401, `guess ${i + 1} on ${client.log.at(-1)?.instance}`);
    }
    assert.deepEqual(new Set(client.log.filter((r) => r.method === 'POST').map((r) => r.instance)), new Set(['A', 'B', 'C']));
    for (const instance of fleet) {
      const form = await client.on(instance).get('/login');
      const sixth = await client.on(instance).post('/login', { username: 'carol', password: PASSWORD, _csrf: csrfFrom(form.body) });
      assert.equal(sixth.status, 429, `the 6th guess on ${instance.name}`);
      assert.match(sixth.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/);
    }
  });

  test('a staged rotation with a rolling restart logs no browsing client out and answers no 5xx', async () => {
    const client = new RoundRobin(fleet);
    assert.equal((await logIn(client, 'bob')).status, 303);
    const [first] = keyIds(seed);
    let pendingId = '';
    let browsing = true;
    let views = 0;
    let viewed: () => void = () => {};
    const browse = (async () => {
      while (browsing) {
        const reply = await client.get('/');
        assert.equal(reply.status, 200, `view ${views} on ${client.log.at(-1)?.instance}: ${reply.status} ${reply.headers.get('location')}`);
        views++;
        viewed();
      }
    })();
    // A failed view fails the test where it is awaited, below; until then it must not count as unhandled.
    browse.catch(() => undefined);
    const nextViews = (n: number): Promise<void> => {
      const target = views + n;
      const reached = new Promise<void>((resolve) => {
        viewed = () => {
          if (views >= target) resolve();
        };
      });
      return Promise.race([reached, browse]);
    };
    const rollOut = async (): Promise<void> => {
      for (const instance of fleet) await instance.restartWithKeys(join(seed, 'keys.json'));
    };
    try {
      keysCli(seed, 'add');
      const pending = keyIds(seed).find((key) => key.state === 'pending');
      assert.ok(pending, 'keys add made a pending key');
      pendingId = pending.id;
      await rollOut();
      keysCli(seed, 'promote', pendingId);
      await rollOut();
      // Every instance now seals with the promoted key: the client's cookie has been re-issued under it.
      await nextViews(fleet.length);
      assert.ok(client.jar.get(SESSION)!.startsWith(`1s.${pendingId}.`), 'the cookie is sealed with the promoted key');
      keysCli(seed, 'retire', first!.id, '--force');
      await rollOut();
    } finally {
      browsing = false;
      await browse;
    }
    assert.ok(views >= 3 * fleet.length, `only ${views} views during the rollout`);
    for (const instance of fleet) {
      const health = JSON.parse((await instance.browser().get('/healthz')).body) as { keys: { id: string; state: string }[] };
      assert.deepEqual(health.keys, [{ id: pendingId, state: 'primary' }], `${instance.name}'s /healthz`);
    }
  });

  test('Redis killed mid-test: logins answer 503, logged-in pages still read, and a logout made meanwhile reaches every instance once it is back', async () => {
    const client = new RoundRobin(fleet);
    assert.equal((await logIn(client, 'alice')).status, 303);
    visits(await client.get('/'));
    const copy = client.jar.get(SESSION)!;
    await redis.stop();
    try {
      for (const instance of fleet) visits(await client.on(instance).get('/'));
      const stranger = new RoundRobin(fleet);
      for (const instance of fleet) {
        const form = await stranger.on(instance).get('/login');
        const refused = await stranger.on(instance).post('/login', { username: 'bob', password: PASSWORD, _csrf: csrfFrom(form.body) });
        assert.equal(refused.status, 503, `a login on ${instance.name} while Redis is away`);
        assert.match(refused.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/);
      }
      const home = await client.on(A).get('/');
      const out = await client.on(A).post('/logout', { _csrf: csrfFrom(home.body) });
      assert.equal(out.headers.get('location'), '/login');
      assert.notEqual(client.jar.get(SESSION), copy, "the browser's cookie is replaced either way");
      assert.equal(await replayOpens(A, copy), false, 'the instance that took the logout refuses the cookie at once');
    } finally {
      await redis.restart();
    }
    for (const instance of [B, C]) await eventually(async () => !(await replayOpens(instance, copy)), `${instance.name} refuses the cookie logged out on A during the outage`);
    const later = new RoundRobin(fleet);
    await eventually(async () => (await logIn(later, 'bob')).status === 303, 'logins work again');
  });
});

describe('a fleet with --session-store redis', { skip: redisSkipReason, timeout: 300_000 }, () => {
  let running: RunningFleet;
  let fleet: Instance[];

  before(async () => {
    running = await startFleet(['A', 'B', 'C'], (dir) => seedDir(dir, ['erin']), (url) => ['--redis', url, '--session-store', 'redis']);
    fleet = running.instances;
  });
  after(() => running.stop());

  test('the session list shows both devices, and ending one from the other takes effect on its next request', async () => {
    const laptop = new RoundRobin(fleet, { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0' });
    const phone = new RoundRobin(fleet, { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1' });
    assert.equal((await logIn(laptop, 'erin')).status, 303);
    assert.equal((await logIn(phone, 'erin')).status, 303);
    const page = await phone.get('/');
    assert.equal(page.status, 200);
    assert.match(page.body, /Firefox/);
    assert.match(page.body, /Safari/);
    const other = endFormFor(page.body);
    assert.equal((await laptop.get('/')).status, 200, 'the laptop reads before it is ended');
    const ended = await phone.post('/sessions/end', { ...other, _csrf: csrfFrom(page.body) });
    assert.equal(ended.status, 303);
    const next = await laptop.get('/');
    assert.equal(next.status, 303);
    assert.equal(next.headers.get('location'), '/login');
    assert.equal((await phone.get('/')).status, 200, 'the device that ended it stays signed in');
  });
});

/** The hidden fields of the one "end this session" form on the page (the other device's). */
function endFormFor(html: string): Record<string, string> {
  const forms = [...html.matchAll(/<form[^>]*action="\/sessions\/end"[^>]*>([\s\S]*?)<\/form>/g)];
  assert.equal(forms.length, 1, 'one other session to end');
  const fields: Record<string, string> = {};
  for (const [, name, value] of forms[0]![1]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) if (name !== '_csrf') fields[name!] = value!;
  return fields;
}
