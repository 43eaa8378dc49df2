import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveStoreOptions, timeoutReason, renewalDue, lifetime, revocationReason, revocationVerdict } from '../../src/session/core/store-options.js';
import { SessionError } from '../../src/errors.js';

const usage = (fragment: RegExp) => (err: unknown) => err instanceof SessionError && err.code === 'ERR_OPTIONS_INVALID' && err.kind === 'usage' && fragment.test(err.message);

test('defaults are __Host-, Secure, HttpOnly, SameSite=Lax, Path=/, 1 day idle, 7 days absolute', () => {
  const o = resolveStoreOptions({});
  assert.equal(o.prefix, '__Host-');
  assert.deepEqual(o.attributes, { path: '/', secure: true, httpOnly: true, sameSite: 'Lax' });
  assert.equal(o.idleTimeout, 86_400);
  assert.equal(o.absoluteTimeout, 604_800);
  assert.equal(o.renewAfter, 0.1);
  assert.equal(o.maxAge, undefined);
  assert.equal(o.now, Date.now);
});

test('development over http://localhost works with an explicit prefix: "" and secure: false', () => {
  const o = resolveStoreOptions({ cookie: { prefix: '', secure: false } });
  assert.equal(o.prefix, '');
  assert.equal(o.attributes.secure, false);
});

test('keeps domain and partitioned when allowed', () => {
  const o = resolveStoreOptions({ cookie: { prefix: '__Secure-', domain: 'example.com', partitioned: true, sameSite: 'None', maxAge: 60 } });
  assert.equal(o.attributes.domain, 'example.com');
  assert.equal(o.attributes.partitioned, true);
  assert.equal(o.maxAge, 60);
});

test('rejects combinations a browser would silently drop, saying how to fix them', () => {
  assert.throws(() => resolveStoreOptions({ cookie: { secure: false } }), usage(/prefix: '', secure: false/));
  assert.throws(() => resolveStoreOptions({ cookie: { prefix: '__Secure-', secure: false } }), usage(/__Secure-/));
  assert.throws(() => resolveStoreOptions({ cookie: { domain: 'example.com' } }), usage(/__Secure-/));
  assert.throws(() => resolveStoreOptions({ cookie: { path: '/app' } }), usage(/path must be '\/'/));
  assert.throws(() => resolveStoreOptions({ cookie: { prefix: '', path: 'app' } }), usage(/start with/));
  assert.throws(() => resolveStoreOptions({ cookie: { prefix: '', secure: false, sameSite: 'None' } }), usage(/sameSite/));
  assert.throws(() => resolveStoreOptions({ cookie: { prefix: '', secure: false, partitioned: true } }), usage(/partitioned/));
  assert.throws(() => resolveStoreOptions({ cookie: { prefix: 'x' as '' } }), usage(/prefix/));
  assert.throws(() => resolveStoreOptions({ cookie: { maxAge: 0 } }), usage(/destroy/));
  assert.throws(() => resolveStoreOptions({ idleTimeout: 0 }), usage(/idleTimeout/));
  assert.throws(() => resolveStoreOptions({ absoluteTimeout: Number.POSITIVE_INFINITY }), usage(/absoluteTimeout/));
  assert.throws(() => resolveStoreOptions({ absoluteTimeout: 401 * 86_400 }), usage(/400 days/));
  assert.throws(() => resolveStoreOptions({ idleTimeout: 1.5 }), usage(/whole number/));
  assert.throws(() => resolveStoreOptions({ renewAfter: 2 }), usage(/renewAfter/));
});

test('a refused value given as a string is shown in quotes, so "1800" does not read as a valid 1800', () => {
  assert.throws(() => resolveStoreOptions({ idleTimeout: '1800' as unknown as number }), usage(/\(got "1800"\)\.$/));
  assert.throws(() => resolveStoreOptions({ idleTimeout: 1.5 }), usage(/\(got 1\.5\)\.$/));
  assert.throws(() => resolveStoreOptions({ renewAfter: '0.5' as unknown as number }), usage(/\(got "0\.5"\)\.$/));
  assert.throws(() => resolveStoreOptions({ cookie: { maxAge: '60' as unknown as number } }), usage(/\(got "60"\)\. To delete/));
});

