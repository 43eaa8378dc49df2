// The public API of cachet. This file re-exports and does nothing else.
export { SessionError } from './errors.js';
export type { ErrorKind, SessionErrorCode, DecodeErrorCode, UsageErrorCode, InternalErrorCode, SessionErrorOptions } from './errors.js';
