// The reference app with `sessionStore: 'redis'`, against a real redis-server (the harness in
// test/session/redis-server.ts): two devices of one user, the session list, ending a session from
// the other device, logout everywhere, and what happens while Redis is down.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from 'redis';
import { SESSION_ENDED, SESSION_IS_CURRENT, SESSION_NOT_FOUND } from '../../src/app/session-routes.js';
import { createCachetApp } from '../../src/app/create-app.js';
import { newStoredKey, rotateKeys } from '../../src/app/key-file.js';
import { RevocationList } from '../../src/app/revocations.js';
import { addUser } from '../../src/app/user-file.js';
import { SessionError } from '../../src/errors.js';
import { csrfFrom, TestBrowser, type Reply } from '../helpers/browser-client.js';
import { PASSWORD, startApp, WEAK, type Harness } from '../helpers/app-harness.js';
import { tempDir } from '../helpers/temp-dir.js';
import { RedisServer, redisSkipReason } from '../session/redis-server.js';

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
const SAFARI = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';
const CURL = 'curl/8.5.0';
const COOKIE = '__Host-session';
const VISITOR = '__Host-visitor';

async function connect(url: string) {
  // Fail fast while Redis is down (the app answers 503) instead of queueing until it is back.
  const client = createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy: () => 20 } });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
type Client = Awaited<ReturnType<typeof connect>>;

