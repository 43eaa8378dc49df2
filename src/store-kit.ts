// `cachet/store-kit`: the integrators' entry point. What a new store, or an adapter that runs the
// stores behind another server, is built from: the per-request registry, the arithmetic of the
// options every store shares, the verified-value cache, and the record and save-point types of
// `Session`'s store-facing methods. An app never needs it; `cachet` is the app's entry point.
// This file re-exports and does nothing else. docs/api.md lists both entry points; a change to
// either is a decision, pinned by test/exports.test.ts.
export { SessionRegistry } from './session/core/registry.js';
export { resolveStoreOptions, timeoutReason, renewalDue, lifetime, revocationReason, revocationVerdict, keepsCookie } from './session/core/store-options.js';
export type { ResolvedStoreOptions } from './session/core/store-options.js';
export { VerifiedCache } from './session/core/verified-cache.js';
export { randomId } from './session/core/session-record.js';
export type { SessionRecord } from './session/core/session-record.js';
export type { SessionInit, SavePoint } from './session/core/session.js';
// What a framework adapter is built from: a request's SessionContext, and the CSRF checks.
export { SessionScope } from './web/session-scope.js';
export type { SessionScopeInit } from './web/session-scope.js';
export { CsrfGuard, CSRF_GUARD_OPTION_KEYS } from './web/csrf-guard.js';
export type { CsrfGuardOptions, CsrfRequest, CsrfVerdict } from './web/csrf-guard.js';
