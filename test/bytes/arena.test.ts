import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempBytes, tempUtf8, tempAscii } from '../../src/bytes/arena.js';

test('hands out zero-filled views that never overlap', () => {
  const views = Array.from({ length: 2000 }, (_, i) => tempBytes(1 + (i % 97)));
  views.forEach((v, i) => {
    assert.ok(v.every((b) => b === 0));
    v.fill((i % 255) + 1);
  });
  views.forEach((v, i) => assert.ok(v.every((b) => b === (i % 255) + 1), `view ${i} was overwritten`));
});

test('gives large requests their own buffer', () => {
  const big = tempBytes(20_000);
  assert.equal(big.length, 20_000);
  assert.equal(big.byteOffset, 0);
  assert.equal(big.buffer.byteLength, 20_000);
});

test('encodes UTF-8 like TextEncoder, and the unwritten tail is handed out again zeroed', () => {
  for (const text of ['', 'ascii', 'é', '☃ snow', '𝄞 clef', 'x'.repeat(30_000)]) {
    assert.deepEqual(tempUtf8(text), new TextEncoder().encode(text));
  }
  const a = tempUtf8('abc');
  const b = tempBytes(6);
  assert.ok(b.every((x) => x === 0));
  if (a.buffer === b.buffer) assert.equal(b.byteOffset, a.byteOffset + 3);
  assert.deepEqual(a, new TextEncoder().encode('abc'));
});

test('starts a new chunk when the current one is used up, leaving old views intact', () => {
  const first = tempBytes(10).fill(7);
  for (let i = 0; i < 10; i++) tempBytes(16_000);
  const later = tempBytes(10);
  assert.notEqual(later.buffer, first.buffer);
  assert.ok(first.every((x) => x === 7));
});

test('copies the character codes of an ASCII range, and refuses a range with any non-ASCII character', () => {
  assert.deepEqual(tempAscii('1s.-_8', 3, 6), new Uint8Array([45, 95, 56]));
  assert.deepEqual(tempAscii('abc', 0, 3), new Uint8Array([97, 98, 99]));
  assert.deepEqual(tempAscii('abc', 1, 1), new Uint8Array(0));
  for (const text of ['é', 'abé', 'ab\u0080', '\ud834\udd1e', 'a\ud834', '\u00ff']) assert.equal(tempAscii(text, 0, text.length), null, JSON.stringify(text));
  assert.deepEqual(tempAscii('é.AB', 2, 4), new Uint8Array([65, 66]));
});

/** Takes views until one starts a fresh chunk, and returns it: the next view follows it. */
function freshChunk(length: number): Uint8Array<ArrayBuffer> {
  // 64 KiB chunks: a fresh one comes within 65,536 / length + 1 requests.
  for (let i = 0; i <= 65_536 / length + 1; i++) {
    const view = tempBytes(length);
    if (view.byteOffset === 0 && view.buffer.byteLength === 65_536) return view;
  }
  throw new Error(`no request of ${length} bytes started a shared 64 KiB chunk`);
}

test('carves requests of up to a quarter chunk from the shared chunk, side by side', () => {
  const a = freshChunk(16);
  const b = tempBytes(16_384);
  const c = tempBytes(1);
  assert.equal(b.buffer, a.buffer);
  assert.equal(b.byteOffset, 16);
  assert.equal(c.buffer, a.buffer);
  assert.equal(c.byteOffset, 16 + 16_384);
  const own = tempBytes(16_385);
  assert.notEqual(own.buffer, a.buffer);
  assert.equal(own.buffer.byteLength, 16_385);
});

test('fills a chunk to its last byte before it starts another', () => {
  const first = freshChunk(16_384);
  const rest = [tempBytes(16_384), tempBytes(16_384), tempBytes(16_384)];
  for (const view of rest) assert.equal(view.buffer, first.buffer);
  assert.equal(rest[2]!.byteOffset + rest[2]!.length, 65_536);
  const next = tempBytes(1);
  assert.notEqual(next.buffer, first.buffer);
  assert.equal(next.byteOffset, 0);
});

test('a text too long for the shared chunk gives back no room in it, so no later view overlaps an earlier one', () => {
  // 5,462 characters need 16,386 bytes of room: their own buffer. The chunk is left with exactly
  // 16,386 bytes used, the same number, so only the buffer check keeps the give-back away.
  const early = freshChunk(16_384);
  const tail = tempBytes(2);
  early.fill(7);
  tail.fill(7);
  const long = tempUtf8('a'.repeat(5462));
  assert.notEqual(long.buffer, early.buffer);
  const later = tempBytes(64);
  assert.ok(later.every((x) => x === 0), 'a later view reuses bytes already handed out');
  assert.ok(early.every((x) => x === 7) && tail.every((x) => x === 7));
});