/** One browser on one device: its own cookie jar, and the same User-Agent on every request. */
class Device {
  readonly browser: TestBrowser;
  constructor(origin: string, readonly userAgent: string) {
    this.browser = new TestBrowser(origin);
  }
  get(path: string): Promise<Reply> {
    return this.browser.get(path, { 'user-agent': this.userAgent });
  }
  post(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Reply> {
    return this.browser.post(path, form, { 'user-agent': this.userAgent, ...headers });
  }
  async logIn(username = 'demo'): Promise<void> {
    const form = await this.get('/login');
    const res = await this.post('/login', { username, password: PASSWORD, _csrf: csrfFrom(form.body) });
    assert.equal(res.status, 303, `login of ${username}`);
    assert.equal(res.headers.get('location'), '/');
  }
}

/** The ids in the "End this session" forms of a home page: the other sessions, in list order. */
function endableIds(html: string): string[] {
  return [...html.matchAll(/action="\/sessions\/end"><input type="hidden" name="_csrf" value="[^"]*"><input type="hidden" name="id" value="([^"]+)">/g)].map((m) => m[1]!);
}

/** The device column of the session list, in order. */
function devices(html: string): string[] {
  const table = /<table class="sessions">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  return [...table.matchAll(/<tr(?: class="current")?><td>([^<]*)<\/td>/g)].map((m) => m[1]!);
}

/** The verdict /explain gives the visitor cookie: the first after its title (the signed example below has its own). */
function visitorVerdict(html: string): string | undefined {
  const at = html.indexOf('Your visitor cookie (sealed: nobody is signed in');
  assert.ok(at >= 0, 'the visitor cookie is explained');
  return /class="verdict">([^<]*)</.exec(html.slice(at))?.[1];
}

describe('the app with sessions in Redis', { skip: redisSkipReason ?? false }, () => {
  let server: RedisServer;
  let client: Client;
  before(async () => {
    server = await RedisServer.start();
    client = await connect(server.url);
  });
  after(async () => {
    if (client?.isOpen) client.destroy();
    await server?.close();
  });
  // Every app here uses the default key prefix and a user "demo": each test starts from an empty Redis.
  beforeEach(async () => {
    await client.flushDb();
  });

  const start = (options: Parameters<typeof startApp>[0] = {}): Promise<Harness> => startApp({ sessionStore: 'redis', redisClient: client, ...options });
  /** The app, with the demo user logged in on a laptop (Firefox) and on a phone (Safari). */
  const twoDevices = async (): Promise<{ h: Harness; laptop: Device; phone: Device }> => {
    const h = await start();
    const laptop = new Device(h.origin, FIREFOX);
    const phone = new Device(h.origin, SAFARI);
    await laptop.logIn();
    await phone.logIn();
    return { h, laptop, phone };
  };

  test('lists both devices of a user on the home page, described by their User-Agent, the current one marked', async () => {
    const h = await start();
    const laptop = new Device(h.origin, FIREFOX);
    const phone = new Device(h.origin, SAFARI);
    await laptop.logIn();
    h.clock.advance(60_000);
    await phone.logIn();
    h.clock.advance(60_000);

    const onLaptop = await laptop.get('/');
    assert.equal(onLaptop.status, 200);
    assert.match(onLaptop.body, /<h2>Your active sessions<\/h2>/);
    assert.match(onLaptop.body, /2 sessions are signed in as you/);
    // This device first, then the others.
    assert.deepEqual(devices(onLaptop.body), ['Firefox on Windows', 'Safari on iPhone']);
    assert.match(onLaptop.body, /<tr class="current"><td>Firefox on Windows<\/td><td><code>127\.0\.0\.1<\/code><\/td><td><time datetime="2025-11-26T00:00:00\.000Z">2025-11-26 00:00 UTC<\/time><\/td><td>now<\/td><td><strong>this device<\/strong>/);
    assert.match(onLaptop.body, /<td>Safari on iPhone<\/td><td><code>127\.0\.0\.1<\/code><\/td><td><time datetime="2025-11-26T00:01:00\.000Z">2025-11-26 00:01 UTC<\/time><\/td><td><time datetime="2025-11-26T00:01:00\.000Z">1 min ago /);
    assert.match(onLaptop.body, /The count lives on the server, in Redis/);
    assert.doesNotMatch(onLaptop.body, /Mozilla\/5\.0/, 'the raw User-Agent is never shown');
    const [phoneId] = endableIds(onLaptop.body);
    assert.equal(endableIds(onLaptop.body).length, 1, 'an end button for the other session only');

    const onPhone = await phone.get('/');
    assert.deepEqual(devices(onPhone.body), ['Safari on iPhone', 'Firefox on Windows']);
    assert.match(onPhone.body, /<tr class="current"><td>Safari on iPhone<\/td>/);
    const [laptopId] = endableIds(onPhone.body);
    assert.notEqual(phoneId, laptopId);
    assert.deepEqual((await client.keys('cachet:session:*')).sort(), [`cachet:session:${laptopId}`, `cachet:session:${phoneId}`].sort());
  });

  test('ending a session from the other device sends that device to /login on its next request', async () => {
    const { h, laptop, phone } = await twoDevices();
    assert.equal((await phone.get('/')).status, 200);

    const page = await laptop.get('/');
    const [phoneId] = endableIds(page.body);
    const end = await laptop.post('/sessions/end', { id: phoneId!, _csrf: csrfFrom(page.body) });
    assert.equal(end.status, 303);
    assert.equal(end.headers.get('location'), '/');

    const next = await phone.get('/');
    assert.equal(next.status, 303, 'the very next request of the ended session');
    assert.equal(next.headers.get('location'), '/login');
    const back = await laptop.get('/');
    assert.equal(back.status, 200, 'the device that ended it stays signed in');
    assert.ok(back.body.includes(SESSION_ENDED));
    assert.deepEqual(devices(back.body), ['Firefox on Windows']);
    assert.deepEqual(endableIds(back.body), []);
    assert.ok(h.logs.includes('session ended from another device'));
  });

  test('ending the id of another user\'s session ends nothing, and answers as for an id that never existed', async () => {
    const h = await start();
    await addUser(h.dir, 'mallory', PASSWORD, WEAK);
    const demo = new Device(h.origin, FIREFOX);
    const other = new Device(h.origin, CURL);
    await demo.logIn();
    await other.logIn('mallory');
    const mallorysPage = await other.get('/');
    assert.deepEqual(devices(mallorysPage.body), ['curl']);

    // Mallory's id, as demo could have learnt it: read from Redis (it is in no page demo sees).
    const [mallorysId] = await client.zRange('cachet:subject:mallory', 0, -1);
    assert.ok(mallorysId);
    const page = await demo.get('/');
    for (const id of [mallorysId, 'AAAAAAAAAAAAAAAAAAAAAA', '', '../../etc/passwd', 'x'.repeat(5000), '<script>']) {
      const res = await demo.post('/sessions/end', { id, _csrf: csrfFrom(page.body) });
      assert.equal(res.status, 303, JSON.stringify(id.slice(0, 20)));
      const after = await demo.get('/');
      assert.equal(after.status, 200);
      assert.ok(after.body.includes(SESSION_NOT_FOUND), JSON.stringify(id.slice(0, 20)));
    }
    assert.equal((await other.get('/')).status, 200, "mallory's session is untouched");
    assert.deepEqual(await client.zRange('cachet:subject:mallory', 0, -1), [mallorysId]);
  });

  test('the end form needs the CSRF token, and a same-site request', async () => {
    const { laptop, phone } = await twoDevices();
    const page = await laptop.get('/');
    const [phoneId] = endableIds(page.body);
    assert.equal((await laptop.post('/sessions/end', { id: phoneId! })).status, 403);
    assert.equal((await laptop.post('/sessions/end', { id: phoneId!, _csrf: 'forged' })).status, 403);
    // The phone's own token is the phone's: it does not end a session from the laptop's cookie.
    const phonePage = await phone.get('/');
    assert.equal((await laptop.post('/sessions/end', { id: phoneId!, _csrf: csrfFrom(phonePage.body) })).status, 403);
    assert.equal((await laptop.post('/sessions/end', { id: phoneId!, _csrf: csrfFrom(page.body) }, { 'sec-fetch-site': 'cross-site' })).status, 403);
    assert.equal((await phone.get('/')).status, 200, 'no refused form ended the phone');
  });

  test('a visitor who is not logged in is sent to /login, and the id they name stays', async () => {
    const h = await start();
    const laptop = new Device(h.origin, FIREFOX);
    await laptop.logIn();
    const [laptopId] = await client.zRange('cachet:subject:demo', 0, -1);
    const stranger = new Device(h.origin, CURL);
    const form = await stranger.get('/login');
    const res = await stranger.post('/sessions/end', { id: laptopId!, _csrf: csrfFrom(form.body) });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/login');
    assert.equal((await laptop.get('/')).status, 200);
  });

  test('the form naming the session that sends it does not end it: "Log out" does', async () => {
    const { laptop, phone } = await twoDevices();
    const [laptopId] = endableIds((await phone.get('/')).body);
    const page = await laptop.get('/');
    const res = await laptop.post('/sessions/end', { id: laptopId!, _csrf: csrfFrom(page.body) });
    assert.equal(res.status, 303);
    const again = await laptop.get('/');
    assert.equal(again.status, 200);
    assert.ok(again.body.includes(SESSION_IS_CURRENT.replace(/"/g, '&#34;')));
  });

  test('log out everywhere ends both devices, in Redis, without writing a revocation record', async () => {
    const { h, laptop, phone } = await twoDevices();
    const page = await laptop.get('/');
    const out = await laptop.post('/logout-everywhere', { _csrf: csrfFrom(page.body) });
    assert.equal(out.status, 303);
    assert.equal(out.headers.get('location'), '/login');
    const login = await laptop.get('/login');
    assert.match(login.body, /You have been logged out on every device\./);
    const phoneNext = await phone.get('/');
    assert.equal(phoneNext.status, 303);
    assert.equal(phoneNext.headers.get('location'), '/login');
    assert.deepEqual(await client.zRange('cachet:subject:demo', 0, -1), []);
    const revocations = join(h.dir, 'revocations.jsonl');
    assert.equal(existsSync(revocations) ? readFileSync(revocations, 'utf8') : '', '', 'the record was the session: nothing to remember');
  });

  test('logout deletes the session in Redis: a replayed copy of the cookie finds nothing, the other device stays', async () => {
    const { h, laptop, phone } = await twoDevices();
    const page = await laptop.get('/');
    const stolen = laptop.browser.jar.get(COOKIE)!;
    assert.equal((await laptop.post('/logout', { _csrf: csrfFrom(page.body) })).status, 303);
    const replay = new Device(h.origin, FIREFOX);
    replay.browser.jar.set(COOKIE, stolen);
    const res = await replay.get('/');
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/login');
    const onPhone = await phone.get('/');
    assert.equal(onPhone.status, 200);
    assert.deepEqual(devices(onPhone.body), ['Safari on iPhone']);
  });

  test('a user removed with "users remove" is signed out of the Redis sessions too, and their records go', async () => {
    const h = await start();
    const laptop = new Device(h.origin, FIREFOX);
    await laptop.logIn();
    assert.equal((await laptop.get('/')).status, 200);
    // What `users remove demo` writes, from another process: a "not valid before" for demo.
    h.clock.advance(1000);
    new RevocationList({ dir: h.dir, retainSeconds: 86_400, now: h.clock.now, watch: false }).revokeSubject('demo');
    // Past the list's refresh interval on the app's clock, so no file watcher is waited for.
    h.clock.advance(1000);
    const next = await laptop.get('/');
    assert.equal(next.status, 303);
    assert.equal(next.headers.get('location'), '/login');
    assert.deepEqual(await client.keys('cachet:session:*'), [], 'the refused session\'s record was deleted');
  });

  test('/explain shows the session cookie as a signed session id, and the lab traces it', async () => {
    const h = await start();
    const laptop = new Device(h.origin, FIREFOX);
    await laptop.logIn();
    const [id] = await client.zRange('cachet:subject:demo', 0, -1);
    const explain = await laptop.get('/explain');
    assert.equal(explain.status, 200);
    assert.match(explain.body, /Your session cookie \(a signed session id\)/);
    // The session's verdict is the page's first: the signed example after it is valid on every page.
    assert.equal(/class="verdict">([^<]*)</.exec(explain.body)?.[1], 'valid');
    assert.ok(explain.body.includes(`&#34;sessionId&#34;: &#34;${id}&#34;`), 'the payload is the id the record is stored under');
    assert.match(laptop.browser.jar.get(COOKIE)!, /^1m\./);
    const lab = await laptop.get('/explain/lab');
    assert.equal(lab.status, 200);
    assert.match(lab.body, /<p class="outcome ok">Accepted by the codec\. Key/);
  });

  test('a visitor who opens the login page leaves nothing in Redis: the form\'s CSRF secret is in a sealed visitor cookie', async () => {
    const h = await start();
    const visitors = [new Device(h.origin, FIREFOX), new Device(h.origin, SAFARI), new Device(h.origin, CURL)];
    for (const visitor of visitors) {
      const form = await visitor.get('/login');
      assert.equal(form.status, 200);
      assert.match(csrfFrom(form.body), /^[A-Za-z0-9_-]{20,}$/);
      assert.match(visitor.browser.jar.get(VISITOR)!, /^1s\./, 'sealed, like the cookie store\'s sessions');
      assert.equal(visitor.browser.jar.get(COOKIE), undefined);
      // The same form again: the secret came back from the cookie, not from Redis.
      const again = await visitor.get('/login');
      assert.equal(again.status, 200);
    }
    assert.equal(await client.dbSize(), 0, 'no key for any of them');
    // /explain takes the visitor cookie apart, as it does the session-id cookie once signed in.
    const explain = await visitors[0]!.get('/explain');
    assert.match(explain.body, /Your visitor cookie \(sealed: nobody is signed in/);
    // The visitor cookie's own verdict, not the signed example's further down (valid on every page).
    assert.equal(visitorVerdict(explain.body), 'valid');
    assert.doesNotMatch(explain.body, /class="verdict">refused</, 'the visitor cookie opens its own session');
    assert.doesNotMatch(explain.body, /no session cookie yet/);
  });

  test('after a key reload with a new primary, /explain opens a visitor cookie sealed under the new key', async () => {
    const h = await start();
    const visitor = new Device(h.origin, FIREFOX);
    const rotated = rotateKeys(h.keys);
    await h.built.setKeys(rotated);
    assert.equal((await visitor.get('/login')).status, 200);
    assert.match(visitor.browser.jar.get(VISITOR)!, new RegExp(`^1s\\.${rotated[0]!.id}\\.`), 'sealed under the new primary');
    const explain = await visitor.get('/explain');
    assert.equal(visitorVerdict(explain.body), 'valid', 'the explainer knows the key the store now seals with');
  });

  test('logging in swaps the visitor cookie for a session id, and logging out swaps it back with the goodbye flash', async () => {
    const h = await start();
    const laptop = new Device(h.origin, FIREFOX);
    await laptop.logIn();
    assert.equal(laptop.browser.jar.get(VISITOR), undefined, 'the visitor cookie is deleted at login');
    assert.match(laptop.browser.jar.get(COOKIE)!, /^1m\./);
    const [id] = await client.zRange('cachet:subject:demo', 0, -1);
    assert.deepEqual(await client.keys('cachet:session:*'), [`cachet:session:${id}`], 'one record: the signed-in session');

    const home = await laptop.get('/');
    const out = await laptop.post('/logout', { _csrf: csrfFrom(home.body) });
    assert.equal(out.status, 303);
    assert.equal(laptop.browser.jar.get(COOKIE), undefined, 'the session-id cookie is deleted');
    assert.match(laptop.browser.jar.get(VISITOR)!, /^1s\./, 'the flash travels in a new visitor cookie');
    assert.deepEqual(await client.keys('cachet:session:*'), [], 'the record is gone');
    const page = await laptop.get('/login');
    assert.match(page.body, /You have been logged out\./);
    assert.equal(await client.dbSize(), 0, 'and the login page after it stores nothing');
  });

  test('a login from a browser that is already signed in gets a new session id, and the old id opens nothing', async () => {
    const h = await start();
    const laptop = new Device(h.origin, FIREFOX);
    await laptop.logIn();
    const before = laptop.browser.jar.get(COOKIE)!;
    const [oldId] = await client.zRange('cachet:subject:demo', 0, -1);
    const home = await laptop.get('/');
    const again = await laptop.post('/login', { username: 'demo', password: PASSWORD, _csrf: csrfFrom(home.body) });
    assert.equal(again.status, 303);
    assert.notEqual(laptop.browser.jar.get(COOKIE), before);
    assert.equal(await client.exists(`cachet:session:${oldId}`), 0, 'the old record is deleted');
    const replay = new Device(h.origin, FIREFOX);
    replay.browser.jar.set(COOKIE, before);
    const refused = await replay.get('/');
    assert.equal(refused.status, 303);
    assert.equal(refused.headers.get('location'), '/login');
  });

  test('a session-id cookie with no record behind it is treated as a visitor: the login form works and Redis stays empty', async () => {
    const h = await start();
    const laptop = new Device(h.origin, FIREFOX);
    await laptop.logIn();
    const stale = laptop.browser.jar.get(COOKIE)!;
    await client.flushDb(); // the record is gone: expired, evicted or ended elsewhere
    const returning = new Device(h.origin, FIREFOX);
    returning.browser.jar.set(COOKIE, stale);
    const form = await returning.get('/login');
    assert.equal(form.status, 200);
    assert.equal(await client.dbSize(), 0);
    // Authentic but dead: kept (deleting it could delete a newer cookie, docs/stores.md) and
    // refused on each request, which costs one Redis lookup; the login below replaces it.
    assert.equal(returning.browser.jar.get(COOKIE), stale, 'the dead id cookie is not deleted');
    assert.equal((await returning.get('/')).status, 303, 'and still refused: no session behind it');
    assert.match(returning.browser.jar.get(VISITOR)!, /^1s\./);
    const explain = await returning.get('/explain');
    assert.match(explain.body, /Your session cookie \(a signed session id\)/);
    assert.match(explain.body, /Verdict: <strong class="verdict">refused<\/strong>/, 'refused, though the visitor session it falls back to is not new');
    const login = await returning.post('/login', { username: 'demo', password: PASSWORD, _csrf: csrfFrom(form.body) });
    assert.equal(login.status, 303);
    assert.notEqual(returning.browser.jar.get(COOKIE), stale, 'a new id, not the old one');
    assert.equal((await returning.get('/')).status, 200);
  });

  test('two apps sharing a Redis under two prefixes keep apart: each lists only its own sessions of the same user', async () => {
    const one = await start();
    const two = await start({ redisOptions: { prefix: 'two:' } });
    const onOne = new Device(one.origin, FIREFOX);
    const onTwo = new Device(two.origin, SAFARI);
    await onOne.logIn();
    await onTwo.logIn();
    assert.deepEqual(devices((await onOne.get('/')).body), ['Firefox on Windows']);
    assert.deepEqual(devices((await onTwo.get('/')).body), ['Safari on iPhone']);
    assert.equal((await client.keys('two:session:*')).length, 1);
    assert.deepEqual(await client.keys('two:subject:*'), ['two:subject:demo']);
    assert.equal((await client.keys('cachet:session:*')).length, 1, 'the other app\'s session, under the default prefix');
  });

  test('answers 503 while Redis is down, and serves again once it is back, with no restart of the app', async () => {
    // A server of its own: this test kills it.
    const own = await RedisServer.start();
    const ownClient = await connect(own.url);
    try {
      const h = await start({ redisClient: ownClient });
      const laptop = new Device(h.origin, FIREFOX);
      await laptop.logIn();
      assert.equal((await laptop.get('/')).status, 200);

      await own.stop();
      // A visitor's login page needs no Redis (its session is the sealed visitor cookie); the
      // login itself, which writes a record, waits for Redis like every signed-in page.
      const phone = new Device(h.origin, SAFARI);
      const form = await phone.get('/login');
      assert.equal(form.status, 200);
      const login = await phone.post('/login', { username: 'demo', password: PASSWORD, _csrf: csrfFrom(form.body) });
      const down = [await laptop.get('/'), login, await laptop.post('/logout', { _csrf: 'x' })];
      for (const res of down) {
        assert.equal(res.status, 503);
        assert.equal(res.headers.get('retry-after'), '5');
        assert.doesNotMatch(res.body, /ERR_|Error|\bat \S+:\d+/, 'no code, message or stack trace in the answer');
      }

      assert.equal((await laptop.get('/healthz')).status, 200, 'the health check touches no session');

      const ready = new Promise<void>((resolve) => ownClient.once('ready', () => resolve()));
      await own.restart();
      await ready;
      // The server kept nothing (no persistence): the old cookie finds no record, as after a revocation.
      const back = await laptop.get('/');
      assert.equal(back.status, 303);
      assert.equal(back.headers.get('location'), '/login');
      await laptop.logIn();
      assert.equal((await laptop.get('/')).status, 200);
    } finally {
      if (ownClient.isOpen) ownClient.destroy();
      await own.close();
    }
  });
});

test('with the cookie store the home page has no session list and /sessions/end does not exist', async () => {
  const h = await startApp();
  const device = new Device(h.origin, FIREFOX);
  await device.logIn();
  const home = await device.get('/');
  assert.equal(home.status, 200);
  assert.doesNotMatch(home.body, /Your active sessions|sessions\/end/);
  assert.match(home.body, /The count lives in your session cookie, sealed with AES-256-GCM/);
  assert.equal((await device.post('/sessions/end', { id: 'AAAAAAAAAAAAAAAAAAAAAA', _csrf: csrfFrom(home.body) })).status, 404);
  assert.match(device.browser.jar.get(COOKIE)!, /^1s\./);
});

test('refuses sessionStore redis without a client, and a store kind it does not know, at start-up', async () => {
  const base = { dataDir: tempDir(), keys: [newStoredKey()], log: () => undefined, passwordHashOptions: WEAK };
  await assert.rejects(createCachetApp({ ...base, sessionStore: 'redis' }), (err: unknown) => {
    assert.ok(err instanceof SessionError);
    assert.equal(err.code, 'ERR_OPTIONS_INVALID');
    assert.equal(err.kind, 'usage');
    assert.match(err.message, /redisClient/);
    return true;
  });
  await assert.rejects(createCachetApp({ ...base, sessionStore: 'memcached' as 'redis' }), (err: unknown) => err instanceof SessionError && err.code === 'ERR_OPTIONS_INVALID');
});
