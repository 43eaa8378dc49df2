// Seeded random comparison: the radix Router must agree exactly with the LinearRouter oracle on
// generated route tables (including the ones that throw) and generated requests.
// Reproduce a failure with FUZZ_SEED=<seed in the failure message> node scripts/run-tests.mjs random
// (FUZZ_RUNS=<n> for a longer run; see test/fuzz/seed.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Router } from '../../../src/http/router/radix.js';
import { LinearRouter } from '../../../src/http/router/linear.js';
import type { RouterLike } from '../../../src/http/router/types.js';
import { fuzz, runs, seed } from '../../fuzz/seed.js';

const numRuns = runs(300);

// Small alphabets on purpose: shared prefixes force edge splits, and repeats force conflicts.
const staticSegment = fc.constantFrom('a', 'ab', 'abc', 'b', 'ba', 'users', 'user', 'u', 'a%2F', 'x:y');
// A literal ':' is written '::' in a pattern; a ':' after static text starts a param.
const patternSegment = fc.oneof(
  { weight: 5, arbitrary: staticSegment.map((s) => s.replace(':', '::')) },
  { weight: 2, arbitrary: fc.constantFrom(':id', ':x', ':name') },
  { weight: 2, arbitrary: fc.constantFrom('a:id', 'ab:x', 'u:name', 'user:id', 'x::y:x', 'a:id.b', 'x:') },
);
const pattern = fc
  .tuple(
    fc.array(patternSegment, { minLength: 0, maxLength: 4 }),
    fc.constantFrom('', '', '', '/', '/*', ':p', '*/a', '//'),
  )
  .map(([segments, tail]) => `/${segments.join('/')}${segments.length > 0 && tail !== '' ? '/' : ''}${tail}`);
const method = fc.constantFrom('GET', 'POST', 'HEAD', 'ALL', 'PUT', 'OPTIONS', 'get', 'TRACE', 'PROPFIND');
const table = fc.array(fc.tuple(method, pattern), { minLength: 1, maxLength: 14 });

const pathSegment = fc.oneof(
  { weight: 6, arbitrary: staticSegment },
  { weight: 3, arbitrary: fc.constantFrom('', '42', 'me', 'a%2Fb', '%', '%E0%A4%A', '%C3%A9', 'aaaaaaaaaaaa', '..', '\u00e9', '\u00e9a') },
  { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
);
const path = fc.oneof(
  { weight: 9, arbitrary: fc.array(pathSegment, { maxLength: 6 }).map((s) => `/${s.join('/')}`) },
  { weight: 1, arbitrary: fc.constantFrom('', '*', 'a/b', '//') },
);
const requestMethod = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PROPFIND', 'ALL');

/** Adds a route to a router and reports what happened, for comparing the two. */
function tryAdd(router: RouterLike<string>, m: string, p: string, handler: string): string {
  try {
    router.add(m, p, handler);
    return 'ok';
  } catch (error) {
    return error instanceof TypeError ? 'TypeError' : `unexpected ${String(error)}`;
  }
}

describe('Router against LinearRouter', () => {
  it(`agrees on generated tables and requests (seed ${seed}, ${numRuns} runs)`, () => {
    fuzz(
      fc.property(
        table,
        fc.array(fc.tuple(requestMethod, path), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 2, max: 12 }),
        (routes, requests, maxParamLength) => {
          const radix = new Router<string>({ maxParamLength });
          const linear = new LinearRouter<string>({ maxParamLength });
          routes.forEach(([m, p], i) => {
            const outcome = tryAdd(linear, m, p, `h${i}`);
            assert.equal(tryAdd(radix, m, p, `h${i}`), outcome, `add ${m} ${p}`);
          });
          // Also ask for paths built from the routes themselves, so most lookups hit something.
          const derived = routes.map(([, p]) => p.replace(/(?<!:):[a-z]+/g, 'v').replaceAll('::', ':').replace('*', 'w/z'));
          const all: [string, string][] = [...requests, ...derived.map((p): [string, string] => ['GET', p])];
          for (const [m, p] of all) {
            assert.deepEqual(radix.lookup(m, p), linear.lookup(m, p), `${m} ${JSON.stringify(p)}`);
            assert.deepEqual(radix.find(m, p)?.params, linear.find(m, p)?.params);
          }
        },
      ),
      numRuns,
    );
  });
});
