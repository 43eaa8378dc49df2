// `cachet/hono`: sessions for Hono 4 as middleware, the CSRF check, and the token for templates. docs/adapters/hono.md.
// This file re-exports and does nothing else; docs/api.md lists the surface, test/exports.test.ts pins it.
export { sessions } from './sessions.js';
export type { HonoContextLike, HonoMiddleware, HonoRequestLike, HonoSessionsOptions, SessionEnv, SessionVariables } from './sessions.js';
export { csrf, csrfToken } from './csrf.js';
