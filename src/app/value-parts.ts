/**
 * A cookie value's parts with their meaning, for the explain page and the inspect CLI. The
 * splitting is the codec's `inspectValue` (labels, offsets, decoded header, shape problems);
 * this module adds the words a learner needs. Nothing is verified here: this is what anyone
 * holding the cookie can see.
 *
 *     sealed:  1s.<key id>.<issued-at>.<expires-at>.<iv>.<ciphertext>.<tag>
 *     signed:  1m.<key id>.<issued-at>.<expires-at>.<payload>.<mac>
 * @module
 */
import { inspectValue, type InspectedPart } from '../codec/inspect.js';
import type { ExplainedPart, PartKind } from './explain-page.js';

/** What a value shows without a key. */
export interface ValueLayout {
  mode: 'sealed' | 'signed' | 'unknown';
  parts: ExplainedPart[];
  keyId?: string;
  /** Seconds since the epoch. */
  issuedAt?: number;
  /** Seconds since the epoch. */
  expiresAt?: number;
  /** What is bound into the authentication besides the payload (`<cookie name>` stands for the name). */
  boundText?: string;
  /** Shape problems, joined; absent when the value is well-formed (which is not "valid"). */
  problem?: string;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function byteCount(part: InspectedPart): number {
  return part.bytes === undefined ? 0 : part.bytes.end - part.bytes.start;
}

const WORDS: Record<InspectedPart['label'], [kind: PartKind, label: string, meaning: (part: InspectedPart) => string]> = {
  'version/mode': [
    'version',
    'version',
    (p) =>
      p.text === '1s'
        ? 'format 1, sealed: AES-256-GCM encrypts and authenticates the payload'
        : p.text === '1m'
          ? 'format 1, signed: HMAC-SHA256 authenticates a readable payload'
          : 'not a version this build of cachet reads (1s, 1m)',
  ],
  'key id': ['key', 'key id', () => 'which key of the keyring made this value, so any listed key can open it after a rotation'],
  'issued-at': [
    'time',
    'issued at',
    (p) => `Unix seconds when the value was made${typeof p.decoded === 'number' ? ` (${iso(p.decoded)})` : ''}; bound into the authentication, so it cannot be changed`,
  ],
  'expires-at': [
    'time',
    'expires at',
    (p) => `Unix seconds after which the value is refused${typeof p.decoded === 'number' ? ` (${iso(p.decoded)})` : ''}; inside the value, so the browser cannot extend it`,
  ],
  iv: ['iv', 'IV', (p) => `${byteCount(p)} random bytes, new for every value: the same data never encrypts the same way twice`],
  ciphertext: ['payload', 'ciphertext', (p) => `${byteCount(p)} bytes of encrypted JSON: unreadable without the key`],
  tag: ['tag', 'tag', (p) => `${byteCount(p)}-byte GCM tag over the ciphertext and the header and cookie name: any change to any part is detected`],
  payload: ['payload', 'payload', (p) => `base64url JSON, readable by anyone: ${typeof p.decoded === 'string' ? p.decoded : '(not base64url UTF-8)'}`],
  mac: ['tag', 'MAC', (p) => `${byteCount(p)}-byte HMAC-SHA256 over the header, payload and cookie name: nobody without the key can make a matching one`],
  extra: ['other', 'extra', () => 'more parts than the format has'],
};

/**
 * Splits `value` into its parts, with a sentence for each.
 *
 * @example
 * ```ts
 * describeValue('1s.k1.1764115200.1764201600.AAAA....').parts.map((p) => p.label);
 * // ['version', 'key id', 'issued at', 'expires at', 'IV', 'ciphertext', 'tag']
 * ```
 */
export function describeValue(value: string): ValueLayout {
  const inspected = inspectValue(value);
  if (inspected.mode === null) {
    const problem = inspected.problems.join('; ');
    return { mode: 'unknown', problem, parts: [{ kind: 'other', label: 'unrecognised', text: value, meaning: problem }] };
  }
  const parts = inspected.parts.map((part): ExplainedPart => {
    const [kind, label, meaning] = WORDS[part.label];
    const problem = part.problem === undefined ? '' : ` (problem: ${part.problem})`;
    return { kind, label, text: part.text, meaning: meaning(part) + problem };
  });
  const layout: ValueLayout = { mode: inspected.mode, parts };
  if (inspected.keyId !== null) layout.keyId = inspected.keyId;
  if (inspected.issuedAt !== null) layout.issuedAt = inspected.issuedAt / 1000;
  if (inspected.expiresAt !== null) layout.expiresAt = inspected.expiresAt / 1000;
  if (inspected.boundText !== null) layout.boundText = inspected.boundText;
  if (inspected.problems.length > 0) layout.problem = inspected.problems.join('; ');
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
