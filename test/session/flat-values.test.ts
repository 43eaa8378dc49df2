import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { copyFlat, flatBuild, flatValues, sameFlat } from '../../src/session/core/flat-values.js';
import { fuzz } from '../fuzz/seed.js';

const parsed = (json: string): unknown => JSON.parse(json);

test('takes a plain object of strings, numbers, booleans and nulls as flat, keys in order', () => {
  const flat = flatValues(parsed('{"name":"Ada","n":1,"admin":true,"none":null,"2":"x"}'));
  assert.deepEqual(flat?.keys, ['2', 'name', 'n', 'admin', 'none']);
  assert.equal(flat?.values['name'], 'Ada');
  assert.deepEqual(flatValues(parsed('{}'))?.keys, []);
});

test('refuses nested objects, arrays and non-objects as flat', () => {
  for (const json of ['{"cart":[]}', '{"a":{"b":1}}', '[1,2]', 'null', '"text"', '3']) assert.equal(flatValues(parsed(json)), undefined, json);
  assert.equal(flatValues({ f: () => 1 }), undefined);
  assert.equal(flatValues({ u: undefined }), undefined);
});

test('copies into a fresh object that does not share writes with the snapshot', () => {
  const flat = flatValues(parsed('{"n":1,"__proto__":"p"}'))!;
  const copy = copyFlat(flat);
  assert.deepEqual(Object.keys(copy), ['n', '__proto__']);
  assert.equal(Object.getPrototypeOf(copy), Object.prototype, 'an own "__proto__" field, not a prototype');
  copy['n'] = 2;
  assert.equal(flat.values['n'], 1);
  assert.equal(sameFlat(copyFlat(flat), flat), true);
});

test('is the same only for equal own keys in equal order with identical values', () => {
  const flat = flatValues(parsed('{"a":"x","b":1}'))!;
  assert.equal(sameFlat({ a: 'x', b: 1 }, flat), true);
  assert.equal(sameFlat({ a: 'x', b: 2 }, flat), false, 'a changed value');
  assert.equal(sameFlat({ a: 'x' }, flat), false, 'a removed key');
  assert.equal(sameFlat({ a: 'x', b: 1, c: null }, flat), false, 'an added key');
  assert.equal(sameFlat({ b: 1, a: 'x' }, flat), false, 'another order serializes differently');
  assert.equal(sameFlat({ a: 'x', b: 1, c: undefined }, flat), false, 'undefined is left to the JSON comparison');
});

test('builds exactly JSON.stringify, and the snapshot parsing that JSON gives', () => {
  const flat = flatValues(parsed('{"a":"x","b":1,"__proto__":"p","0":true}'))!;
  const cases: Record<string, unknown>[] = [
    JSON.parse('{"0":true,"a":"x","b":2,"__proto__":"p"}') as Record<string, unknown>, // one changed, own __proto__ kept
    { 0: true, a: 'y\n"', b: 1 }, // a string that needs escaping, a key dropped
    { 0: true, a: 'x', b: 1, added: null }, // a key added
    { b: 1, a: 'x' }, // another order
    { a: '\ud800', b: 1 }, // a lone surrogate, escaped
    {},
  ];
  for (const values of cases) {
    const built = flatBuild(values, flat);
    const json = JSON.stringify(values);
    assert.equal(built?.json, json, json);
    assert.deepEqual(built?.next, flatValues(JSON.parse(json)), json);
    assert.notEqual(built?.next?.values, values, 'a copy: the request keeps its own object');
  }
});

