import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { inspectValue } from '../../src/codec/inspect.js';
import { setup, T0 } from './codec-suite.js';

import { fuzz, seed } from '../fuzz/seed.js';

test('labels every part of a sealed value with character and byte offsets', async () => {
  const { codec } = await setup('sealed');
  const value = await codec.encode('session', { userId: 'u1' });
  const info = inspectValue(value);
  assert.deepEqual(info.problems, []);
  assert.equal(info.version, 1);
  assert.equal(info.mode, 'sealed');
  assert.equal(info.keyId, 'k-new');
  assert.equal(info.issuedAt, T0 - 250);
  assert.equal(info.expiresAt, T0 - 250 + 3_600_000);
  assert.deepEqual(info.parts.map((p) => p.label), ['version/mode', 'key id', 'issued-at', 'expires-at', 'iv', 'ciphertext', 'tag']);
  for (const p of info.parts) assert.equal(value.slice(p.start, p.end), p.text);
  const [iv, ct, tag] = info.parts.slice(4);
  assert.deepEqual(iv!.bytes, { start: 0, end: 12 });
  assert.deepEqual(ct!.bytes, { start: 12, end: 12 + '{"userId":"u1"}'.length });
  assert.deepEqual(tag!.bytes, { start: ct!.bytes!.end, end: ct!.bytes!.end + 16 });
  assert.equal(info.parts[0]!.decoded, 'v1 sealed');
  assert.equal(info.boundText, `${value.split('.').slice(0, 4).join('.')}.<cookie name>`);
});

test('shows the readable payload of a signed value, unverified', async () => {
  const { codec } = await setup('signed');
  const value = await codec.encode('session', { userId: 'u1' });
  const info = inspectValue(value);
  assert.deepEqual(info.problems, []);
  assert.equal(info.mode, 'signed');
  const payload = info.parts.find((p) => p.label === 'payload')!;
  assert.equal(payload.decoded, '{"userId":"u1"}');
  assert.deepEqual(info.parts.find((p) => p.label === 'mac')!.bytes, { start: 15, end: 47 });
  assert.equal(info.boundText, `${value.split('.').slice(0, 5).join('.')}.<cookie name>`);
});

test('names what is wrong with a damaged value instead of throwing', async () => {
  const { codec } = await setup('sealed');
  const p = (await codec.encode('session', 1)).split('.');
  const short = inspectValue([...p.slice(0, 4), 'AAAAAAAAAAAAAA', ...p.slice(5)].join('.'));
  assert.deepEqual(short.problems, ['iv: must be 12 bytes, is 10']);
  assert.match(inspectValue([p[0], 'bad id!', '0123', ...p.slice(3)].join('.')).problems.join('\n'), /key id: not a key id[\s\S]*issued-at: not canonical/);
  assert.match(inspectValue(`${p.join('.')}.more`).problems.join('\n'), /has 8/);
  assert.match(inspectValue(p.slice(0, 6).join('.').concat('=')).problems.join('\n'), /not canonical/);
  assert.equal(inspectValue(p.slice(0, 2).join('.')).boundText, null);
  assert.deepEqual(inspectValue('2s.k.1.2.x').problems[0], 'unknown version or mode "2s" (this build reads 1s and 1m)');
  assert.equal(inspectValue('2s.k').version, 2);
  assert.match(inspectValue('hello').problems[0]!, /no version tag/);
  assert.deepEqual(inspectValue('').problems, ['the value is empty']);
  assert.deepEqual(inspectValue(undefined as unknown as string).problems, ['the value is not a string']);
  const proto = inspectValue('__proto__.a.b');
  assert.equal(proto.mode, null);
  assert.equal(proto.parts[1]!.label, 'extra');
});

test('flags an empty or non-UTF-8 payload and an empty ciphertext', () => {
  assert.match(inspectValue('1m.k.1.2..' + 'A'.repeat(43)).problems.join(), /payload: is empty/);
  assert.match(inspectValue('1m.k.1.2.ww.' + 'A'.repeat(43)).problems.join(), /payload: not UTF-8/);
  assert.match(inspectValue('1s.k.1.2.' + 'A'.repeat(16) + '..' + 'A'.repeat(22)).problems.join(), /ciphertext: is empty/);
});

test(`never throws, whatever the string (seed ${seed})`, () => {
  fuzz(
    fc.property(fc.string({ unit: fc.constantFrom(...'1sm.AZaz09-_=+/ é'.split('')), maxLength: 80 }), (text) => {
      const info = inspectValue(text);
      for (const p of info.parts) assert.equal(text.slice(p.start, p.end), p.text);
    }),
    500,
  );
});
