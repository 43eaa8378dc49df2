// `cachet/fastify`: sessions for Fastify 5, as a plugin, and the CSRF check as a hook. docs/adapters/fastify.md.
// This file re-exports and does nothing else; docs/api.md lists the surface, test/exports.test.ts pins it.
export { sessions } from './sessions.js';
export type { FastifyInstanceLike, FastifyReplyLike, FastifyRequestLike, FastifySessionsOptions, FastifySessionsPlugin, SessionRequest } from './sessions.js';
export { csrf } from './csrf.js';
export type { FastifyCsrfHook, FastifyCsrfRequestLike } from './csrf.js';
