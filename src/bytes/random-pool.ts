/**
 * Small random values from a pooled `crypto.getRandomValues` buffer.
 *
 * Why: on Node one `getRandomValues` call costs ~5 us whatever its size up to a few KiB (most of
 * it is the WebIDL layer, measured with the IVs in src/codec/sealed.ts), so drawing 32 bytes per
 * request for a CSRF mask cost a page view more than its masking did. One call now fills 4 KiB,
 * enough for 128 masks.
 *
 * Only for values that are not kept secret from the client: the pool holds upcoming values in
 * memory until they are drawn. Each draw is a copy, and the bytes it took are zeroed in the pool,
 * so a value handed out exists only where its caller keeps it; an exhausted pool is replaced, not
 * refilled. Keys and session ids do not come from here.
 * @module
 */

const POOL_BYTES = 4096;
/** The largest draw: a larger value is better served by its own `getRandomValues` call. */
export const MAX_POOLED_DRAW = 256;

let pool = new Uint8Array(0);
let next = 0;

/**
 * Returns `length` fresh random bytes (1 to {@link MAX_POOLED_DRAW}) in a new array.
 *
 * @example
 * ```ts
 * const pad = pooledRandomBytes(32); // a one-time pad for a masked CSRF token
 * ```
 */
export function pooledRandomBytes(length: number): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(length) || length < 1 || length > MAX_POOLED_DRAW) {
    throw new RangeError(`pooledRandomBytes: length must be an integer from 1 to ${MAX_POOLED_DRAW}, got ${String(length)}`);
  }
  if (next + length > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_BYTES));
    next = 0;
  }
  const drawn = pool.slice(next, next + length);
  pool.fill(0, next, next + length);
  next += length;
  return drawn;
}
