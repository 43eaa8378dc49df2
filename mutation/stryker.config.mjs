// StrykerJS configuration for cachet's mutation run (docs/testing.md, "Mutation testing").
// Run it with `npm run test:mutation` (scripts/mutation.mjs), from the repository root: every path
// here is relative to the root.

/** The files where a slip is a vulnerability (issue #14), and nothing else. */
export const mutate = [
  'src/bytes/**/*.ts',
  'src/keys/**/*.ts',
  'src/codec/**/*.ts',
  // The decode trace behind the cookie lab and `inspect --steps` (issue #18) shows the steps; it
  // authenticates nothing, and a property test holds it to the real decode.
  '!src/codec/trace.ts',
  'src/cookie/grammar.ts',
  'src/cookie/parse.ts',
  // The request target, Host, version and transfer coding, read before routing: what an attacker
  // sends, and what the log keeps of it.
  'src/http/request-target.ts',
  'src/http/host-header.ts',
  'src/http/request-head.ts',
  'src/http/csrf.ts',
  'src/web/csrf-guard.ts',
  // The token on ctx.state / res.locals, and the 403 the adapters refuse with.
  'src/web/csrf-token-property.ts',
  'src/web/csrf-refusal.ts',
  // session: the authentication parts (decode, the verified cache, revocation, timeouts).
  'src/session/cookie-store/cookie-store.ts',
  // Which cookies hold a session: chunks this store would not have written are refused here.
  'src/session/cookie-store/session-cookies.ts',
  'src/session/core/verified-cache.ts',
  'src/session/cookie-store/verified-entry.ts',
  'src/session/core/store-options.ts',
  'src/session/server-store/session-id-cookie.ts',
  // An authentic record is still checked for shape before a store hands it on: a slip here turns a
  // record from another version into a 500 on every request of its holder.
  'src/session/core/session-record.ts',
  // Revocation and the regenerate order of the server-side stores: a slip revives a logged-out id.
  'src/session/server-store/server-store.ts',
  // What a write decides from the load's state: among it, that a cookie whose key left the ring
  // is never re-signed under the new primary.
  'src/session/server-store/load-state.ts',
  // Body limits: counted before the bytes are kept, or one client holds the memory of all.
  'src/http/body.ts',
  // the reference app: login, limits, password hashing, and the logging in create-app.ts.
  'src/app/auth-routes.ts',
  'src/app/rate-limit.ts',
  'src/app/client-key.ts',
  'src/app/login-limiter.ts',
  'src/app/passwords.ts',
  'src/app/create-app.ts',
  'src/app/tiered-store.ts',
  'src/app/missing-session-hint.ts',
  // Staged key rotation and the file backend's revocations: a pending key that seals, a retired key
  // that still opens or a logout that is revived.
  'src/app/key-states.ts',
  'src/app/key-file.ts',
  'src/app/revocations.ts',
  // The app's Redis half: a slip loses a logout or hides it from the other instances (the fleet's
  // revocations and their write queue), or lets a guess past the fleet's login limit, which must
  // fail closed while Redis is away.
  'src/app/redis/revocations.ts',
  'src/app/redis/write-queue.ts',
  'src/app/redis/login-limiter.ts',
];

/**
 * The scope CI runs (`npm run test:mutation -- --ci`): base64url and the cookie grammar, which
 * read what an attacker sends before any key is involved, and the CSRF check. The whole scope
 * takes hours on CI's two cores (docs/testing.md says how long), which does not fit its 90-minute
 * budget with the rest; these three files take about half an hour on one busy core.
 */
export const ciMutate = ['src/bytes/base64url.ts', 'src/cookie/grammar.ts', 'src/http/csrf.ts', 'src/web/csrf-guard.ts'];

/**
 * The test files that run in-process against src/ (a test that spawns the built server runs
 * dist/, which carries no mutant). Coverage is recorded per file in the initial run, so each
 * mutant then runs only the files that executed it.
 */
