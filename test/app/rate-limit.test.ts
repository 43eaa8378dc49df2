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
  const limiter = new RateLimiter({ limit: 2, windowSeconds: 10, maxKeys: 20, now: c.now });
  for (let i = 0; i < 10; i++) limiter.fail(`old${i}`);
  c.advance(10_000);
  for (let i = 0; i < 500; i++) {
    limiter.fail(`k${i}`);
    assert.ok(limiter.size <= 20);
  }
  limiter.fail('k499');
  assert.equal(limiter.retryAfter('k499'), 10, 'the newest window kept both failures');
  limiter.fail('k0');
  assert.equal(limiter.retryAfter('k0'), 0, 'the oldest was dropped: one failure counted since');
});

test('a flood of failures under other keys never drops a blocked window', () => {
  // The attack: lock a user out, then send failures under thousands of other user names until
  // the table is full, so that the locked-out user's window is dropped and five guesses more
  // come free. Every blocked window outlives the flood.
  const c = clock();
  const limiter = new RateLimiter({ limit: 5, windowSeconds: 900, maxKeys: 100, now: c.now });
  for (let i = 0; i < 5; i++) {
    assert.equal(limiter.retryAfter('victim'), 0);
    limiter.fail('victim');
  }
  assert.equal(limiter.retryAfter('victim'), 900);
  for (let i = 0; i < 5_000; i++) {
    if (limiter.retryAfter(`filler${i}`) === 0) limiter.fail(`filler${i}`);
    assert.ok(limiter.size <= 100);
  }
  c.advance(1_000);
  assert.equal(limiter.retryAfter('victim'), 899, 'still blocked, with its own window');
});

test('when full, the windows with the fewest failures go first: one failure short of the limit outlives single failures', () => {
  const c = clock();
  const limiter = new RateLimiter({ limit: 5, windowSeconds: 900, maxKeys: 50, now: c.now });
  for (let i = 0; i < 4; i++) limiter.fail('victim');
  for (let i = 0; i < 3; i++) limiter.fail('two-behind');
  for (let i = 0; i < 1_000; i++) if (limiter.retryAfter(`filler${i}`) === 0) limiter.fail(`filler${i}`);
  limiter.fail('victim');
  assert.equal(limiter.retryAfter('victim'), 900, 'its four failures were kept: the fifth blocks it');
  for (let i = 0; i < 2; i++) limiter.fail('two-behind');
  assert.equal(limiter.retryAfter('two-behind'), 900, 'three failures were kept too');
});

test('a table full of blocked windows fails closed: a new key waits until the first window ends', () => {
  const c = clock();
  const limiter = new RateLimiter({ limit: 2, windowSeconds: 60, maxKeys: 10, now: c.now });
  for (let i = 0; i < 10; i++) {
    limiter.fail(`k${i}`);
    limiter.fail(`k${i}`);
    c.advance(1_000); // k0 ends first, at 60 s; k9 last
  }
  assert.equal(limiter.retryAfter('new'), 50, 'k0 ends in 50 s: no room before then');
  limiter.fail('new');
  assert.equal(limiter.size, 10, 'a failure it has no room for is not counted (retryAfter said wait)');
  for (let i = 0; i < 10; i++) assert.equal(limiter.retryAfter(`k${i}`), 50 + i, `k${i} kept`);
  c.advance(49_999);
  assert.equal(limiter.retryAfter('new'), 1);
  c.advance(1);
  assert.equal(limiter.retryAfter('new'), 0, 'k0 ended: its room is free');
  limiter.fail('new');
  assert.equal(limiter.retryAfter('k1'), 1, 'only the ended window made room');
});

test('a refund or a reset in a full table of blocked windows makes room at once', () => {
  const c = clock();
  const limiter = new RateLimiter({ limit: 2, windowSeconds: 60, maxKeys: 4, now: c.now });
  for (let i = 0; i < 4; i++) {
    limiter.fail(`k${i}`);
    limiter.fail(`k${i}`);
  }
  assert.equal(limiter.retryAfter('new'), 60);
  limiter.refund('k2');
  assert.equal(limiter.retryAfter('new'), 0, 'k2 is under its limit again, so it may be dropped');
  limiter.fail('new');
  assert.equal(limiter.retryAfter('new'), 0);
  limiter.fail('k2');
  assert.equal(limiter.retryAfter('k2'), 0, 'k2 was the window dropped: one failure since');
  limiter.fail('k2');
  assert.equal(limiter.retryAfter('other'), 60, 'full of blocked windows again');
  limiter.reset('k0');
  assert.equal(limiter.retryAfter('other'), 0, 'a reset frees its room');
  limiter.fail('other'); // takes it, with one failure: a window that may be dropped
  assert.equal(limiter.retryAfter('another'), 0, 'so a new key still finds room: the full table was not remembered past the reset');
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
  // One failure back, not the whole window: a refund that forgot the key would let each refund
  // reset the count, and the next failure would not block again.
  const three = new RateLimiter({ limit: 3, windowSeconds: 10 });
  for (let i = 0; i < 3; i++) three.fail('demo');
  assert.ok(three.retryAfter('demo') > 0);
  three.refund('demo');
  assert.equal(three.retryAfter('demo'), 0);
  three.fail('demo');
  assert.ok(three.retryAfter('demo') > 0, 'the two failures left and this one reach the limit');
  const again = new RateLimiter({ limit: 3, windowSeconds: 10 });
  again.fail('demo');
  again.fail('demo');
  again.refund('demo'); // one failure left
  again.fail('demo');
  again.fail('demo');
  assert.ok(again.retryAfter('demo') > 0, 'the failure left and these two reach the limit');
});

