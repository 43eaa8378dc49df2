// POST /login with a limiter the test controls (no Redis needed): what the route does when the
// limiter answers late, refuses, or cannot answer at all, and when taking a count back fails.
// In process against src/, so the mutation run can use it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LoginLimiter, LoginVerdict } from '../../src/app/login-limiter.js';
import { csrfFrom, type TestBrowser } from '../helpers/browser-client.js';
import { PASSWORD, startApp } from '../helpers/app-harness.js';
import { verifyPassword } from '../../src/app/passwords.js';

/** A limiter that records its calls and answers as the test says. */
function scripted(take: (user: string, ip: string) => LoginVerdict | Promise<LoginVerdict>, overrides: Partial<LoginLimiter> = {}) {
  const calls: string[] = [];
  const limiter: LoginLimiter = {
    take: (user, ip) => (calls.push(`take ${user} ${ip}`), take(user, ip)),
    refund: (user, ip) => (calls.push(`refund ${user} ${ip}`), overrides.refund?.(user, ip)),
    reset: (user, ip) => (calls.push(`reset ${user} ${ip}`), overrides.reset?.(user, ip)),
  };
  return { limiter, calls };
}

function counting() {
  let calls = 0;
  return { verify: (p: string, s: string) => (calls++, verifyPassword(p, s)), get calls() { return calls; } };
}

async function login(browser: TestBrowser, username: string, password: string) {
  const csrf = csrfFrom((await browser.get('/login')).body);
  return browser.post('/login', { username, password, _csrf: csrf });
}

for (const [how, take] of [
  ['throws', () => { throw new Error('The client is offline'); }],
  ['rejects', () => Promise.reject(new Error('no answer from Redis within 2000 ms'))],
] as const) {
  test(`a limiter that ${how} (its backend away) gets 503 with Retry-After: 5 and the busy page, and no password hash`, async () => {
    const { limiter, calls } = scripted(take);
    const hashes = counting();
    const h = await startApp({ loginLimiter: limiter, verifyPassword: hashes.verify });
    const reply = await login(h.browser(), 'demo', PASSWORD);
    assert.equal(reply.status, 503);
    assert.equal(reply.headers.get('retry-after'), '5');
    assert.match(reply.body, /The server is busy\. Please try again in a moment\./);
    assert.equal(hashes.calls, 0);
    assert.deepEqual(calls, ['take demo 127.0.0.1'], 'nothing to take back: nothing was counted');
    const logged = h.logs.filter((l) => l.startsWith('login refused: the login limiter is unavailable'));
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, /\((The client is offline|no answer from Redis within 2000 ms)\)$/);
  });
}

test('an asynchronous refusal answers 429 with its Retry-After, before any hash', async () => {
  const { limiter } = scripted(async () => ({ ok: false, retryAfter: 42 }));
  const hashes = counting();
  const h = await startApp({ loginLimiter: limiter, verifyPassword: hashes.verify });
  const reply = await login(h.browser(), 'demo', PASSWORD);
  assert.equal(reply.status, 429);
  assert.equal(reply.headers.get('retry-after'), '42');
  assert.match(reply.body, /Too many failed attempts\. Try again in 42 seconds\./);
  assert.equal(hashes.calls, 0);
  assert.ok(h.logs.includes('login throttled (retry after 42s)'));
});

test('an asynchronous go-ahead lets the attempt through: a success resets, a failure takes nothing back', async () => {
  const { limiter, calls } = scripted(async () => ({ ok: true }));
  const h = await startApp({ loginLimiter: limiter });
  assert.equal((await login(h.browser(), 'demo', 'wrong password')).status, 401);
  assert.equal((await login(h.browser(), 'demo', PASSWORD)).status, 303);
  assert.deepEqual(calls, ['take demo 127.0.0.1', 'take demo 127.0.0.1', 'reset demo 127.0.0.1']);
});

test('the limiter counts the name as typed (cut to 128 characters) and the client IP', async () => {
  const { limiter, calls } = scripted(() => ({ ok: true }));
  const h = await startApp({ loginLimiter: limiter, trustProxy: 1 });
  const browser = h.browser();
  const csrf = csrfFrom((await browser.get('/login')).body);
  await browser.post('/login', { username: 'x'.repeat(200), password: 'pw', _csrf: csrf }, { 'x-forwarded-for': '198.51.100.9' });
  assert.deepEqual(calls, [`take ${'x'.repeat(128)} 198.51.100.9`]);
});

test('an IPv6 client is counted by its /64 network, an IPv4-mapped one by its IPv4 address', async () => {
  // One IPv6 host holds a whole /64: counted per address, each request could come from another.
  const { limiter, calls } = scripted(() => ({ ok: true }));
  const h = await startApp({ loginLimiter: limiter, trustProxy: 1 });
  const browser = h.browser();
  const csrf = csrfFrom((await browser.get('/login')).body);
  for (const address of ['2001:db8:0:7:1::1', '2001:DB8:0:7:ffff:1:2:3', '::ffff:198.51.100.9']) {
    await browser.post('/login', { username: 'demo', password: 'pw', _csrf: csrf }, { 'x-forwarded-for': address });
  }
  assert.deepEqual(calls, ['take demo 2001:db8:0:7::/64', 'take demo 2001:db8:0:7::/64', 'take demo 198.51.100.9']);
});

test('a reset that fails is logged, and the login still succeeds', async () => {
  const { limiter } = scripted(() => ({ ok: true }), { reset: () => Promise.reject(new Error('Socket closed unexpectedly')) });
  const h = await startApp({ loginLimiter: limiter });
  const browser = h.browser();
  assert.equal((await login(browser, 'demo', PASSWORD)).status, 303);
  assert.equal((await browser.get('/')).status, 200);
  assert.ok(h.logs.includes('login limiter reset failed (Socket closed unexpectedly); the count ends with its window'), h.logs.join('\n'));
});

test('past the hashing queue the count is taken back through the limiter, and a failed refund is only logged', async () => {
  const held: ((matched: boolean) => void)[] = [];
  const { limiter, calls } = scripted(() => ({ ok: true }), { refund: () => { throw new Error('The client is offline'); } });
  const h = await startApp({
    loginLimiter: limiter,
    verifyPassword: () => new Promise((resolve) => held.push(resolve)),
    loginLimits: { hashesInFlight: 1, hashesPerIp: 10, hashQueue: 0 },
  });
  const browser = h.browser();
  const csrf = csrfFrom((await browser.get('/login')).body);
  const first = browser.post('/login', { username: 'a', password: 'pw', _csrf: csrf });
  while (h.built.hashGate.inFlight === 0) await new Promise((resolve) => setImmediate(resolve));
  const second = await browser.post('/login', { username: 'b', password: 'pw', _csrf: csrf });
  assert.equal(second.status, 503);
  assert.equal(second.headers.get('retry-after'), '1');
  assert.ok(calls.includes('refund b 127.0.0.1'));
  assert.ok(h.logs.includes('login limiter refund failed (The client is offline); the count ends with its window'), h.logs.join('\n'));
  held.shift()?.(false);
  assert.equal((await first).status, 401);
});