test('timeouts: absolute counts from creation, idle from the last write', () => {
  const o = resolveStoreOptions({ idleTimeout: 100, absoluteTimeout: 1000 });
  assert.equal(timeoutReason(o, 0, 0, 99), undefined);
  assert.equal(timeoutReason(o, 0, 0, 100), 'ERR_SESSION_IDLE_TIMEOUT');
  assert.equal(timeoutReason(o, 0, 950, 999), undefined);
  assert.equal(timeoutReason(o, 0, 950, 1000), 'ERR_SESSION_ABSOLUTE_TIMEOUT');
});

test('renewal is due once a fraction of the idle window has passed', () => {
  const o = resolveStoreOptions({ idleTimeout: 100, renewAfter: 0.25 });
  assert.equal(renewalDue(o, 0, 24), false);
  assert.equal(renewalDue(o, 0, 25), true);
});

test('lifetime is capped by the absolute timeout and never below one second', () => {
  const o = resolveStoreOptions({ idleTimeout: 100, absoluteTimeout: 1000 });
  assert.equal(lifetime(o, 0, 10), 100);
  assert.equal(lifetime(o, 0, 950), 50);
  assert.equal(lifetime(o, 0, 2000), 1);
});

test('revocation hooks, synchronous and asynchronous', async () => {
  const info = { id: 'a', subject: 'u1', createdAt: 1000 };
  assert.equal(await revocationReason(resolveStoreOptions({}), info), undefined);
  assert.equal(await revocationReason(resolveStoreOptions({ isRevoked: () => true }), info), 'ERR_SESSION_REVOKED');
  assert.equal(await revocationReason(resolveStoreOptions({ isRevoked: async () => true }), info), 'ERR_SESSION_REVOKED');
  assert.equal(await revocationReason(resolveStoreOptions({ isRevoked: async () => false }), info), undefined);
  assert.equal(await revocationReason(resolveStoreOptions({ notValidBefore: () => 1001 }), info), 'ERR_SESSION_REVOKED');
  assert.equal(await revocationReason(resolveStoreOptions({ notValidBefore: async () => 1000 }), info), undefined);
  assert.equal(await revocationReason(resolveStoreOptions({ notValidBefore: () => undefined }), info), undefined);
  assert.equal(await revocationReason(resolveStoreOptions({ notValidBefore: () => 5000 }), { ...info, subject: undefined }), undefined);
});

test('revocationVerdict answers synchronous hooks at once, and asynchronous ones with a promise of the same verdict', async () => {
  const info = { id: 'x', subject: 'ada', createdAt: 1000 };
  const verdict = (options: Parameters<typeof resolveStoreOptions>[0]) => revocationVerdict(resolveStoreOptions(options), info);
  // Plain values: a store can build the session in the same turn.
  assert.equal(verdict({}), undefined);
  assert.equal(verdict({ isRevoked: () => true }), 'ERR_SESSION_REVOKED');
  assert.equal(verdict({ isRevoked: () => false }), undefined);
  assert.equal(verdict({ notValidBefore: () => 1001 }), 'ERR_SESSION_REVOKED');
  assert.equal(verdict({ notValidBefore: () => 1000 }), undefined);
  assert.equal(verdict({ isRevoked: () => false, notValidBefore: () => 1001 }), 'ERR_SESSION_REVOKED');
  // From JavaScript, a hook may answer null (a Map lookup `?? null`): no answer, and at once too.
  assert.equal(verdict({ isRevoked: () => null as unknown as boolean }), undefined);
  assert.equal(verdict({ notValidBefore: () => null as unknown as number }), undefined);
  // A hook that returns a promise makes the whole verdict a promise, each hook still consulted.
  for (const [options, expected] of [
    [{ isRevoked: async () => true }, 'ERR_SESSION_REVOKED'],
    [{ isRevoked: async () => false }, undefined],
    [{ isRevoked: async () => false, notValidBefore: () => 1001 }, 'ERR_SESSION_REVOKED'],
    [{ isRevoked: () => false, notValidBefore: async () => 1001 }, 'ERR_SESSION_REVOKED'],
    [{ isRevoked: async () => false, notValidBefore: async () => 999 }, undefined],
  ] as const) {
    const answer = verdict(options);
    assert.ok(answer instanceof Promise, JSON.stringify(expected));
    assert.equal(await answer, expected);
  }
});

