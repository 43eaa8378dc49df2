// TieredStore (src/app/tiered-store.ts) driven directly, against a real redis-server. Mostly its
// awaits: what must still hold when signIn() and signOut() resume after another request, or a key
// rotation, got in between. Each interleaving is decided by a promise the test releases (a Redis
// command held before it is sent or after it is answered, or a keyring swapped while a cookie is
// being opened), never by timing.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it, mock } from 'node:test';
import { createClient } from 'redis';
import { createAppStore, signedInSession, signedOutSession } from '../../src/app/app-store.js';
import type { AppSessionValues } from '../../src/app/session-values.js';
import { TieredStore, VISITOR_SESSION } from '../../src/app/tiered-store.js';
import { generateKey } from '../../src/keys/generate.js';
import { Keyring } from '../../src/keys/keyring.js';
import type { Session } from '../../src/session/core/session.js';
import { fake } from '../session/server-store-fixture.js';
import { RedisServer, redisSkipReason } from '../session/redis-server.js';
import { swapRingDuring } from '../helpers/ring-swap.js';

const COOKIE = '__Host-session';
const VISITOR = '__Host-visitor';
const PREFIX = 'races:';
const old = generateKey('old');
const fresh = generateKey('new');
const ringOld = await Keyring.create([old]);
const ringRotated = await Keyring.create([fresh, old]); // the new key seals, the old one still opens
const ringNewOnly = await Keyring.create([fresh]); // opens only what the new key sealed

