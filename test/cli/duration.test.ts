// humanDuration on its own: the CLI's inspect and keys commands print it, and their tests reach
// only a few values (test/cli/inspect.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration } from '../../src/cli/duration.js';

test('under a second, or a negative span, reads as less than a second', () => {
  for (const ms of [0, 1, 999, 999.9, -5_000]) assert.equal(humanDuration(ms), 'less than a second', String(ms));
  assert.equal(humanDuration(1000), '1 second');
});

test('names at most two units, the largest first, rounded down, with singular and plural', () => {
  const cases: [number, string][] = [
    [59_999, '59 seconds'],
    [60_000, '1 minute'],
    [90_000, '1 minute 30 seconds'],
    [2 * 86_400_000 + 3 * 3_600_000 + 4 * 60_000 + 5_000, '2 days 3 hours'],
    [32_251_888_534, '1 year 8 days'], // 373.3 days
    [2 * 365 * 86_400_000 + 86_400_000 + 1, '2 years 1 day'],
  ];
  for (const [ms, words] of cases) assert.equal(humanDuration(ms), words, String(ms));
});

test('the second unit named is the one just below the first: a zero there ends the words', () => {
  assert.equal(humanDuration(86_400_000 + 5 * 60_000), '1 day', 'no hours: the minutes are not named');
  assert.equal(humanDuration(3_600_000 + 7_000), '1 hour', 'no minutes: the seconds are not named');
  assert.equal(humanDuration(365 * 86_400_000 + 3 * 3_600_000), '1 year', 'no days: the hours are not named');
});
