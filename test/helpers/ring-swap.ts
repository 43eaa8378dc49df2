// Deciding where a key rotation lands inside one request: a codec call that begins under one
// ring and ends under another, for the stores' rotation-race tests.
import { mock } from 'node:test';
import { CookieCodec } from '../../src/codec/cookie-codec.js';
import type { Keyring } from '../../src/keys/keyring.js';

/**
 * Replaces `target.keyring` with the next ring of `rings` while each of the first `rings.length`
 * calls of `method` awaits (after the call has begun under the old ring). Returns the call count.
 */
export function swapRingDuring(target: { keyring: Keyring }, method: 'decode' | 'encode' | 'encodeJson', rings: Keyring[]): { calls: number } {
  const seen = { calls: 0 };
  const original = CookieCodec.prototype[method] as (...args: unknown[]) => Promise<unknown>;
  mock.method(CookieCodec.prototype, method, function (this: CookieCodec, ...args: unknown[]) {
    const result = original.apply(this, args);
    const next = rings[seen.calls++];
    if (next !== undefined) target.keyring = next;
    return result;
  });
  return seen;
}
