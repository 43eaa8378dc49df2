import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HashGate, hashSlotsFor, poolSize, type HashTicket } from '../../src/app/hash-gate.js';

/** Which of `tickets` have become ready so far (after the microtasks settle). */
async function started(tickets: readonly HashTicket[]): Promise<boolean[]> {
  const flags = tickets.map(() => false);
  tickets.forEach((t, i) => void t.ready.then(() => (flags[i] = true)));
  await new Promise((resolve) => setImmediate(resolve));
  return flags;
}

test('runs at most maxInFlight hashes at once and starts queued ones first in, first out', async () => {
  const gate = new HashGate({ maxInFlight: 2, maxPerUser: 10, maxPerIp: 10 });
  const t = ['a', 'b', 'c', 'd'].map((user) => gate.enter(user, 'ip')!);
  assert.deepEqual(await started(t), [true, true, false, false]);
  assert.equal(gate.inFlight, 2);
  assert.equal(gate.queued, 2);
  t[1]!.release();
  assert.deepEqual(await started(t), [true, true, true, false]);
  t[0]!.release();
  assert.deepEqual(await started(t), [true, true, true, true]);
  t[2]!.release();
  t[3]!.release();
  assert.equal(gate.inFlight, 0);
});

test('caps hashes per user and per IP, and a capped client does not hold up another behind it', async () => {
  // maxInFlight leaves a slot free at the start, so that each cap, not the overall one, is what
  // holds demo2 and other3 back.
  const gate = new HashGate({ maxInFlight: 4, maxPerUser: 1, maxPerIp: 2 });
  const demo1 = gate.enter('demo', '10.0.0.1')!;
  const demo2 = gate.enter('demo', '10.0.0.2')!; // same user: waits
  const other1 = gate.enter('x', '10.0.0.9')!;
  const other2 = gate.enter('y', '10.0.0.9')!;
  const other3 = gate.enter('z', '10.0.0.9')!; // third from one IP: waits, though a slot is free
  const carol = gate.enter('carol', '10.0.0.3')!; // behind two capped clients: takes the free slot
  const dave = gate.enter('dave', '10.0.0.4')!; // overall cap reached: waits
  assert.deepEqual(await started([demo1, demo2, other1, other2, other3, carol, dave]), [true, false, true, true, false, true, false]);
  assert.equal(gate.inFlight, 4);
  other1.release();
  // One slot frees: demo2 is skipped (demo is still running), other3 is now under its IP's cap.
  assert.deepEqual(await started([demo2, other3, dave]), [false, true, false]);
  other2.release();
  // demo is still running, so demo2 is skipped and dave, behind it, runs.
  assert.deepEqual(await started([demo2, dave]), [false, true]);
  demo1.release();
  assert.deepEqual(await started([demo2]), [true]);
});

test('refuses at once, with no ticket, when the queue is full', () => {
  const gate = new HashGate({ maxInFlight: 1, maxQueue: 2, maxPerIp: 10 });
  assert.ok(gate.enter('a', 'ip'));
  assert.ok(gate.enter('b', 'ip'));
  assert.ok(gate.enter('c', 'ip'));
  assert.equal(gate.enter('d', 'ip'), undefined);
  assert.equal(gate.queued, 2);
});

test('drops a queued ticket released before its turn, and a second release changes nothing', async () => {
  const gate = new HashGate({ maxInFlight: 1, maxPerIp: 10 });
  const a = gate.enter('a', 'ip')!;
  const b = gate.enter('b', 'ip')!;
  const c = gate.enter('c', 'ip')!;
  b.release();
  assert.equal(gate.queued, 1);
  a.release();
  a.release();
  assert.deepEqual(await started([b, c]), [false, true]);
  assert.equal(gate.inFlight, 1);
});

test('gives hashing half of the thread pool and never all of it', () => {
  assert.equal(poolSize({}), 4);
  assert.equal(poolSize({ UV_THREADPOOL_SIZE: '8' }), 8);
  assert.equal(poolSize({ UV_THREADPOOL_SIZE: 'lots' }), 4);
  assert.equal(poolSize({ UV_THREADPOOL_SIZE: '0' }), 4);
  assert.equal(poolSize({ UV_THREADPOOL_SIZE: '5000' }), 1024);
  assert.equal(hashSlotsFor(4), 2);
  assert.equal(hashSlotsFor(8), 4);
  assert.equal(hashSlotsFor(2), 1);
  assert.equal(hashSlotsFor(1), 1);
  for (let pool = 2; pool <= 64; pool++) assert.ok(hashSlotsFor(pool) < pool, `pool ${pool}`);
});

test('refuses nonsensical gate options at construction', () => {
  assert.throws(() => new HashGate({ maxInFlight: 0 }), TypeError);
  assert.throws(() => new HashGate({ maxInFlight: 1, maxPerUser: 0 }), TypeError);
  assert.throws(() => new HashGate({ maxInFlight: 1, maxPerIp: 1.5 }), TypeError);
  assert.throws(() => new HashGate({ maxInFlight: 1, maxQueue: -1 }), TypeError);
});
