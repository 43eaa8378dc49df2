// `cachet/fetch`: sessions for fetch-style handlers (Deno, Bun, workerd, Node). docs/adapters.md.
// This file re-exports and does nothing else; docs/api.md lists the surface, test/exports.test.ts pins it.
export { withSessions } from './with-sessions.js';
export type { SessionHandler, SessionTools, WithSessionsOptions } from './with-sessions.js';
