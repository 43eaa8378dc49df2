// The LoginLimiter contract, run against every implementation (memory and Redis) by
// login-limiter.test.ts. Not a test file itself.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { LoginLimiter, LoginVerdict } from '../../src/app/login-limiter.js';

export interface LimiterCaseOptions {
  perUser: number;
  perIp: number;
  windowSeconds: number;
  now: () => number;
}

export interface LimiterCases {
  name: string;
  create(options: LimiterCaseOptions): LoginLimiter | Promise<LoginLimiter>;
}

function clock(start = 1_764_115_200_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

const OK: LoginVerdict = { ok: true };

export function runLimiterCases({ name, create }: LimiterCases): void {
  it(`${name}: counts each attempt and refuses the one past the user's limit, with the seconds left`, async () => {
    const c = clock();
    const limiter = await create({ perUser: 3, perIp: 100, windowSeconds: 60, now: c.now });
    for (let i = 0; i < 3; i++) assert.deepEqual(await limiter.take('demo', '192.0.2.1'), OK);
    assert.deepEqual(await limiter.take('demo', '192.0.2.2'), { ok: false, retryAfter: 60 });
    c.advance(30_500);
    assert.deepEqual(await limiter.take('demo', '192.0.2.3'), { ok: false, retryAfter: 30 });
    assert.deepEqual(await limiter.take('other', '192.0.2.1'), OK);
  });

  it(`${name}: refuses the attempt past the IP's limit, whatever the user names`, async () => {
    const c = clock();
    const limiter = await create({ perUser: 100, perIp: 3, windowSeconds: 60, now: c.now });
    for (let i = 0; i < 3; i++) assert.deepEqual(await limiter.take(`user${i}`, '198.51.100.7'), OK);
    assert.deepEqual(await limiter.take('user9', '198.51.100.7'), { ok: false, retryAfter: 60 });
    assert.deepEqual(await limiter.take('user9', '198.51.100.8'), OK);
  });

  it(`${name}: a refused attempt is not counted`, async () => {
    const c = clock();
    const limiter = await create({ perUser: 2, perIp: 100, windowSeconds: 60, now: c.now });
    await limiter.take('demo', 'ip');
    await limiter.take('demo', 'ip');
    for (let i = 0; i < 5; i++) assert.equal((await limiter.take('demo', 'ip')).ok, false);
    await limiter.refund('demo', 'ip');
    assert.deepEqual(await limiter.take('demo', 'ip'), OK);
  });

  it(`${name}: a refund takes one attempt back from the user and from the IP`, async () => {
    const c = clock();
    const limiter = await create({ perUser: 2, perIp: 2, windowSeconds: 60, now: c.now });
    await limiter.take('demo', 'ip');
    await limiter.take('demo', 'ip');
    await limiter.refund('demo', 'ip');
    assert.deepEqual(await limiter.take('demo', 'ip'), OK);
    assert.equal((await limiter.take('demo', 'ip2')).ok, false, 'the user is full again');
    assert.equal((await limiter.take('other', 'ip')).ok, false, 'the IP is full again');
  });

  it(`${name}: a refund never takes a count below zero`, async () => {
    const c = clock();
    const limiter = await create({ perUser: 1, perIp: 100, windowSeconds: 60, now: c.now });
    await limiter.refund('demo', 'ip');
    await limiter.refund('demo', 'ip');
    assert.deepEqual(await limiter.take('demo', 'ip'), OK);
    assert.equal((await limiter.take('demo', 'ip')).ok, false);
  });

  it(`${name}: a reset forgets the user's failures and takes back one for the IP`, async () => {
    const c = clock();
    const limiter = await create({ perUser: 3, perIp: 4, windowSeconds: 60, now: c.now });
    for (let i = 0; i < 3; i++) await limiter.take('demo', 'ip');
    await limiter.reset('demo', 'ip');
    // The user starts over (3 more); the IP had 3 of 4, less one: 2 more fit, the third does not.
    assert.deepEqual(await limiter.take('demo', 'ip'), OK);
    assert.deepEqual(await limiter.take('demo', 'ip'), OK);
    assert.deepEqual(await limiter.take('demo', 'ip'), { ok: false, retryAfter: 60 });
    assert.deepEqual(await limiter.take('demo', 'ip2'), OK);
  });

  it(`${name}: lets a user try again once the window has passed, by the injected clock`, async () => {
    const c = clock();
    const limiter = await create({ perUser: 1, perIp: 100, windowSeconds: 10, now: c.now });
    await limiter.take('demo', 'ip');
    c.advance(9_999);
    assert.deepEqual(await limiter.take('demo', 'ip'), { ok: false, retryAfter: 1 });
    c.advance(1);
    assert.deepEqual(await limiter.take('demo', 'ip'), OK);
  });

  it(`${name}: with both limits reached, the later window end decides the wait`, async () => {
    const c = clock();
    const limiter = await create({ perUser: 1, perIp: 2, windowSeconds: 60, now: c.now });
    await limiter.take('other', 'ip'); // the IP's window opens now
    c.advance(20_000);
    await limiter.take('demo', 'ip'); // the user's window opens 20 s later; the IP is now full
    assert.deepEqual(await limiter.take('demo', 'ip'), { ok: false, retryAfter: 60 });
    c.advance(40_000); // the IP's window has ended, the user's has 20 s left
    assert.deepEqual(await limiter.take('demo', 'ip'), { ok: false, retryAfter: 20 });
    assert.deepEqual(await limiter.take('third', 'ip'), OK);
  });
}
