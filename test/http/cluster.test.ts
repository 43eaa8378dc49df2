import { test } from 'node:test';
import assert from 'node:assert/strict';
import { restartDelay } from '../../src/http/cluster.js';

test('replaces a worker that lived a while at once', () => {
  assert.equal(restartDelay(60_000, 0), 0);
  assert.equal(restartDelay(5_000, 6_400), 0);
});

test('backs off while workers keep dying young, up to 10 s', () => {
  const delays: number[] = [];
  let d = 0;
  for (let i = 0; i < 10; i++) delays.push((d = restartDelay(10, d)));
  assert.deepEqual(delays, [100, 200, 400, 800, 1_600, 3_200, 6_400, 10_000, 10_000, 10_000]);
});
