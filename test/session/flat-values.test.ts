import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFlat, flatJson, flatValues, nextFlat } from '../../src/session/flat-values.js';

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
  const json = '{"n":1,"__proto__":"p"}';
  assert.equal(flatJson(copyFlat(flat), flat, json), json);
});

test('gives the snapshot string itself when nothing changed, else exactly JSON.stringify', () => {
  const snapshot = '{"a":"x","b":1}';
  const flat = flatValues(parsed(snapshot))!;
  assert.equal(flatJson({ a: 'x', b: 1 }, flat, snapshot), snapshot);
  const cases: Record<string, unknown>[] = [
    { a: 'x', b: 2 }, // a changed value
    { a: 'y\n"', b: 1 }, // a string that needs escaping
    { a: 'x' }, // a removed key
    { b: 1 }, // the first key removed
    { a: 'x', b: 1, c: null }, // an added key
    { b: 1, a: 'x' }, // another order serializes differently
    { a: 'x', b: Number.NaN, c: -0, d: Infinity, e: true, f: false }, // numbers JSON writes its own way
    { a: '\ud800', b: 1 }, // a lone surrogate, escaped
    {},
  ];
  for (const values of cases) assert.equal(flatJson(values, flat, snapshot), JSON.stringify(values), JSON.stringify(values));
});

test('leaves anything JSON could serialize differently to JSON.stringify', () => {
  const flat = flatValues(parsed('{"0":"a"}'))!;
  const s = '{"0":"a"}';
  assert.equal(flatJson(['a'], flat, s), undefined, 'an array with the same keys');
  class Values { 0 = 'a'; }
  assert.equal(flatJson(new Values(), flat, s), undefined, 'a class instance');
  assert.equal(flatJson({ 0: 'a', toJSON: () => ({}) }, flat, s), undefined, 'an own toJSON');
  assert.equal(flatJson(Object.assign(Object.create({ toJSON: () => 'x' }) as object, { 0: 'a' }), flat, s), undefined, 'an inherited toJSON');
  assert.equal(flatJson({ 0: 'a', u: undefined }, flat, s), undefined, 'undefined is skipped by JSON');
  assert.equal(flatJson({ 0: 'a', n: { x: 1 } }, flat, s), undefined, 'a nested object');
  assert.equal(flatJson({ 0: 'a', big: 1n }, flat, s), undefined, 'a BigInt, which JSON refuses');
  for (const value of [null, undefined, 'a', 1]) assert.equal(flatJson(value, flat, s), undefined, String(value));
});

test('an enumerable key on Object.prototype sends the values to JSON.stringify rather than into the JSON', () => {
  const flat = flatValues(parsed('{"a":1,"b":2}'))!;
  Object.defineProperty(Object.prototype, 'b', { value: 2, enumerable: true, configurable: true });
  try {
    // the inherited b stands where the deleted own b was, with the same value: still not the snapshot
    assert.equal(flatJson({ a: 1 }, flat, '{"a":1,"b":2}'), undefined);
    assert.equal(flatJson({ a: 3 }, flat, '{"a":1,"b":2}'), undefined);
  } finally {
    delete (Object.prototype as Record<string, unknown>)['b'];
  }
});

test('the snapshot after a save is what parsing the saved JSON gives, built without parsing', () => {
  const loaded = flatValues(parsed('{"a":"x","n":1,"__proto__":"p","0":true}'))!;
  const cases: Record<string, unknown>[] = [
    JSON.parse('{"0":true,"a":"x","n":2,"__proto__":"p"}') as Record<string, unknown>, // one changed, own __proto__ kept
    { 0: true, a: 'y\n"', n: 1 }, // a string that needs escaping, a key dropped
    { 0: true, a: 'x', n: 1, added: null }, // a key added
    {},
  ];
  for (const current of cases) {
    const next = nextFlat(current, loaded);
    const json = JSON.stringify(current);
    assert.deepEqual(next, flatValues(JSON.parse(json)), json);
    assert.equal(`{${next!.members.join(',')}}`, json);
    assert.notEqual(next!.values, current, 'a copy: the request keeps its own object');
  }
});

test('no snapshot after a save when parsing would change a value or the values are not flat', () => {
  const loaded = flatValues(parsed('{"n":0}'))!;
  for (const current of [{ n: -0 }, { n: Number.NaN }, { n: Infinity }, { n: 0, u: undefined }, { n: 0, o: {} }, [0], new (class { n = 0; })()]) {
    assert.equal(nextFlat(current, loaded), undefined, String(current));
  }
});
