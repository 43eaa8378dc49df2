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
  assert.deepEqual(info.parts.slice(2, 4).map((p) => p.decoded), [T0 - 250, T0 - 250 + 3_600_000]);
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

test('reads a version only from a whole tag: 1 to 3 digits and one letter, nothing before or after', () => {
  assert.equal(inspectValue('10s.k').version, 10);
  assert.equal(inspectValue('999z.k').version, 999);
  for (const tag of ['x2s', '2sx', '1000s', 's', '2']) {
    const info = inspectValue(`${tag}.k`);
    assert.equal(info.version, null, tag);
    assert.match(info.problems[0]!, /^no version tag/, tag);
  }
});

test('labels the first part of a value it cannot read as its version/mode, with no decoded mode', () => {
  for (const value of ['2s.k.1.2', 'hello']) {
    const first = inspectValue(value).parts[0]!;
    assert.deepEqual([first.label, first.encoding, first.decoded], ['version/mode', 'text', undefined], value);
  }
});

test('shows the bound text of a header without a body', () => {
  assert.equal(inspectValue('1s.k.1.2').boundText, '1s.k.1.2.<cookie name>');
  assert.equal(inspectValue('1m.k.1.2').boundText, '1m.k.1.2.<cookie name>');
  assert.equal(inspectValue('1s.k.1').boundText, null);
});

test('flags a time that is empty, over 11 digits or not plain digits, and reads 0 as the epoch', () => {
  for (const time of ['', '123456789012', '1-2', '1a2', '+1', '01']) {
    const info = inspectValue(`1s.k.${time}.2`);
    assert.equal(info.parts[2]!.problem, 'not canonical decimal seconds', JSON.stringify(time));
    assert.equal(info.issuedAt, null);
  }
  const edges = inspectValue('1s.k.0.99999999999');
  assert.deepEqual([edges.issuedAt, edges.expiresAt], [0, 99_999_999_999_000]);
  assert.deepEqual(edges.problems, ['a sealed v1 value has 7 parts, this one has 4']);
});

test('gives an empty IV its size problem, keeping "is empty" for the ciphertext and payload', () => {
  const info = inspectValue(`1s.k.1.2..${'A'.repeat(4)}.${'A'.repeat(22)}`);
  assert.deepEqual(info.problems, ['iv: must be 12 bytes, is 0']);
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
