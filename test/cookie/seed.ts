// The seed for this file's fast-check properties: FC_SEED=<n> replays a run. fast-check also
// prints the seed and path of any counterexample in the failure message.
import fc from 'fast-check';

export const seed = process.env['FC_SEED'] === undefined ? Math.floor(Math.random() * 0x7fffffff) : Number(process.env['FC_SEED']);
console.log(`fast-check seed ${seed} (replay with FC_SEED=${seed})`);

/** fc.assert with the printed seed. */
export function check<T>(property: fc.IProperty<T>, numRuns = 300): void {
  fc.assert(property, { seed, numRuns });
}
