/**
 * Durations in words for people at a terminal: "expired 1 year 8 days ago" rather than
 * "expired 32251888534 ms ago", which nobody reads at a glance.
 * @module
 */

const UNITS: readonly (readonly [name: string, ms: number])[] = [
  ['year', 365 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

/**
 * The largest non-zero unit of `ms`, and the unit just below it when that one is not zero, rounded
 * down: precise enough to judge an expiry, short enough to read. A unit further down is never
 * named ("1 day", not "1 day 5 minutes"): it would be more precise than the rounding of the first.
 *
 * @example
 * ```ts
 * humanDuration(32_251_888_534); // '1 year 8 days'
 * humanDuration(90_000);         // '1 minute 30 seconds'
 * ```
 */
export function humanDuration(ms: number): string {
  let rest = Math.max(0, Math.floor(ms));
  if (rest < 1000) return 'less than a second';
  const words: string[] = [];
  for (const [name, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0 && words.length < 2) words.push(`${count} ${name}${count === 1 ? '' : 's'}`);
    else if (words.length > 0) break;
    rest -= count * size;
  }
  return words.join(' ');
}