type Client = Awaited<ReturnType<typeof connect>>;
async function connect(url: string) {
  const client = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/**
 * Holds the next call of `client[command]` until the test releases it: before the command is sent
 * (`'request'`), or after Redis has answered, with the answer kept from the caller (`'reply'`).
 */
function holdCommand(client: Client, command: 'get' | 'set' | 'del', hold: 'request' | 'reply') {
  const original = client[command] as (...args: unknown[]) => Promise<unknown>;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  let entered!: () => void;
  const started = new Promise<void>((resolve) => { entered = resolve; });
  let held = false;
  const m = mock.method(client, command, async function (this: unknown, ...args: unknown[]) {
    if (held) return original.apply(this, args);
    held = true;
    entered();
    if (hold === 'request') {
      await gate;
      return original.apply(this, args);
    }
    const reply = await original.apply(this, args);
    await gate;
    return reply;
  });
  return { started, release: () => { release(); }, restore: () => m.mock.restore() };
}

describe('TieredStore when another request or a key rotation lands inside its awaits', { skip: redisSkipReason ?? false }, () => {
  let server: RedisServer;
  let client: Client;
  let store: TieredStore;
  const storeOn = (keyring: Keyring) => {
    const made = createAppStore({ kind: 'redis', keyring, redisClient: client, cacheEntries: 100, redisPrefix: PREFIX, common: {} });
    assert.ok(made instanceof TieredStore);
    return made;
  };
  /** What a request carrying `cookies` sees: the signed-in session or the visitor's. */
  const open = async (cookies: Record<string, string>, on = store): Promise<Session<AppSessionValues>> => on.get(fake(cookies).ctx, 'session');
  const sessionKeys = () => client.keys(`${PREFIX}session:*`);

  before(async () => {
    server = await RedisServer.start();
    client = await connect(server.url);
  });
  after(async () => {
    if (client?.isOpen) client.destroy();
    await server?.close();
  });
  beforeEach(async () => {
    mock.restoreAll();
    await client.flushDb();
    store = storeOn(ringOld);
  });

  async function logIn(user: string, cookies: Record<string, string> = {}): Promise<{ cookie: string; id: string }> {
    const r = fake(cookies);
    const session = await signedInSession(store, r.ctx, 'session');
    session.subject = user;
    session.values = { user, visits: 0 };
    await r.send();
    const cookie = r.set.get(COOKIE);
    assert.ok(cookie, `the login of ${user} sets the id cookie`);
    return { cookie, id: session.id };
  }

  it('a login that has read the old session, and resumes after that session logged out elsewhere, gets a new record under a new id', async () => {
    const alice = await logIn('alice');
    const r1 = fake({ [COOKIE]: alice.cookie });
    // Redis has answered the login's read with alice's record; the answer is held back.
    const held = holdCommand(client, 'get', 'reply');
    const signingIn = store.signIn(r1.ctx, 'session');
    await held.started;

    // Another request of the same browser logs alice out while the login waits for Redis.
    held.restore();
    const r2 = fake({ [COOKIE]: alice.cookie });
    const ending = await store.get(r2.ctx, 'session');
    assert.equal(ending.subject, 'alice');
    await store.signOut(r2.ctx, ending);
    await r2.send();
    assert.deepEqual(await sessionKeys(), []);

    held.release();
    const bob = await signingIn;
    bob.subject = 'bob';
    bob.values = { user: 'bob', visits: 0 };
    await r1.send();

    assert.notEqual(bob.id, alice.id, 'the login regenerated after its await');
    const cookie = r1.set.get(COOKIE);
    assert.ok(cookie, 'the new id cookie is sent');
    const opened = await open({ [COOKIE]: cookie });
    assert.equal(opened.subject, 'bob');
    assert.deepEqual(await sessionKeys(), [`${PREFIX}session:${bob.id}`]);
    // alice's cookie opens nothing: her record went with the logout, and the login wrote none under her id.
    assert.equal((await open({ [COOKIE]: alice.cookie })).name, VISITOR_SESSION);
  });

  it('a page view whose write is held while its session logs out does not bring the session back', async () => {
    const alice = await logIn('alice');
    const view = fake({ [COOKIE]: alice.cookie });
    const session = await store.get(view.ctx, 'session');
    session.values.visits = 1;
    const held = holdCommand(client, 'set', 'request');
    const sending = view.send();
    await held.started;

    held.restore();
    const logout = fake({ [COOKIE]: alice.cookie });
    const next = await signedOutSession(store, logout.ctx, await store.get(logout.ctx, 'session'));
    next.addFlash('You have been logged out.');
    await logout.send();
    assert.equal(logout.set.get(COOKIE), '', 'the logout deletes the id cookie');

    held.release();
    await sending;
    assert.deepEqual(await sessionKeys(), [], 'the held write did not re-create the record');
    // The logout's deletion is what the browser needs; the page view stages nothing for the id
    // cookie, neither a renewal nor a deletion of its own (which, decided from the old id, could
    // delete a newer cookie: docs/stores.md).
    assert.equal(view.set.has(COOKIE), false, 'the page view stages nothing for the id cookie');
    assert.equal((await open({ [COOKIE]: alice.cookie })).name, VISITOR_SESSION);
    assert.deepEqual(await store.server.list('alice'), []);
  });

  it('a key rotation while a login opens the visitor cookie: the visitor cookie is deleted and the new session is signed with the new key', async () => {
    // Made by another instance, so that the login's store opens it (its cache has not seen it).
    const visit = fake();
    const visitor = await storeOn(ringOld).get(visit.ctx, 'session');
    assert.equal(visitor.name, VISITOR_SESSION);
    visitor.addFlash('hello');
    await visit.send();
    const visitorCookie = visit.set.get(VISITOR);
    assert.ok(visitorCookie);

    const login = fake({ [VISITOR]: visitorCookie });
    const swap = swapRingDuring(store, 'decode', [ringRotated]);
    const session = await store.signIn(login.ctx, 'session');
    // The first decode began under the old ring and the swap landed inside it: the load saw the
    // new ring when it resumed and opened the cookie again under it (the stores' rule, issue #13).
    assert.equal(swap.calls, 2, 'the visitor cookie was opened once under each ring');
    session.subject = 'bob';
    await login.send();
    mock.restoreAll();

    assert.equal(login.set.get(VISITOR), '', 'the visitor cookie is deleted');
    const cookie = login.set.get(COOKIE);
    assert.ok(cookie);
    assert.equal((await open({ [COOKIE]: cookie }, storeOn(ringNewOnly))).subject, 'bob');
  });

  it('a logout hands back an empty visitor session even when a visitor cookie from before the login is still sent', async () => {
    // The visitor cookie of a login form opened in another tab, sent again after the login.
    const visit = fake();
    const old = await store.get(visit.ctx, 'session');
    old.values.visits = 7;
    old.addFlash('from the other tab');
    await visit.send();
    const leftover = visit.set.get(VISITOR);
    assert.ok(leftover);
    const alice = await logIn('alice');

    const r = fake({ [COOKIE]: alice.cookie, [VISITOR]: leftover });
    const session = await store.get(r.ctx, 'session');
    assert.equal(session.subject, 'alice');
    const next = await store.signOut(r.ctx, session);
    assert.equal(next.name, VISITOR_SESSION);
    assert.deepEqual(next.values, {}, 'nothing of the leftover cookie carries over');
    assert.deepEqual(next.flashes(), []);
    next.addFlash('You have been logged out.');
    await r.send();
    const goodbye = await open({ [VISITOR]: r.set.get(VISITOR) ?? '' });
    assert.deepEqual(goodbye.values, {});
    assert.deepEqual(goodbye.flashes(), ['You have been logged out.']);
  });

  it('a logout of a browser that never signed in empties its visitor session and sends no command to Redis', async () => {
    const visit = fake();
    const visitor = await store.get(visit.ctx, 'session');
    visitor.values.visits = 3;
    await visit.send();
    const cookie = visit.set.get(VISITOR) ?? '';
    const sent = { count: 0 };
    for (const command of ['get', 'set', 'del', 'zAdd', 'zRem', 'zRange', 'zRemRangeByScore', 'pExpire'] as const) {
      const original = client[command] as (...args: unknown[]) => Promise<unknown>;
      mock.method(client, command, function (this: unknown, ...args: unknown[]) {
        sent.count++;
        return original.apply(this, args);
      });
    }
    const r = fake({ [VISITOR]: cookie });
    const session = await store.get(r.ctx, 'session');
    assert.equal(session.values.visits, 3);
    const next = await store.signOut(r.ctx, session);
    assert.equal(next, session, 'the same visitor session, started afresh');
    assert.deepEqual(next.values, {});
    next.addFlash('bye');
    await r.send();
    assert.equal(sent.count, 0);
    await store.server.list('nobody');
    assert.ok(sent.count > 0, 'the spy sees the store\'s commands');
    const after = await open({ [VISITOR]: r.set.get(VISITOR) ?? '' });
    assert.deepEqual([after.values, after.flashes()], [{}, ['bye']]);
  });

  it('a key rotation while a logout deletes the record: the goodbye flash is sealed with the new key', async () => {
    const alice = await logIn('alice');
    const r = fake({ [COOKIE]: alice.cookie });
    const session = await store.get(r.ctx, 'session');
    const held = holdCommand(client, 'del', 'request');
    const signingOut = store.signOut(r.ctx, session);
    await held.started;
    store.keyring = ringRotated;
    held.release();
    const next = await signingOut;
    next.addFlash('You have been logged out.');
    await r.send();

    assert.equal(r.set.get(COOKIE), '', 'the id cookie is deleted');
    assert.deepEqual(await sessionKeys(), []);
    const visitorCookie = r.set.get(VISITOR);
    assert.ok(visitorCookie);
    const goodbye = await open({ [VISITOR]: visitorCookie }, storeOn(ringNewOnly));
    assert.equal(goodbye.isNew, false, 'the new key alone opens the goodbye cookie');
    assert.deepEqual(goodbye.flashes(), ['You have been logged out.']);
  });
});