export const testFiles = [
  'test/bytes/*.test.ts',
  'test/keys/*.test.ts',
  'test/codec/*.test.ts',
  'test/cookie/*.test.ts',
  'test/errors.test.ts',
  'test/fuzz/codec-mutations.test.ts',
  'test/http/csrf.test.ts',
  'test/http/request-target.test.ts',
  'test/http/host-header.test.ts',
  'test/http/request-head.test.ts',
  'test/http/app.test.ts',
  'test/web/csrf-guard.test.ts',
  'test/web/csrf-token-property.test.ts',
  'test/web/csrf-refusal.test.ts',
  'test/session/cache-admission.test.ts',
  'test/session/cookie-name-binding.test.ts',
  'test/session/cookie-store.test.ts',
  'test/session/cookie-store-guards.test.ts',
  'test/session/chunk-order.test.ts',
  'test/session/verified-cache.test.ts',
  'test/session/verified-entry.test.ts',
  'test/session/store-options.test.ts',
  'test/session/server-store.test.ts',
  'test/session/server-store-cache.test.ts',
  'test/session/session-id-cookie.test.ts',
  'test/session/memory-store.test.ts',
  'test/session/properties.test.ts',
  'test/session/session.test.ts',
  'test/session/session-record.test.ts',
  'test/session/memory-records.test.ts',
  'test/session/file-records-store.test.ts',
  'test/session/file-store.test.ts',
  'test/session/redis-records.test.ts',
  'test/session/redis-store.test.ts',
  'test/http/body.test.ts',
  'test/http/body-reader.test.ts',
  'test/fuzz/body.test.ts',
  'test/session/key-rotation-races.test.ts',
  'test/session/save-races.test.ts',
  'test/session/request-before-login.test.ts',
  'test/session/failed-save.test.ts',
  'test/app/login-burst.test.ts',
  'test/app/hash-gate.test.ts',
  'test/app/routes.test.ts',
  // create-app.ts's wiring: its option errors, default log, error log, CSP and explain hint; the
  // lab's routes and keyring, /healthz's keys, the cookie name the missing-session hint looks for,
  // the keys a staged rotation hands the store.
  'test/app/create-app.test.ts',
  'test/app/lab.test.ts',
  'test/app/healthz-keys.test.ts',
  'test/app/missing-session-hint.test.ts',
  'test/app/staged-rotation.test.ts',
  'test/app/main.test.ts',
  'test/app/passwords.test.ts',
  'test/app/rate-limit.test.ts',
  'test/app/client-key.test.ts',
  // The LoginLimiter contract (its Redis half starts a redis-server) and the login route with a
  // limiter the test controls (no Redis).
  'test/app/login-limiter.test.ts',
  'test/app/login-limiter-routes.test.ts',
  // The app with sessions in Redis (logout, the session list, /explain's signed id) and three
  // instances on one Redis (/healthz's "redis" field): each starts a real redis-server.
  'test/app/redis-sessions.test.ts',
  'test/app/redis-fleet.test.ts',
  // TieredStore's awaits under interleavings the test decides (a real redis-server too).
  'test/app/tiered-store-races.test.ts',
  // The key states and steps (keys.test.ts through keysMain, in-process but for one spawned test),
  // the key file and CACHET_KEYS, and the revocation log (the concurrent test's children run src/
  // too, and its last check runs in-process).
  'test/app/key-states.test.ts',
  'test/app/key-file.test.ts',
  'test/app/data-files.test.ts',
  'test/cli/keys.test.ts',
  'test/app/revocations.test.ts',
  'test/app/revocations-concurrent.test.ts',
  // RedisRevocations against a real redis-server (instances on their own connections, one cut off
  // by a proxy, the server killed and restarted), its write queue on its own (no Redis), the app
  // through such an outage, and startServer with --redis (its prefix on the counts and revocations).
  'test/app/redis-revocations.test.ts',
  'test/app/redis-write-queue.test.ts',
  'test/app/redis-outage.test.ts',
  'test/app/main-redis.test.ts',
];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: process.env['CACHET_MUTATION_SCOPE'] === 'ci' ? ciMutate : mutate,
  testRunner: 'tap',
  tap: {
    testFiles,
    // Each test file runs on its own: `node -r <stryker hook> --import tsx --test-reporter=tap <file>`.
    nodeArgs: ['-r', '{{hookFile}}', '--import', 'tsx', '--test-reporter=tap', '{{testFile}}'],
    forceBail: true,
  },
  coverageAnalysis: 'perTest',
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  // Copy only what the tests need into each sandbox (not dist/, the Node binaries, bench/, …).
  ignorePatterns: ['/*', '!/src', '!/test', '!/scripts', '!/package.json', '!/tsconfig.json'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'mutation/reports/mutation.html' },
  jsonReporter: { fileName: 'mutation/reports/mutation.json' },
  incrementalFile: 'mutation/reports/stryker-incremental.json',
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  // CI's scoped run fails below 90% (Stryker's CLI has no flag for the break threshold, so the
  // scope variable that scripts/mutation.mjs sets for `--ci` sets it here).
  thresholds: { high: 95, low: 90, break: process.env['CACHET_MUTATION_SCOPE'] === 'ci' ? 90 : null },
  // A busy 2-core machine: a test file that is merely slow must not count as a timeout.
  timeoutMS: 20000,
  timeoutFactor: 2,
  dryRunTimeoutMinutes: 20,
  concurrency: 1,
  tempDirName: '.stryker-tmp',
};
