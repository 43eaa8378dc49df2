// The public API of cachet. This file re-exports and does nothing else.
export { SessionError } from './errors.js';
export type { ErrorKind, SessionErrorCode, DecodeErrorCode, UsageErrorCode, InternalErrorCode, SessionErrorOptions } from './errors.js';

// --- router ---
export { Router } from './http/router/radix.js';
export { LinearRouter } from './http/router/linear.js';
export { ALL, STANDARD_METHODS } from './http/router/types.js';
export type { LookupResult, Params, RouterLike, RouterOptions } from './http/router/types.js';
