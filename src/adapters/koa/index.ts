// `cachet/koa`: sessions and CSRF for Koa. docs/adapters/koa.md.
// This file re-exports and does nothing else; docs/api.md lists the surface, test/exports.test.ts pins it.
export { sessions } from './sessions.js';
export type { KoaContextLike, KoaMiddleware, KoaSessionsOptions, SessionFields } from './sessions.js';
export { csrf } from './csrf.js';
export type { CsrfError, CsrfErrorCode, KoaCsrfContextLike, KoaCsrfMiddleware, KoaCsrfOptions } from './csrf.js';
