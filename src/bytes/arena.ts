/**
 * Short-lived byte buffers, carved from shared 64 KiB chunks.
 *
 * Why: a fresh `Uint8Array` over 64 bytes gets its own off-heap backing store, and on Node 20
 * that costs ~0.9 us for 200 bytes, while a view into an existing chunk costs ~0.1 us; and
 * `TextEncoder.encode` costs ~3 us for a 160-byte session where `encodeInto` an existing chunk
 * costs ~0.5 us (measured). A cookie round trip needs a few such buffers, only until Web Crypto
 * has copied them (it does so synchronously, as the WebCrypto spec requires).
 *
 * Safety: memory is never reused. Each view is handed out once; a used-up chunk is dropped,
 * not rewritten, and the garbage collector frees it once its last view is gone. So a view can
 * never change under its holder, whatever that holder does with it. Only for buffers that die
 * with the request: a view kept for long keeps its whole chunk alive.
 * @module
 */

const CHUNK_BYTES = 65_536;
let chunk = new ArrayBuffer(CHUNK_BYTES);
let used = 0;

/**
 * A zero-filled buffer of `length` bytes that nobody else will ever write to.
 *
 * @example
 * ```ts
 * const scratch = tempBytes(28); // e.g. iv | tag, handed to crypto.subtle and dropped
 * ```
 */
export function tempBytes(length: number): Uint8Array<ArrayBuffer> {
  if (length > CHUNK_BYTES >> 2) return new Uint8Array(length);
  if (used + length > CHUNK_BYTES) {
    chunk = new ArrayBuffer(CHUNK_BYTES);
    used = 0;
  }
  const view = new Uint8Array(chunk, used, length);
  used += length;
  return view;
}

const encoder = new TextEncoder();

/**
 * UTF-8 bytes of `text` in a {@link tempBytes} buffer.
 *
 * @example
 * ```ts
 * tempUtf8('é'); // Uint8Array [195, 169]
 * ```
 */
export function tempUtf8(text: string): Uint8Array<ArrayBuffer> {
  // A UTF-16 code unit never needs more than 3 UTF-8 bytes (a surrogate pair: 4 bytes for 2 units).
  const room = tempBytes(text.length * 3);
  const { written } = encoder.encodeInto(text, room);
  // Give back what was not written, when nothing was handed out after us (always, here: synchronous).
  if (room.buffer === chunk && room.byteOffset + room.length === used) used -= room.length - written;
  return room.subarray(0, written);
}
