// WriteQueue (src/app/redis/write-queue.ts) on its own: a write function whose every call waits
// until the test settles it, and timers that record their delay and run only when fired. No
// Redis and no clock: RedisRevocations' tests run the queue against a real redis-server.
import { afterEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { realSchedule, WriteQueue, type WriteQueueOptions } from '../../src/app/redis/write-queue.js';
import type { RevocationRecord } from '../../src/app/redis/revocation-scripts.js';

type Outcome = Parameters<WriteQueueOptions['report']>[0];

interface Call {
  records: RevocationRecord[];
  succeed(version: number): void;
  fail(error?: unknown): void;
}

/** A queue whose writes and timers the test drives. */
function harness(options: Partial<Pick<WriteQueueOptions, 'batch' | 'minDelayMs' | 'maxDelayMs' | 'expired'>> = {}) {
  const calls: Call[] = [];
  const reports: Outcome[] = [];
  const timers: { ms: number; run: () => void; cancelled: boolean }[] = [];
  const queue = new WriteQueue({
    write: (records) =>
      new Promise<number>((resolve, reject) => {
        calls.push({ records: [...records], succeed: resolve, fail: (error = new Error('Redis is away')) => reject(error) });
      }),
    expired: () => false,
    schedule: (run, ms, what) => {
      assert.equal(what, 'retry');
      const timer = { ms, run, cancelled: false };
      timers.push(timer);
      return () => void (timer.cancelled = true);
    },
    report: (outcome) => void reports.push(outcome),
    ...options,
  });
  const live = () => timers.filter((t) => !t.cancelled);
  return {
    queue,
    calls,
    reports,
    timers,
    live,
    /** Runs the one live retry timer (and forgets it, as a real timer that has fired). */
    fire(): void {
      const due = live();
      assert.equal(due.length, 1, 'one retry is scheduled');
      due[0]!.cancelled = true;
      due[0]!.run();
    },
  };
}

/** Lets the queue's awaits run (promises only: no timer, no clock). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const s = (member: string, time = 1000): RevocationRecord => ({ kind: 's', member, time });
const u = (member: string, time = 1000): RevocationRecord => ({ kind: 'u', member, time });

/** Fails the write in flight `attempts` times, firing each retry's timer; the delays it was given. */
async function retryDelays(h: ReturnType<typeof harness>, attempts: number): Promise<number[]> {
  const delays: number[] = [];
  for (let i = 0; i < attempts; i++) {
    await settle();
    h.calls.at(-1)!.fail();
    await settle();
    delays.push(h.live()[0]!.ms);
    h.fire();
  }
  return delays;
}

describe('WriteQueue', () => {
  it('backs off from 100 ms, doubling up to 5 s, and starts from 100 ms again after a success', async () => {
    const h = harness();
    const added = h.queue.add(s('a'));
    assert.deepEqual(await retryDelays(h, 8), [100, 200, 400, 800, 1600, 3200, 5000, 5000]);
    await settle();
    h.calls.at(-1)!.succeed(1);
    await added;
    void h.queue.add(s('b'));
    await settle();
    h.calls.at(-1)!.fail();
    await settle();
    assert.equal(h.live()[0]!.ms, 100, 'the backoff started over');
  });

  it('takes its first and longest delays from minDelayMs and maxDelayMs', async () => {
    const h = harness({ minDelayMs: 30, maxDelayMs: 100 });
    void h.queue.add(s('a'));
    assert.deepEqual(await retryDelays(h, 4), [30, 60, 100, 100]);
  });

  it('retries after the shortest delay again once told a connection is back', async () => {
    const h = harness();
    void h.queue.add(s('a'));
    for (let i = 0; i < 3; i++) {
      await settle();
      h.calls.at(-1)!.fail();
      await settle();
      h.fire();
    }
    await settle();
    h.queue.resetBackoff();
    h.calls.at(-1)!.fail();
    await settle();
    assert.equal(h.live()[0]!.ms, 100);
  });

  it('reports each failed attempt in a row by its number, and a success as attempt 0 with its version', async () => {
    const h = harness();
    void h.queue.add(s('a'));
    void h.queue.add(u('b'));
    await settle();
    const error = new Error('READONLY');
    h.calls[0]!.fail(error);
    await settle();
    h.fire();
    await settle();
    h.calls[1]!.fail(error);
    await settle();
    h.fire();
    await settle();
    h.calls[2]!.succeed(7);
    await settle();
    assert.deepEqual(h.reports, [
      { written: 0, waiting: 2, error, attempt: 1 },
      { written: 0, waiting: 2, error, attempt: 2 },
      { written: 2, waiting: 0, version: 7, attempt: 0 },
    ]);
    void h.queue.add(s('c'));
    await settle();
    h.calls[3]!.fail(error);
    await settle();
    assert.deepEqual(h.reports.at(-1), { written: 0, waiting: 1, error, attempt: 1 }, 'the count starts over after a success');
  });

  it('schedules one retry however many attempts fail before it fires', async () => {
    const h = harness();
    void h.queue.add(s('a'));
    await settle();
    h.calls[0]!.fail();
    await settle();
    void h.queue.add(s('b'));
    await settle();
    h.calls[1]!.fail();
    await settle();
    assert.equal(h.timers.length, 1);
    h.fire();
    await settle();
    h.calls[2]!.fail();
    await settle();
    assert.equal(h.live().length, 1, 'a retry that has fired makes way for the next');
  });

  it('schedules no retry once closed, and cancels the one pending', async () => {
    const h = harness();
    void h.queue.add(s('a'));
    await settle();
    h.calls[0]!.fail();
    await settle();
    assert.equal(h.live().length, 1);
    h.queue.close();
    assert.equal(h.live().length, 0, 'the pending retry is cancelled');
    const last = h.queue.flush();
    await settle();
    h.calls[1]!.fail();
    await last;
    assert.equal(h.timers.length, 1, 'no new retry');
    assert.equal(h.queue.size, 1, 'the record still waits: never dropped');
  });

  it('settles the promise add returns when the write fails, without rejecting', async () => {
    const h = harness();
    const added = h.queue.add(s('a'));
    await settle();
    h.calls[0]!.fail();
    assert.equal(await added, undefined);
    assert.equal(h.queue.size, 1);
  });

  it('runs one write at a time: a record added during a write goes in the next batch, and its promise waits for it', async () => {
    const h = harness();
    let firstDone = false;
    let secondDone = false;
    void h.queue.add(s('a')).then(() => (firstDone = true));
    await settle();
    void h.queue.add(s('b')).then(() => (secondDone = true));
    await settle();
    assert.equal(h.calls.length, 1, 'no second write while the first is in flight');
    h.calls[0]!.succeed(1);
    await settle();
    assert.equal(h.calls.length, 2);
    assert.deepEqual(h.calls[1]!.records, [s('b')]);
    assert.equal(secondDone, false, 'b is not written yet');
    h.calls[1]!.succeed(2);
    await settle();
    assert.equal(firstDone && secondDone, true);
    assert.equal(h.queue.size, 0);
  });

  it('starts a new flush for a record added after the last one ended', async () => {
    const h = harness();
    void h.queue.add(s('a'));
    await settle();
    h.calls[0]!.succeed(1);
    await settle();
    void h.queue.add(s('b'));
    await settle();
    assert.equal(h.calls.length, 2);
    assert.deepEqual(h.calls[1]!.records, [s('b')]);
  });

  it('keeps one record per id, with its largest time; a later time merged during its write stays queued, an equal or earlier one does not', async () => {
    const h = harness();
    h.queue.addAll([s('a', 10), s('a', 30), s('a', 20), u('a', 5)]);
    assert.equal(h.queue.size, 2, 'a session id and a user of the same name are two records');
    void h.queue.flush();
    await settle();
    assert.deepEqual(h.calls[0]!.records, [s('a', 30), u('a', 5)]);
    h.queue.addAll([s('a', 30), u('a', 4)]);
    h.calls[0]!.succeed(1);
    await settle();
    assert.equal(h.calls.length, 1, 'nothing newer came: nothing is written again');
    assert.equal(h.queue.size, 0);

    void h.queue.add(s('b', 10));
    await settle();
    h.queue.addAll([s('b', 11)]);
    h.calls[1]!.succeed(2);
    await settle();
    assert.deepEqual(h.calls[2]!.records, [s('b', 11)], 'the later time is written after the write in flight');
  });

  it('writes 500 records per batch by default, and batch records when told', async () => {
    const h = harness();
    h.queue.addAll(Array.from({ length: 1001 }, (_, i) => s(`id${i}`)));
    void h.queue.flush();
    for (let i = 0; i < 3; i++) {
      await settle();
      h.calls[i]!.succeed(i);
    }
    await settle();
    assert.deepEqual(h.calls.map((c) => c.records.length), [500, 500, 1]);

    const small = harness({ batch: 2 });
    small.queue.addAll([s('a'), s('b'), s('c')]);
    void small.queue.flush();
    for (let i = 0; i < 2; i++) {
      await settle();
      small.calls[i]!.succeed(i);
    }
    await settle();
    assert.deepEqual(small.calls.map((c) => c.records.map((r) => r.member)), [['a', 'b'], ['c']]);
  });

  it('drops the records Redis would drop anyway before each attempt, and writes nothing when none is left', async () => {
    const gone = new Set(['old']);
    const h = harness({ expired: (record) => gone.has(record.member) });
    h.queue.addAll([s('old'), s('new')]);
    void h.queue.flush();
    await settle();
    assert.deepEqual(h.calls[0]!.records, [s('new')]);
    h.calls[0]!.fail();
    await settle();
    gone.add('new');
    h.fire();
    await settle();
    assert.equal(h.calls.length, 1, 'nothing left to write');
    assert.equal(h.queue.size, 0);
    assert.equal(h.reports.length, 1, 'and nothing to report');
  });
});

describe('realSchedule', () => {
  afterEach(() => mock.restoreAll());

  it('sets a timer for the delay that does not keep the process alive, and cancels it', () => {
    const timer = { unref: mock.fn() };
    const set = mock.method(globalThis, 'setTimeout', () => timer);
    const clear = mock.method(globalThis, 'clearTimeout', () => undefined);
    const run = (): void => undefined;
    const cancel = realSchedule(run, 250, 'retry');
    assert.equal(set.mock.callCount(), 1);
    assert.deepEqual(set.mock.calls[0]!.arguments, [run, 250]);
    assert.equal(timer.unref.mock.callCount(), 1);
    assert.equal(clear.mock.callCount(), 0);
    cancel();
    assert.deepEqual(clear.mock.calls.map((c) => c.arguments), [[timer]]);
  });

  it('works where setTimeout answers a number, as in browsers', () => {
    mock.method(globalThis, 'setTimeout', () => 7);
    const clear = mock.method(globalThis, 'clearTimeout', () => undefined);
    const cancel = realSchedule(() => undefined, 250, 'resync');
    cancel();
    assert.deepEqual(clear.mock.calls.map((c) => c.arguments), [[7]]);
  });
});
