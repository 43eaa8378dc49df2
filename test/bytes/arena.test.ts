import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempBytes, tempUtf8 } from '../../src/bytes/arena.js';

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
