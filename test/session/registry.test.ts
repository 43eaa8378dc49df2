import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionRegistry } from '../../src/session/core/registry.js';
import { Session } from '../../src/session/core/session.js';
import type { BeforeSendHook, SessionContext, Store } from '../../src/session/core/types.js';
import '../../src/session/core/types.js'; // type-only module: loaded so coverage sees it

function fakeCtx() {
  const hooks: BeforeSendHook[] = [];
  const ctx: SessionContext = { cookies: {}, setCookie() {}, deleteCookie() {}, onBeforeSend: (h) => { hooks.push(h); } };
  return { ctx, hooks };
}
const store = {} as Store;

test('loads a name once per request and commits it once before send', async () => {
  const registry = new SessionRegistry();
  const { ctx, hooks } = fakeCtx();
  let loads = 0;
  const committed: string[] = [];
  const load = async () => { loads++; return new Session({ name: 'a', store, ctx, now: () => 0 }); };
  const commit = async (s: Session) => { committed.push(s.name); };
  const first = await registry.get(ctx, 'a', load, commit);
  const second = await registry.get(ctx, 'a', load, commit);
  assert.equal(first, second);
  assert.equal(loads, 1);
  await registry.get(ctx, 'b', async () => new Session({ name: 'b', store, ctx, now: () => 0 }), commit);
  assert.equal(hooks.length, 2);
  for (const h of hooks) await h();
  assert.deepEqual(committed, ['a', 'b']);
});

test('separate requests get separate sessions', async () => {
  const registry = new SessionRegistry();
  const one = fakeCtx().ctx;
  const two = fakeCtx().ctx;
  const load = (ctx: SessionContext) => async () => new Session({ name: 'a', store, ctx, now: () => 0 });
  const a = await registry.get(one, 'a', load(one), async () => {});
  const b = await registry.get(two, 'a', load(two), async () => {});
  assert.notEqual(a, b);
});

test('a failed load is reported to the caller and not committed', async () => {
  const registry = new SessionRegistry();
  const { ctx, hooks } = fakeCtx();
  let commits = 0;
  await assert.rejects(registry.get(ctx, 'a', async () => { throw new Error('store down'); }, async () => { commits++; }), /store down/);
  await hooks[0]?.();
  assert.equal(commits, 0);
});

test('a load that has the session at once hands it over, and its hook commits without waiting', async () => {
  const registry = new SessionRegistry();
  const { ctx, hooks } = fakeCtx();
  const session = new Session({ name: 'a', store, ctx, now: () => 0 });
  const committed: Session[] = [];
  const got = registry.get(ctx, 'a', () => session, (s) => { committed.push(s); });
  // Not awaited yet: the hook already knows the session, so it commits in the same tick.
  assert.equal(hooks[0]?.(), undefined);
  assert.deepEqual(committed, [session]);
  assert.equal(await got, session);
  assert.equal(await registry.get(ctx, 'a', () => { throw new Error('loaded twice'); }, () => {}), session);
});

test('a load that throws is a rejected get, as an async load would be, and nothing is committed', async () => {
  const registry = new SessionRegistry();
  const { ctx, hooks } = fakeCtx();
  let commits = 0;
  const got = registry.get(ctx, 'a', () => { throw new Error('bad state'); }, () => { commits++; });
  assert.ok(got instanceof Promise);
  await assert.rejects(got, /bad state/);
  await hooks[0]?.();
  assert.equal(commits, 0);
});