test('a timeout of exactly 400 days is accepted, one second more is refused', () => {
  const max = 400 * 86_400;
  assert.equal(resolveStoreOptions({ idleTimeout: max, absoluteTimeout: max }).absoluteTimeout, max);
  assert.throws(() => resolveStoreOptions({ absoluteTimeout: max + 1 }), (err: unknown) => err instanceof SessionError && err.code === 'ERR_OPTIONS_INVALID');
});

test('an unknown cookie option is refused by a message that says it is a cookie option', () => {
  assert.throws(
    () => resolveStoreOptions({ cookie: { sameSit: 'Lax' } as never }),
    (err: unknown) => err instanceof SessionError && err.code === 'ERR_OPTIONS_UNKNOWN' && /^store option cookie: /.test(err.message) && /sameSit/.test(err.message),
  );
});

test('cookie.path must start with a slash: "/app" is kept and "app/" refused', () => {
  assert.equal(resolveStoreOptions({ cookie: { prefix: '__Secure-', path: '/app' } }).attributes.path, '/app');
  assert.throws(() => resolveStoreOptions({ cookie: { prefix: '__Secure-', path: 'app/' } }), (err: unknown) => err instanceof SessionError && err.code === 'ERR_OPTIONS_INVALID');
});

test('renewAfter takes both ends of 0..1 and refuses what lies outside', () => {
  assert.equal(resolveStoreOptions({ renewAfter: 0 }).renewAfter, 0);
  assert.equal(resolveStoreOptions({ renewAfter: 1 }).renewAfter, 1);
  for (const bad of [-0.1, 1.1, Number.NaN]) {
    assert.throws(() => resolveStoreOptions({ renewAfter: bad }), (err: unknown) => err instanceof SessionError && err.code === 'ERR_OPTIONS_INVALID');
  }
});

test('a cookie attribute the Set-Cookie serializer would refuse stops the construction, not every later write', () => {
  // Each was accepted here and then failed the first write (or the deletion of a bad cookie) with a 500.
  assert.throws(() => resolveStoreOptions({ cookie: { prefix: '', path: '/a;b' } }), usage(/path "\/a;b"/));
  assert.throws(() => resolveStoreOptions({ cookie: { prefix: '__Secure-', domain: 'x.com; Secure' } }), usage(/not a host name/));
  assert.throws(() => resolveStoreOptions({ cookie: { sameSite: 'Foo' as 'Lax' } }), usage(/sameSite must be one of/));
  assert.throws(() => resolveStoreOptions({ cookie: { prefix: '', secure: false, sameSite: 'none' as 'None' } }), usage(/None/));
  assert.throws(() => resolveStoreOptions({ cookie: { httpOnly: 'no' as unknown as boolean } }), usage(/httpOnly must be true or false/));
  assert.throws(() => resolveStoreOptions({ cookie: { secure: 'false' as unknown as boolean } }), usage(/secure must be true or false/));
  assert.throws(() => resolveStoreOptions({ cookie: { partitioned: 'yes' as unknown as boolean } }), usage(/partitioned must be true or false/));
});

test('a hook or clock that is not a function is refused at construction, not by a TypeError on a request', () => {
  assert.throws(() => resolveStoreOptions({ isRevoked: true as unknown as () => boolean }), usage(/isRevoked must be a function/));
  assert.throws(() => resolveStoreOptions({ notValidBefore: 5 as unknown as () => number }), usage(/notValidBefore must be a function/));
  assert.throws(() => resolveStoreOptions({ onDecodeError: 'log' as unknown as () => void }), usage(/onDecodeError must be a function/));
  assert.throws(() => resolveStoreOptions({ now: 5 as unknown as () => number }), usage(/now must be a function/));
});
