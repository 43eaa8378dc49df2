/**
 * Request ids for the access log and error reports: by default a per-process random prefix and a
 * counter (`k3x9q2-1a`), cheap enough for every request and unique within the process; or the
 * app's own function (the `requestId` option), guarded.
 * @module
 */
import type { IncomingMessage } from 'node:http';

/**
 * The app's id maker: `make` when given, guarded, else the default ids. Guarded because the id is
 * read while logging, after the response has left: a throwing user function there would escape
 * every handler, so it falls back to the default ids.
 *
 * @example
 * ```ts
 * const requestId = guardRequestId((req) => String(req.headers['x-request-id'] ?? ''));
 * requestId(req); // the header's value, or a default id if the function throws
 * ```
 */
export function guardRequestId(make: ((req: IncomingMessage) => string) | undefined): (req: IncomingMessage) => string {
  const fallback = defaultRequestId();
  if (make === undefined) return fallback;
  return (req) => {
    try {
      return String(make(req));
    } catch {
      return fallback(req);
    }
  };
}

/** Ids `prefix-counter`: the prefix random per process, the counter in base 36. */
function defaultRequestId(): (req: IncomingMessage) => string {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  const prefix = Array.from(bytes, (b) => b.toString(36).padStart(2, '0')).join('');
  let counter = 0;
  return () => `${prefix}-${(++counter).toString(36)}`;
}