test('a snapshot with the same keys in the same order shares the earlier snapshot\'s keys, and any other keys get their own', () => {
  // Every write's snapshot is kept by the verified cache: sharing the unchanged keys is one array
  // fewer per write to outlive the young generation (docs/benchmarks.md, "Write tail").
  const flat = flatValues(parsed('{"a":"x","b":1,"c":true}'))!;
  const keysBefore = [...flat.keys];
  assert.equal(flatBuild({ a: 'x', b: 2, c: true }, flat)?.next?.keys, flat.keys, 'a changed value');
  for (const values of [{ a: 'x', b: 1 }, { a: 'x', b: 1, c: true, d: null }, { b: 1, a: 'x', c: true }, { a: 'x', z: 1, c: true }]) {
    const next = flatBuild(values, flat)?.next;
    assert.notEqual(next?.keys, flat.keys, JSON.stringify(values));
    assert.deepEqual(next?.keys, Object.keys(values), JSON.stringify(values));
  }
  assert.deepEqual(flat.keys, keysBefore, 'the shared array is never written');
});

test('builds the JSON but no snapshot when parsing it would change a value', () => {
  const flat = flatValues(parsed('{"n":0}'))!;
  for (const values of [{ n: -0 }, { n: Number.NaN }, { n: Infinity }, { n: 0, m: -Infinity }]) {
    const built = flatBuild(values, flat);
    assert.equal(built?.json, JSON.stringify(values));
    assert.equal(built?.next, undefined, JSON.stringify(values));
  }
});

test('a snapshot copies what was read once, without symbol keys, as JSON.parse would give it', () => {
  const flat = flatValues(parsed('{"n":0}'))!;
  let reads = 0;
  const values: Record<string | symbol, unknown> = {};
  Object.defineProperty(values, 'n', { get: () => ++reads, enumerable: true });
  values[Symbol('s')] = 'hidden';
  const built = flatBuild(values, flat)!;
  assert.equal(built.json, '{"n":1}');
  assert.deepEqual(built.next, flatValues(JSON.parse(built.json)));
  assert.equal(reads, 1);
});

test('leaves anything JSON could serialize differently to JSON.stringify', () => {
  const flat = flatValues(parsed('{"0":"a"}'))!;
  assert.equal(flatBuild(['a'], flat), undefined, 'an array with the same keys');
  assert.equal(sameFlat(['a'], flat), false);
  class Values { 0 = 'a'; }
  assert.equal(flatBuild(new Values(), flat), undefined, 'a class instance');
  assert.equal(flatBuild({ 0: 'a', toJSON: () => ({}) }, flat), undefined, 'an own toJSON');
  assert.equal(sameFlat(Object.assign(Object.create({ toJSON: () => 'x' }) as object, { 0: 'a' }), flat), false, 'an inherited toJSON');
  assert.equal(flatBuild({ 0: 'a', u: undefined }, flat), undefined, 'undefined is skipped by JSON');
  assert.equal(flatBuild({ 0: 'a', n: { x: 1 } }, flat), undefined, 'a nested object');
  assert.equal(flatBuild({ 0: 'a', big: 1n }, flat), undefined, 'a BigInt, which JSON refuses');
  for (const value of [null, undefined, 'a', 1]) assert.equal(flatBuild(value, flat), undefined, String(value));
});

test('an enumerable key on Object.prototype sends the values to JSON.stringify rather than into the JSON', () => {
  const flat = flatValues(parsed('{"a":1,"b":2}'))!;
  Object.defineProperty(Object.prototype, 'b', { value: 2, enumerable: true, configurable: true });
  try {
    // the inherited b stands where the deleted own b was, with the same value: still not the snapshot
    assert.equal(sameFlat({ a: 1 }, flat), false);
    assert.equal(flatBuild({ a: 1 }, flat), undefined);
    assert.equal(flatBuild({ a: 3 }, flat), undefined);
  } finally {
    delete (Object.prototype as Record<string, unknown>)['b'];
  }
});

test('property: member texts cut from the JSON are the ones serializing each member gives', () => {
  const text = fc.oneof(fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 4 }), fc.constantFrom('"', '\\', ',', '","', '\\"', ':'));
  const primitive = fc.oneof(text, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
  fuzz(
    fc.property(fc.dictionary(text, primitive, { maxKeys: 8 }), (values) => {
      const json = JSON.stringify(values);
      assert.deepEqual(flatValues(JSON.parse(json), json), flatValues(JSON.parse(json)));
    }),
    2000,
  );
});
