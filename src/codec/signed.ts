/**
 * The signed mode: HMAC-SHA256 over the header, the base64url payload and the cookie name.
 * The payload is readable by anyone; only its integrity is protected.
 * @module
 */
import { SessionError } from '../errors.js';
import { encodeBase64url } from '../bytes/base64url.js';

const subtle = globalThis.crypto.subtle;

/** Returns the base64url MAC of `input`. */
export async function sign(key: CryptoKey, input: Uint8Array<ArrayBuffer>): Promise<string> {
  try {
    return encodeBase64url(new Uint8Array(await subtle.sign('HMAC', key, input)));
  } catch (cause) {
    throw new SessionError('ERR_CRYPTO', 'internal', 'Web Crypto failed to sign', { cause });
  }
}

/** True when `mac` authenticates `input`. `subtle.verify` compares in constant time; `===` would not. */
export async function verify(key: CryptoKey, mac: Uint8Array<ArrayBuffer>, input: Uint8Array<ArrayBuffer>): Promise<boolean> {
  try {
    return await subtle.verify('HMAC', key, mac, input);
  } catch (cause) {
    throw new SessionError('ERR_CRYPTO', 'internal', 'Web Crypto failed to verify', { cause });
  }
}
