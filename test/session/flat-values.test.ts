import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFlat, flatValues, sameFlat } from '../../src/session/flat-values.js';

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

test('is the same only for equal keys in equal order with identical values', () => {
  const flat = flatValues(parsed('{"a":"x","b":1}'))!;
  assert.equal(sameFlat({ a: 'x', b: 1 }, flat), true);
  assert.equal(sameFlat({ a: 'x', b: 2 }, flat), false, 'a changed value');
  assert.equal(sameFlat({ a: 'x' }, flat), false, 'a removed key');
  assert.equal(sameFlat({ a: 'x', b: 1, c: null }, flat), false, 'an added key');
  assert.equal(sameFlat({ b: 1, a: 'x' }, flat), false, 'another order serializes differently');
  assert.equal(sameFlat({ a: 'x', b: 1, c: undefined }, flat), false, 'undefined is left to the JSON comparison');
});

test('leaves anything JSON could serialize differently to the JSON comparison', () => {
  const flat = flatValues(parsed('{"0":"a"}'))!;
  assert.equal(sameFlat(['a'], flat), false, 'an array with the same keys');
  class Values { 0 = 'a'; }
  assert.equal(sameFlat(new Values(), flat), false, 'a class instance');
  assert.equal(sameFlat({ 0: 'a', toJSON: () => ({}) }, flat), false, 'an own toJSON');
  assert.equal(sameFlat(Object.assign(Object.create({ toJSON: () => 'x' }) as object, { 0: 'a' }), flat), false, 'an inherited toJSON');
  for (const value of [null, undefined, 'a', 1]) assert.equal(sameFlat(value, flat), false, String(value));
});
