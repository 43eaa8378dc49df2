// `cachet/express`: sessions and CSRF for Express 5, Express 4 and Connect. docs/adapters/express.md.
// This file re-exports and does nothing else; docs/api.md lists the surface, test/exports.test.ts pins it.
export { sessions } from './sessions.js';
export type { ExpressMiddleware, ExpressRequestLike, ExpressSessionsOptions, SessionRequest } from './sessions.js';
export { csrf } from './csrf.js';
export type { CsrfError, CsrfErrorCode, ExpressCsrfOptions } from './csrf.js';
