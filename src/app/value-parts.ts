/**
 * Splits a cachet cookie value (wire format v1, docs/cookie-format.md) into labelled parts with
 * their meaning, for the explain page and the inspect CLI. No verification happens here: this is
 * what anyone holding the cookie can see.
 *
 *     sealed:  1s.<key id>.<issued-at>.<expires-at>.<iv>.<ciphertext>.<tag>
 *     signed:  1m.<key id>.<issued-at>.<expires-at>.<payload>.<mac>
 * @module
 */
import type { ExplainedPart } from './explain-page.js';

/** What the header of a value says, as far as it can be read without a key. */
export interface ValueLayout {
  mode: 'sealed' | 'signed' | 'unknown';
  parts: ExplainedPart[];
  keyId?: string;
  /** Seconds since the epoch. */
  issuedAt?: number;
  /** Seconds since the epoch. */
  expiresAt?: number;
  /** For a signed value: the payload as text (anyone can read it). */
  readablePayload?: string;
  /** What is authenticated besides the payload; `<cookie name>` stands for the name. */
  boundText?: string;
  /** Why the value is not well-formed, if it is not. */
  problem?: string;
}

const TIME = /^[1-9][0-9]{0,10}$/;
const B64URL = /^[A-Za-z0-9_-]*$/;

function bytesOf(text: string): number {
  return Math.floor((text.length * 3) / 4);
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Splits `value` into its parts.
 *
 * @example
 * ```ts
 * describeValue('1s.k1.1764115200.1764201600.AAAA....').parts.map((p) => p.label);
 * // ['version', 'key id', 'issued at', 'expires at', 'IV', 'ciphertext', 'tag']
 * ```
 */
export function describeValue(value: string): ValueLayout {
  const fields = value.split('.');
  const [tag = '', keyId = '', issued = '', expires = ''] = fields;
  const mode = tag === '1s' && fields.length === 7 ? 'sealed' : tag === '1m' && fields.length === 6 ? 'signed' : 'unknown';
  if (mode === 'unknown') {
    const problem = /^[0-9]{1,3}[a-z]$/.test(tag)
      ? `version tag "${tag}" with ${fields.length} fields is not a format this version of cachet knows (1s: 7 fields, 1m: 6)`
      : 'this is not a cachet value: it does not start with a version tag such as 1s or 1m';
    return { mode, problem, parts: [{ kind: 'other', label: 'unrecognised', text: value, meaning: problem }] };
  }
  const parts: ExplainedPart[] = [
    {
      kind: 'version',
      label: 'version',
      text: tag,
      meaning: mode === 'sealed' ? 'format 1, sealed: AES-256-GCM encrypts and authenticates the payload' : 'format 1, signed: HMAC-SHA256 authenticates a readable payload',
    },
    { kind: 'key', label: 'key id', text: keyId, meaning: 'which key of the keyring made this value, so any listed key can open it after a rotation' },
  ];
  // The header (and, signed, the payload) plus the cookie name: see docs/cookie-format.md.
  const boundFields = mode === 'sealed' ? 4 : 5;
  const layout: ValueLayout = { mode, parts, keyId, boundText: `${fields.slice(0, boundFields).join('.')}.<cookie name>` };
  const times: [string, string, 'issuedAt' | 'expiresAt'][] = [
    [issued, 'issued at', 'issuedAt'],
    [expires, 'expires at', 'expiresAt'],
  ];
  for (const [text, label, field] of times) {
    const ok = TIME.test(text);
    if (ok) layout[field] = Number(text);
    const when = ok ? ` (${iso(Number(text))})` : ' (not a valid time)';
    const meaning =
      field === 'issuedAt'
        ? `Unix seconds when the value was made${when}; bound into the authentication, so it cannot be changed`
        : `Unix seconds after which the value is refused${when}; inside the value, so the browser cannot extend it`;
    parts.push({ kind: 'time', label, text, meaning });
  }
  const rest = fields.slice(4);
  if (mode === 'sealed') {
    const [iv = '', ciphertext = '', tagText = ''] = rest;
    parts.push(
      { kind: 'iv', label: 'IV', text: iv, meaning: `${bytesOf(iv)} random bytes, new for every value: the same data never encrypts the same way twice` },
      { kind: 'payload', label: 'ciphertext', text: ciphertext, meaning: `${bytesOf(ciphertext)} bytes of encrypted JSON: unreadable without the key` },
      {
        kind: 'tag',
        label: 'tag',
        text: tagText,
        meaning: `${bytesOf(tagText)}-byte GCM tag over the ciphertext and the header and cookie name: any change to any part is detected`,
      },
    );
  } else {
    const [payload = '', mac = ''] = rest;
    const readable = B64URL.test(payload) ? Buffer.from(payload, 'base64url').toString('utf8') : undefined;
    if (readable !== undefined) layout.readablePayload = readable;
    parts.push(
      { kind: 'payload', label: 'payload', text: payload, meaning: `base64url JSON, readable by anyone: ${readable === undefined ? '(not base64url)' : readable}` },
      { kind: 'tag', label: 'MAC', text: mac, meaning: `${bytesOf(mac)}-byte HMAC-SHA256 over the header, payload and cookie name: nobody without the key can make a matching one` },
    );
  }
  if (!B64URL.test(rest.join(''))) layout.problem = 'a binary part contains characters outside base64url';
  return layout;
}

/** Verdict words for each decode failure, shared with the inspect CLI. */
export const VERDICTS: Readonly<Record<string, [verdict: string, detail: string]>> = {
  ERR_COOKIE_EXPIRED: ['expired', 'Its expiry time has passed, so it is refused however authentic it is.'],
  ERR_COOKIE_NOT_YET_VALID: ['not yet valid', 'Its issue time lies in the future, beyond the allowed clock skew.'],
  ERR_COOKIE_TAMPERED: ['tampered', 'Authentication failed: some byte differs from what the key produced, or it was made for another cookie name.'],
  ERR_COOKIE_KEY_UNKNOWN: ['unknown key', 'It names a key that is not in the keyring (retired, or from another deployment).'],
  ERR_COOKIE_VERSION: ['unsupported version', 'Its version tag or mode is not one this codec opens.'],
  ERR_COOKIE_MALFORMED: ['malformed', 'It does not have the shape of a cachet value.'],
  ERR_COOKIE_TOO_LARGE: ['too large', 'It is longer than a browser keeps (4096 bytes).'],
};