test('when full, drops windows that have ended (at their last millisecond) before any live one', () => {
  const c = clock();
  const limiter = new RateLimiter({ limit: 1, windowSeconds: 10, maxKeys: 10, now: c.now });
  for (let i = 0; i < 5; i++) limiter.fail(`old${i}`);
  c.advance(5_000);
  for (let i = 0; i < 5; i++) limiter.fail(`live${i}`);
  c.advance(5_000); // the old windows end exactly now; the live ones have 5 s left
  assert.equal(limiter.size, 10);
  limiter.fail('new');
  for (let i = 0; i < 5; i++) assert.equal(limiter.retryAfter(`live${i}`), 5, `live${i} kept`);
  assert.equal(limiter.retryAfter('new'), 10);
  assert.equal(limiter.size, 6);
});

test('when full of live windows, drops the oldest tenth, no more, and keeps the newest', () => {
  const c = clock();
  const limiter = new RateLimiter({ limit: 2, windowSeconds: 10, maxKeys: 20, now: c.now });
  for (let i = 0; i < 20; i++) limiter.fail(`k${i}`);
  limiter.fail('new');
  assert.equal(limiter.size, 19);
  // A second failure blocks a kept window and adds no key: the 19 kept are k2…k19 and 'new'.
  for (let i = 2; i < 20; i++) limiter.fail(`k${i}`);
  limiter.fail('new');
  assert.equal(limiter.size, 19);
  for (let i = 2; i < 20; i++) assert.equal(limiter.retryAfter(`k${i}`), 10, `k${i} kept`);
  assert.equal(limiter.retryAfter('new'), 10);
  assert.equal(limiter.retryAfter('k0'), 0, 'the oldest is forgotten');
  assert.equal(limiter.retryAfter('k1'), 0, 'and the second oldest (a tenth of 20)');
});

test('a refund of the only failure forgets the key', () => {
  const limiter = new RateLimiter({ limit: 3, windowSeconds: 10 });
  limiter.fail('demo');
  limiter.refund('demo');
  assert.equal(limiter.size, 0);
});

test('names the option it refuses, and takes the smallest values allowed', () => {
  assert.throws(() => new RateLimiter({ limit: 0, windowSeconds: 1 }), { message: 'RateLimiter: limit must be a positive integer' });
  assert.throws(() => new RateLimiter({ limit: 1, windowSeconds: 0 }), { message: 'RateLimiter: windowSeconds must be positive' });
  assert.throws(() => new RateLimiter({ limit: 1, windowSeconds: 1, maxKeys: 0 }), { message: 'RateLimiter: maxKeys must be a positive integer' });
  assert.throws(() => new RateLimiter({ limit: 1, windowSeconds: 1, bogus: 1 } as never), /RateLimiter/);
  const one = new RateLimiter({ limit: 1, windowSeconds: 1, maxKeys: 1 });
  one.fail('a');
  one.fail('b');
  assert.equal(one.size, 1);
  assert.equal(one.retryAfter('b'), 1);
});

test('when full and one ended window is swept, the room it leaves is enough: no live window is dropped', () => {
  const c = clock();
  const limiter = new RateLimiter({ limit: 2, windowSeconds: 10, maxKeys: 10, now: c.now });
  limiter.fail('old');
  c.advance(5_000);
  for (let i = 0; i < 9; i++) limiter.fail(`live${i}`);
  c.advance(5_000); // 'old' ends now; the nine live windows have 5 s left
  limiter.fail('new');
  assert.equal(limiter.size, 10);
  // A dropped window would forget its failure: the second one here would then not block.
  for (let i = 0; i < 9; i++) {
    limiter.fail(`live${i}`);
    assert.equal(limiter.retryAfter(`live${i}`), 5, `live${i} kept its first failure`);
  }
});

test('below its bound, a new key sweeps nothing: the sweep of every window waits until the table is full', () => {
  // The sweep walks every window; run for each new key, a flood of distinct keys would cost
  // quadratic time. Below the bound, an ended window stays until its key is looked up or the
  // table fills.
  const c = clock();
  const limiter = new RateLimiter({ limit: 1, windowSeconds: 10, maxKeys: 10, now: c.now });
  for (let i = 0; i < 5; i++) limiter.fail(`old${i}`);
  c.advance(10_000);
  limiter.fail('new');
  assert.equal(limiter.size, 6);
  assert.equal(limiter.retryAfter('old0'), 0);
  assert.equal(limiter.size, 5, 'a lookup forgets the ended window it finds');
});
