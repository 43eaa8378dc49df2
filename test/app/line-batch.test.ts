import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { batchLines } from '../../src/app/line-batch.js';

function sink() {
  const writes: string[] = [];
  let exitHook: (() => void) | undefined;
  const batch = batchLines((text) => void writes.push(text), (flush) => (exitHook = flush));
  return { writes, batch, exit: () => exitHook?.() };
}

test('the lines of one event-loop turn go out in one write, after the turn, in order', async () => {
  const { writes, batch } = sink();
  batch.line('GET / 200 1.0ms a-1');
  batch.line('GET /login 200 0.8ms a-2');
  assert.deepEqual(writes, [], 'nothing is written during the turn');
  await nextTurn();
  assert.deepEqual(writes, ['GET / 200 1.0ms a-1\nGET /login 200 0.8ms a-2\n']);
  batch.line('POST /login 303 2.0ms a-3');
  await nextTurn();
  assert.deepEqual(writes, ['GET / 200 1.0ms a-1\nGET /login 200 0.8ms a-2\n', 'POST /login 303 2.0ms a-3\n']);
});

test('flush() writes what is queued at once, and nothing when nothing is', async () => {
  const { writes, batch } = sink();
  batch.flush();
  assert.deepEqual(writes, []);
  batch.line('cachet: listening on http://127.0.0.1:8080');
  batch.flush();
  assert.deepEqual(writes, ['cachet: listening on http://127.0.0.1:8080\n']);
  await nextTurn();
  assert.equal(writes.length, 1, 'the scheduled flush finds nothing left to write');
});

test('lines still queued when the process exits are written by the exit hook', () => {
  const { writes, batch, exit } = sink();
  batch.line('cachet: SIGTERM received: finished 3 requests in flight');
  exit();
  assert.deepEqual(writes, ['cachet: SIGTERM received: finished 3 requests in flight\n']);
});
