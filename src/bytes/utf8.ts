/**
 * UTF-8 helpers on the Web-platform `TextEncoder` / `TextDecoder` (no `Buffer`).
 * @module
 */

const encoder = new TextEncoder();
// fatal: a lone surrogate or an overlong sequence is an error, not U+FFFD. A sealed payload
// that is not valid UTF-8 was not made by cachet, and silently repairing it would hide that.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Encodes a string as UTF-8 bytes.
 *
 * @example
 * ```ts
 * utf8Encode('é'); // Uint8Array [195, 169]
 * ```
 */
export function utf8Encode(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

/**
 * Decodes UTF-8 bytes strictly; returns `null` for invalid UTF-8 instead of inserting U+FFFD.
 *
 * @example
 * ```ts
 * utf8Decode(new Uint8Array([195, 169])); // 'é'
 * utf8Decode(new Uint8Array([195])); // null
 * ```
 */
export function utf8Decode(bytes: Uint8Array): string | null {
  try {
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}
