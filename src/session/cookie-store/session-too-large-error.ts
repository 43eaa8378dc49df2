/**
 * The error `save()` throws when a session no longer fits in its cookie.
 * @module
 */
import { SessionError } from '../../errors.js';

/**
 * `ERR_SESSION_TOO_LARGE` (kind `usage`), with the measured `size` and the `limit` in bytes.
 * Browsers silently drop a cookie whose name + value exceeds 4096 bytes, so cachet refuses to send
 * one: the alternative is a session that is lost without a trace.
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
  /** Bytes the cookie(s) would need (name + value, summed over chunks). */
  readonly size: number;
  /** Bytes allowed. */
  readonly limit: number;

  constructor(name: string, size: number, limit: number, chunked: boolean) {
    super(
      'ERR_SESSION_TOO_LARGE',
      'usage',
      `Session cookie "${name}" would be ${size} bytes (name + value), over the ${limit}-byte limit. ` +
        (chunked
          ? 'Store less in the session, raise chunking.maxChunks, or use a server-side store.'
          : 'Store less in the session, turn on chunking: true, or use a server-side store.'),
    );
    this.size = size;
    this.limit = limit;
  }
}
