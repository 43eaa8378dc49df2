/**
 * The error `save()` throws when a session is larger than its store keeps: a cookie past what a
 * browser keeps, or a server-side record past the store's `maxDataBytes`.
 * @module
 */
import { SessionError } from '../../errors.js';

/**
 * What did not fit, which decides the advice the message gives: one cookie (`'cookie'`), the
 * chunk cookies allowed (`'chunks'`), or a server-side store's record (`'record'`).
 */
export type TooLargeWhere = 'cookie' | 'chunks' | 'record';

const ADVICE: Record<TooLargeWhere, string> = {
  cookie: 'Store less in the session, turn on chunking: true, or use a server-side store.',
  chunks: 'Store less in the session, raise chunking.maxChunks, or use a server-side store.',
  record: 'Store less in the session, or raise the store\'s maxDataBytes.',
};

/**
 * `ERR_SESSION_TOO_LARGE` (kind `usage`), with the measured `size` and the `limit` in bytes.
 * Browsers silently drop a cookie whose name + value exceeds 4096 bytes, so cachet refuses to send
 * one: the alternative is a session that is lost without a trace. A server-side store refuses a
 * record whose values are past its `maxDataBytes`, so that one session cannot fill the memory,
 * disk or Redis the others share (a list the app appends to on every request, a request body kept
 * in the session).
 *
 * @example
 * ```ts
 * try {
 *   await session.save();
 * } catch (err) {
 *   if (err instanceof SessionTooLargeError) console.warn(`session is ${err.size}/${err.limit} bytes`);
 * }
 * ```
 */
export class SessionTooLargeError extends SessionError {
  /** Bytes needed: the cookie's name + value summed over chunks, or a record's values as UTF-8 JSON. */
  readonly size: number;
  /** Bytes allowed. */
  readonly limit: number;

  constructor(name: string, size: number, limit: number, where: TooLargeWhere) {
    super(
      'ERR_SESSION_TOO_LARGE',
      'usage',
      (where === 'record'
        ? `Session "${name}" holds ${size} bytes of values (as UTF-8 JSON), over the store's ${limit}-byte limit. `
        : `Session cookie "${name}" would be ${size} bytes (name + value), over the ${limit}-byte limit. `) + ADVICE[where],
    );
    this.size = size;
    this.limit = limit;
  }
}
