/**
 * Wire format v1: the text header shared by both modes, and the fixed sizes.
 *
 * ```
 * sealed:  1s.<key id>.<issued-at>.<expires-at>.<iv>.<ciphertext>.<tag>
 * signed:  1m.<key id>.<issued-at>.<expires-at>.<payload>.<mac>
 * ```
 * Times are decimal Unix seconds; iv, ciphertext, tag, payload and mac are unpadded base64url.
 * Every character is a cookie-octet (RFC 6265bis §5.6), so values need no quoting.
 * The header `1s.<key id>.<issued-at>.<expires-at>` plus `.` plus the cookie name is the
 * associated data (sealed) or the tail of the MAC input (signed): see docs/cookie-format.md.
 * @module
 */
import { utf8Encode } from '../bytes/utf8.js';

/** Version 1, sealed (AES-256-GCM). */
export const SEALED_TAG = '1s';
/** Version 1, signed (HMAC-SHA256; "m" for MAC, as "s" is taken by sealed). */
export const SIGNED_TAG = '1m';
/** 96-bit IV: the size GCM is specified for (NIST SP 800-38D §5.2.1.1). */
export const IV_BYTES = 12;
/** 128-bit tag: the full GCM tag; shorter tags weaken forgery bounds (SP 800-38D Appendix C). */
export const TAG_BYTES = 16;
/** HMAC-SHA256 output, untruncated. */
export const MAC_BYTES = 32;
/** Browsers keep at most 4096 bytes of name plus value (RFC 6265bis §5.7). */
export const MAX_COOKIE_BYTES = 4096;
/** Browsers cap a cookie's lifetime at 400 days (RFC 6265bis §5.6.1); so does cachet. */
export const MAX_AGE_LIMIT = 400 * 86_400;

const TIME = /^[1-9][0-9]{0,10}$/;
const TAG_SHAPE = /^[0-9]{1,3}[a-z]$/;

/** The header text: tag, key id and both times in seconds. */
export function formatHeader(tag: string, keyId: string, issuedAt: number, expiresAt: number): string {
  return `${tag}.${keyId}.${issuedAt}.${expiresAt}`;
}

/** A canonical decimal time in seconds (no sign, no leading zero, at most 11 digits), or -1. */
export function parseTime(text: string): number {
  return TIME.test(text) ? Number(text) : -1;
}

/** True for text shaped like a version tag (`1s`, `2s`, `10m`...), known or not. */
export function looksLikeTag(text: string): boolean {
  return TAG_SHAPE.test(text);
}

/**
 * The bytes bound to a value without being sent: its header and the cookie name.
 * The header has a fixed number of '.'-separated fields and none contains '.', so
 * `header + '.' + name` is unambiguous even when the name itself contains dots.
 */
export function boundContext(headerAndBody: string, name: string): Uint8Array<ArrayBuffer> {
  return utf8Encode(`${headerAndBody}.${name}`);
}
