/**
 * What a key is, and the checks that refuse a bad one at start-up.
 * @module
 */
import { SessionError } from '../errors.js';
import { decodeBase64url } from '../bytes/base64url.js';

/**
 * One key as the operator supplies it.
 *
 * @example
 * ```ts
 * const key: KeyInput = { id: '2026-11', secret: process.env.CACHET_KEY_2026_11! };
 * ```
 */
export interface KeyInput {
  /** Names the key inside every value it makes: `[A-Za-z0-9_-]{1,16}`, e.g. `'2026-11'`. */
  readonly id: string;
  /** At least 32 random bytes, as bytes or as unpadded base64url text (see {@link generateKey}). */
  readonly secret: Uint8Array | string;
}

/** The grammar of a key id. Ids travel in every cookie, so they are cookie-safe and short. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,16}$/;

/** 256 bits: the AES-256 key size and the HMAC-SHA256 block-size guidance of RFC 2104 §3. */
export const MIN_SECRET_BYTES = 32;

/**
 * Validates one key and returns a private copy of its secret bytes.
 * Errors name the key by id (or by position when the id itself is bad) and never print the
 * secret: a swapped `{ id: secret, secret: id }` must not echo the secret into a log.
 */
export function validateKey(key: unknown, position: number): { id: string; secret: Uint8Array<ArrayBuffer> } {
  const where = `key #${position + 1}`;
  if (typeof key !== 'object' || key === null) {
    throw new SessionError('ERR_KEY_ID_INVALID', 'usage', `${where}: expected an object { id, secret }`);
  }
  const { id, secret } = key as { id?: unknown; secret?: unknown };
  if (typeof id !== 'string' || !KEY_ID_PATTERN.test(id)) {
    throw new SessionError('ERR_KEY_ID_INVALID', 'usage', `${where}: id must match [A-Za-z0-9_-]{1,16}`);
  }
  let bytes: Uint8Array<ArrayBuffer> | null;
  // Copy, never view: Buffer#slice returns a view, and the copy is zeroed after import.
  if (secret instanceof Uint8Array) bytes = new Uint8Array(secret);
  else if (typeof secret === 'string') bytes = decodeBase64url(secret);
  else bytes = null;
  if (bytes === null) {
    throw new SessionError('ERR_KEY_SECRET_INVALID', 'usage', `key "${id}": secret must be a Uint8Array or unpadded base64url text`);
  }
  if (bytes.length < MIN_SECRET_BYTES) {
    const got = bytes.length;
    bytes.fill(0);
    throw new SessionError('ERR_KEY_SECRET_SHORT', 'usage', `key "${id}": secret must be at least ${MIN_SECRET_BYTES} bytes, got ${got}`);
  }
  return { id, secret: bytes };
}
