/**
 * `inspectValue`: take a cookie value apart, label every part and say where it sits, without
 * any key and without verifying anything. The explain page and the inspect CLI are built on it.
 * @module
 */
import { decodeBase64url } from '../bytes/base64url.js';
import { utf8Decode } from '../bytes/utf8.js';
import { KEY_ID_PATTERN } from '../keys/key.js';
import { SEALED_TAG, SIGNED_TAG, IV_BYTES, TAG_BYTES, MAC_BYTES, parseTimeAt } from './envelope.js';

/** The name of one part of a value. `extra` is anything after the last part a layout has. */
export type InspectedPartLabel = 'version/mode' | 'key id' | 'issued-at' | 'expires-at' | 'iv' | 'ciphertext' | 'tag' | 'payload' | 'mac' | 'extra';

/** One '.'-separated part of a value. */
export interface InspectedPart {
  label: InspectedPartLabel;
  /** The part's characters. */
  text: string;
  /** Character offsets in the value: `value.slice(start, end) === text`. */
  start: number;
  end: number;
  /** How the characters are to be read. */
  encoding: 'text' | 'decimal' | 'base64url';
  /**
   * For base64url parts: byte offsets within the binary body, which is iv | ciphertext | tag
   * (sealed) or payload | mac (signed), i.e. where the part sits in what the crypto consumes.
   */
  bytes?: { start: number; end: number };
  /** The meaning: `'v1 sealed'`, a key id, a time in ms, or a signed payload's text (unverified). */
  decoded?: string | number;
  /** Why this part could not be what its label says (wrong size, not canonical...). */
  problem?: string;
}

/** What {@link inspectValue} found. Nothing in it is verified: anyone can write any header. */
export interface InspectedValue {
  /** 1 for a v1 value, or the number in an unknown tag such as `2s`; null when there is no tag. */
  version: number | null;
  mode: 'sealed' | 'signed' | null;
  keyId: string | null;
  /** Claimed times, in ms (the wire has seconds). */
  issuedAt: number | null;
  expiresAt: number | null;
  parts: InspectedPart[];
  /** Problems of shape, in order; empty when the value is well-formed (which is not "valid"). */
  problems: string[];
  /**
   * The text bound into the AEAD associated data (sealed) or the MAC input (signed), with the
   * cookie name, which is not in the value, shown as `<cookie name>`.
   */
  boundText: string | null;
}

interface Layout {
  mode: 'sealed' | 'signed';
  labels: InspectedPartLabel[];
}
const SEALED_LAYOUT: Layout = { mode: 'sealed', labels: ['version/mode', 'key id', 'issued-at', 'expires-at', 'iv', 'ciphertext', 'tag'] };
const SIGNED_LAYOUT: Layout = { mode: 'signed', labels: ['version/mode', 'key id', 'issued-at', 'expires-at', 'payload', 'mac'] };
const SIZES: Partial<Record<InspectedPartLabel, number>> = { iv: IV_BYTES, tag: TAG_BYTES, mac: MAC_BYTES };

/**
 * Splits a cookie value into labelled parts with their character and byte offsets and the
 * decoded header fields. Never throws and never verifies: use `CookieCodec.decode` for that.
 *
 * @example
 * ```ts
 * const info = inspectValue('1s.2026-11.1795654000.1795657600.AAECAwQFBgcICQoL.x3Qm.Ab…');
 * info.mode; // 'sealed'
 * info.parts.map((p) => `${p.label} [${p.start}, ${p.end})`);
 * // ['version/mode [0, 2)', 'key id [3, 10)', 'issued-at [11, 21)', ...]
 * ```
 */
export function inspectValue(value: string): InspectedValue {
  const out: InspectedValue = { version: null, mode: null, keyId: null, issuedAt: null, expiresAt: null, parts: [], problems: [], boundText: null };
  if (typeof value !== 'string') {
    out.problems.push('the value is not a string');
    return out;
  }
  if (value.length === 0) {
    out.problems.push('the value is empty');
    return out;
  }
  const texts = value.split('.');
  const tag = texts[0]!;
  // Compared, not looked up: a tag such as "__proto__" must not find Object.prototype.
  const layout = tag === SEALED_TAG ? SEALED_LAYOUT : tag === SIGNED_TAG ? SIGNED_LAYOUT : undefined;
  const tagMatch = /^([0-9]{1,3})[a-z]$/.exec(tag);
  if (tagMatch) out.version = Number(tagMatch[1]);
  if (layout) out.mode = layout.mode;
  else out.problems.push(tagMatch ? `unknown version or mode "${tag}" (this build reads 1s and 1m)` : 'no version tag: not a cachet value');
  const labels = layout?.labels ?? ['version/mode'];
  if (layout && texts.length !== labels.length) {
    out.problems.push(`a ${layout.mode} v1 value has ${labels.length} parts, this one has ${texts.length}`);
  }
  let at = 0;
  let byteAt = 0;
  texts.forEach((text, i) => {
    const label = labels[i] ?? 'extra';
    const part: InspectedPart = { label, text, start: at, end: at + text.length, encoding: 'base64url' };
    at += text.length + 1;
    // Under an unknown tag the parts after it follow a layout this build does not know: they are
    // text, and whether they are base64url says nothing.
    if (layout === undefined && i > 0) part.encoding = 'text';
    else describe(part, out, byteAt);
    if (part.bytes) byteAt = part.bytes.end;
    if (part.problem) out.problems.push(`${label}: ${part.problem}`);
    out.parts.push(part);
  });
  if (layout && texts.length >= 4) {
    const boundEnd = layout.mode === 'sealed' ? out.parts[3]!.end : (out.parts[4]?.end ?? value.length);
    out.boundText = `${value.slice(0, boundEnd)}.<cookie name>`;
  }
  return out;
}

function describe(part: InspectedPart, out: InspectedValue, byteAt: number): void {
  const { label, text } = part;
  if (label === 'version/mode') {
    part.encoding = 'text';
    if (out.mode) part.decoded = `v${out.version} ${out.mode}`;
    return;
  }
  if (label === 'key id') {
    part.encoding = 'text';
    if (KEY_ID_PATTERN.test(text)) out.keyId = part.decoded = text;
    else part.problem = 'not a key id ([A-Za-z0-9_-]{1,16})';
    return;
  }
  if (label === 'issued-at' || label === 'expires-at') {
    part.encoding = 'decimal';
    const seconds = parseTimeAt(text, 0, text.length);
    if (seconds < 0) {
      part.problem = 'not canonical decimal seconds';
      return;
    }
    part.decoded = seconds * 1000;
    if (label === 'issued-at') out.issuedAt = seconds * 1000;
    else out.expiresAt = seconds * 1000;
    return;
  }
  const bytes = decodeBase64url(text);
  if (bytes === null) {
    part.problem = 'not canonical unpadded base64url';
    return;
  }
  part.bytes = { start: byteAt, end: byteAt + bytes.length };
  const size = SIZES[label];
  if (size !== undefined && bytes.length !== size) part.problem = `must be ${size} bytes, is ${bytes.length}`;
  if ((label === 'ciphertext' || label === 'payload') && bytes.length === 0) part.problem = 'is empty';
  if (label === 'payload') {
    const json = utf8Decode(bytes);
    if (json === null) part.problem = 'not UTF-8';
    else part.decoded = json;
  }
}
