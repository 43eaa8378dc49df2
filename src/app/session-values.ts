/**
 * What a session of the reference app holds. Its own file because the store (app-store.ts,
 * tiered-store.ts) and the routes need the type, and the app's assembly (create-app.ts) needs
 * them: kept there, the type tied them into a loop of imports.
 * @module
 */

/**
 * What a session of the reference app holds.
 *
 * @example
 * ```ts
 * const session = await store.get(ctx, 'session'); // Session<AppSessionValues>
 * session.values.visits = (session.values.visits ?? 0) + 1;
 * ```
 */
export interface AppSessionValues extends Record<string, unknown> {
  /** The signed-in user's name (also the session's `subject`). */
  user?: string;
  /** How many times the welcome page was opened in this session. */
  visits?: number;
}
