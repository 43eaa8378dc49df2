// `cachet/koa`: sessions and CSRF for Koa. docs/adapters/koa.md.
// This file re-exports and does nothing else; docs/api.md lists the surface, test/exports.test.ts pins it.
export { sessions } from './sessions.js';
export type { KoaContext, KoaMiddleware, SessionFields, SessionsOptions } from './sessions.js';
export { csrf } from './csrf.js';
export type { CsrfContext, CsrfError, CsrfErrorCode, CsrfOptions, KoaCsrfMiddleware } from './csrf.js';
