import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from '../../src/app/rate-limit.js';

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

test('blocks a key after the limit of failures and says how long to wait', () => {
  const c = clock();
  const limiter = new RateLimiter({ limit: 3, windowSeconds: 60, now: c.now });
  for (let i = 0; i < 3; i++) {
    assert.equal(limiter.retryAfter('demo'), 0);
    limiter.fail('demo');
  }
  assert.equal(limiter.retryAfter('demo'), 60);
  c.advance(30_500);
  assert.equal(limiter.retryAfter('demo'), 30);
  assert.equal(limiter.retryAfter('other'), 0);
});

test('lets a key try again once its window has passed', () => {
  const c = clock();
  const limiter = new RateLimiter({ limit: 1, windowSeconds: 10, now: c.now });
  limiter.fail('ip');
  assert.equal(limiter.retryAfter('ip'), 10);
  c.advance(10_000);
  assert.equal(limiter.retryAfter('ip'), 0);
  assert.equal(limiter.size, 0);
});

test('forgets a key on reset', () => {
  const limiter = new RateLimiter({ limit: 1, windowSeconds: 10 });
  limiter.fail('demo');
  limiter.reset('demo');
  assert.equal(limiter.retryAfter('demo'), 0);
});

test('never tracks more keys than its bound, dropping expired then oldest windows', () => {
  const c = clock();
  const limiter = new RateLimiter({ limit: 1, windowSeconds: 10, maxKeys: 20, now: c.now });
  for (let i = 0; i < 10; i++) limiter.fail(`old${i}`);
  c.advance(10_000);
  for (let i = 0; i < 500; i++) {
    limiter.fail(`k${i}`);
    assert.ok(limiter.size <= 20);
  }
  assert.equal(limiter.retryAfter('k499'), 10);
  assert.equal(limiter.retryAfter('k0'), 0);
});

test('refuses nonsensical options at construction', () => {
  assert.throws(() => new RateLimiter({ limit: 0, windowSeconds: 1 }), TypeError);
  assert.throws(() => new RateLimiter({ limit: 1, windowSeconds: 0 }), TypeError);
  assert.throws(() => new RateLimiter({ limit: 1, windowSeconds: 1, maxKeys: 0 }), TypeError);
});

test('takes back one counted failure on refund, never below zero', () => {
  const limiter = new RateLimiter({ limit: 2, windowSeconds: 10 });
  limiter.fail('demo');
  limiter.fail('demo');
  assert.ok(limiter.retryAfter('demo') > 0);
  limiter.refund('demo');
  assert.equal(limiter.retryAfter('demo'), 0);
  limiter.refund('demo');
  limiter.refund('demo');
  assert.equal(limiter.size, 0);
  limiter.fail('demo');
  assert.equal(limiter.retryAfter('demo'), 0);
});
