/**
 * Fresh keys for the CLIs and for tests.
 * @module
 */
import { SessionError } from '../errors.js';
import { encodeBase64url } from '../bytes/base64url.js';
import { KEY_ID_PATTERN, MIN_SECRET_BYTES } from './key.js';

/**
 * Generates a key: 32 bytes from `crypto.getRandomValues`, as base64url text, with the given
 * id or a dated one such as `20261126-x7Qa` (the date helps operators see a key's age).
 *
 * @example
 * ```ts
 * const key = generateKey('2026-11'); // { id: '2026-11', secret: 'q3V...' (43 chars) }
 * const keyring = await Keyring.create([key]);
 * ```
 */
export function generateKey(id?: string): { id: string; secret: string } {
  const bytes = crypto.getRandomValues(new Uint8Array(MIN_SECRET_BYTES));
  if (id === undefined) {
    const day = new Date().toISOString().slice(0, 10).replaceAll('-', '');
    id = `${day}-${encodeBase64url(crypto.getRandomValues(new Uint8Array(3)))}`;
  } else if (!KEY_ID_PATTERN.test(id)) {
    throw new SessionError('ERR_KEY_ID_INVALID', 'usage', 'key id must match [A-Za-z0-9_-]{1,16}');
  }
  return { id, secret: encodeBase64url(bytes) };
}
