/**
 * HKDF-SHA256 (RFC 5869): one operator secret -> independent, non-extractable subkeys.
 *
 * Why derive instead of using the secret directly: the same secret must never key two
 * algorithms (AES-GCM and HMAC), and the sealing key changes every epoch so that no AES key
 * ever sees 2^32 random IVs (NIST SP 800-38D §8.3). Distinct `info` labels make the subkeys
 * independent (RFC 5869 §3.2). The salt is empty (RFC 5869 §3.1 allows it): the secret is
 * already uniformly random, so extraction has nothing to fix.
 * @module
 */
import { SessionError } from '../errors.js';
import { utf8Encode } from '../bytes/utf8.js';

const subtle = globalThis.crypto.subtle;
const EMPTY_SALT = new Uint8Array(0);

/**
 * Length of one sealing-key epoch in seconds. Part of wire format v1: changing it changes keys.
 *
 * @example
 * ```ts
 * const epoch = Math.floor(issuedAtSeconds / EPOCH_SECONDS); // picks the AES key of a value
 * ```
 */
export const EPOCH_SECONDS = 3600;

/** The `info` label of the signing subkey. */
export const SIGNING_INFO = 'cachet v1 signing HMAC-SHA256';

/** The `info` label of the sealing subkey for one epoch (the epoch number in decimal). */
export function sealingInfo(epoch: number): string {
  return `cachet v1 sealing AES-256-GCM epoch ${epoch}`;
}

function cryptoError(what: string, cause: unknown): SessionError {
  return new SessionError('ERR_CRYPTO', 'internal', `Web Crypto failed to ${what}`, { cause });
}

/** Imports a secret as a non-extractable HKDF base key (the only form in which it is kept). */
export async function importSecret(secret: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  try {
    return await subtle.importKey('raw', secret, 'HKDF', false, ['deriveKey', 'deriveBits']);
  } catch (cause) {
    throw cryptoError('import a key secret', cause);
  }
}

/** Derives the HMAC-SHA256 signing key (256-bit, non-extractable). */
export async function deriveSigningKey(base: CryptoKey): Promise<CryptoKey> {
  try {
    return await subtle.deriveKey(
      { name: 'HKDF', hash: 'SHA-256', salt: EMPTY_SALT, info: utf8Encode(SIGNING_INFO) },
      base,
      { name: 'HMAC', hash: 'SHA-256', length: 256 },
      false,
      ['sign', 'verify'],
    );
  } catch (cause) {
    throw cryptoError('derive a signing key', cause);
  }
}

/** Derives the AES-256-GCM sealing key of one epoch (non-extractable). */
export async function deriveSealingKey(base: CryptoKey, epoch: number): Promise<CryptoKey> {
  try {
    return await subtle.deriveKey(
      { name: 'HKDF', hash: 'SHA-256', salt: EMPTY_SALT, info: utf8Encode(sealingInfo(epoch)) },
      base,
      { name: 'AES-GCM', length: 256 },
      false,
      ['encrypt', 'decrypt'],
    );
  } catch (cause) {
    throw cryptoError('derive a sealing key', cause);
  }
}
