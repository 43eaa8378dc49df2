// The cookie tests' fast-check runs use the shared fuzz seed (test/fuzz/seed.ts): FUZZ_SEED=<n>
// replays a run, FUZZ_RUNS=<n> lengthens it; a failure message names the seed to replay.
import type fc from 'fast-check';
import { fuzz } from '../fuzz/seed.js';

export { seed } from '../fuzz/seed.js';

/** fc.assert with the shared seed, and the seed in the failure message. */
export function check<T>(property: fc.IProperty<T>, numRuns = 300): void {
  fuzz(property, numRuns);
}
