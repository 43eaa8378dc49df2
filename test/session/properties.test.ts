// Seeded property tests for the session layer. Rerun a failure with FUZZ_SEED=<seed in the failure message>.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Session } from '../../src/session/core/session.js';
import type { SessionRecord } from '../../src/session/core/session-record.js';
import { VerifiedCache } from '../../src/session/core/verified-cache.js';
import { copyFlat, flatValues } from '../../src/session/core/flat-values.js';
import { recordJson } from '../../src/session/core/session-record.js';
import type { SessionContext, Store } from '../../src/session/core/types.js';

import { fuzz } from '../fuzz/seed.js';

const ctx: SessionContext = { cookies: {}, setCookie() {}, deleteCookie() {}, onBeforeSend() {} };
const store = {} as Store;
const json = fc.jsonValue({ maxDepth: 3 });
const values = fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 5 });

test('a session is changed exactly when its values serialize differently', () => {
  fuzz(
    fc.property(values, values, (before, after) => {
      const record: SessionRecord = { i: 'id', c: 1, v: structuredClone(before) };
      const session = new Session({ name: 's', store, ctx, now: () => 0, record });
      session.values = structuredClone(after);
      assert.equal(session.changed, JSON.stringify(after) !== JSON.stringify(before));
    }),
    300,
  );
});

test('with a flat snapshot from the cache, a session is changed exactly when its values serialize differently', () => {
  const primitive = fc.oneof(fc.string({ maxLength: 4 }), fc.string({ unit: 'binary', maxLength: 3 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
  const flat = fc.dictionary(fc.constantFrom('a', 'b', 'c', '0', '__proto__', 'toJSON'), primitive, { maxKeys: 4 });
  let snapshots = 0;
  const edit = fc.tuple(fc.constantFrom('set', 'delete', 'readd', 'nest'), fc.constantFrom('a', 'b', 'c', '0', '__proto__'), fc.oneof(primitive, fc.constant(undefined), fc.constant(-0), fc.constant(Number.NaN)));
  fuzz(
    fc.property(flat, fc.array(edit, { maxLength: 3 }), (start, edits) => {
      const snapshot = JSON.stringify(start);
      const shared = flatValues(JSON.parse(snapshot))!;
      const record: SessionRecord = { i: 'id', c: 1, v: copyFlat(shared) };
      const session = new Session({ name: 's', store, ctx, now: () => 0, record, snapshot, flat: shared });
      const v = session.values as Record<string, unknown>;
      for (const [op, key, value] of edits) {
        if (op === 'set') Object.defineProperty(v, key, { value, enumerable: true, writable: true, configurable: true });
        else if (op === 'delete') delete v[key];
        else if (op === 'readd' && Object.hasOwn(v, key)) {
          const old = v[key];
          delete v[key];
          Object.defineProperty(v, key, { value: old, enumerable: true, writable: true, configurable: true });
        } else if (op === 'nest') Object.defineProperty(v, key, { value: [value ?? null], enumerable: true, writable: true, configurable: true });
      }
      assert.equal(session.changed, JSON.stringify(v) !== snapshot);
      // A changed session holding NaN or ±Infinity (which JSON would read back as null) is refused, not written.
      const nonFinite = Object.values(v).some((x) => (typeof x === 'number' || Array.isArray(x)) && [x].flat().some((n) => typeof n === 'number' && !Number.isFinite(n)));
      if (nonFinite && JSON.stringify(v) !== snapshot) {
        assert.throws(() => session.changedValuesJson(), (e: unknown) => (e as { code?: string }).code === 'ERR_DATA_INVALID');
        return;
      }
      // What a store would write is exactly JSON.stringify of the values.
      assert.equal(session.changedValuesJson(), JSON.stringify(v) !== snapshot ? JSON.stringify(v) : undefined);
      // After a save of what it built, the snapshot handed to the cache is what parsing the saved JSON gives.
      const saved = session.changedValuesJson() ?? JSON.stringify(v);
      session.markSaved(saved);
      const next = session.flatSnapshot;
      if (next !== undefined) {
        snapshots++;
        assert.deepEqual(next, flatValues(JSON.parse(saved)));
      }
      assert.equal(session.changedValuesJson(), undefined, 'unchanged right after the save');
      assert.equal(JSON.stringify(shared.values), snapshot, 'the shared snapshot is never written');
    }),
    1000,
  );
  assert.ok(snapshots > 200, `only ${snapshots} saves handed on a snapshot`);
});

test('a nested write anywhere in the values is seen', () => {
  fuzz(
    fc.property(values, fc.string({ maxLength: 4 }), json, (start, key, value) => {
      const session = new Session({ name: 's', store, ctx, now: () => 0, record: { i: 'id', c: 1, v: { box: { inner: structuredClone(start) } } } });
      const inner = (session.values['box'] as { inner: Record<string, unknown> }).inner;
      const before = JSON.stringify(inner);
      inner[key] = value;
      assert.equal(session.changed, JSON.stringify(inner) !== before);
    }),
    300,
  );
});

test('the verified cache never exceeds its bound and returns the last value set for a present key', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 12 }), value: fc.integer() }),
    fc.record({ kind: fc.constant('get' as const), key: fc.integer({ min: 0, max: 12 }) }),
  );
  fuzz(
    fc.property(fc.integer({ min: 1, max: 6 }), fc.array(op, { maxLength: 60 }), (max, ops) => {
      const cache = new VerifiedCache<number>({ maxEntries: max });
      const last = new Map<number, number>();
      let previous: number | undefined;
      for (const o of ops) {
        if (o.kind === 'set') {
          cache.set(String(o.key), o.value);
          last.set(o.key, o.value);
          previous = o.key;
        } else {
          const got = cache.get(String(o.key));
          if (got !== undefined) assert.equal(got, last.get(o.key));
        }
        assert.ok(cache.size <= max);
      }
      // the entry written last is never the one evicted by its own insertion
      if (previous !== undefined) assert.equal(cache.get(String(previous)), last.get(previous));
    }),
    300,
  );
});

test('a record built around its values\' JSON parses to the same record as JSON.stringify of it', () => {
  const id = fc.string({ maxLength: 24 });
  const record = fc.record(
    { i: id, c: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })), v: values, s: id, k: id, f: fc.dictionary(fc.string({ maxLength: 4 }), fc.array(json, { maxLength: 3 }), { maxKeys: 3 }) },
    { requiredKeys: ['i', 'c', 'v'] },
  );
  fuzz(
    fc.property(record, (r) => {
      const built = recordJson(r as SessionRecord, JSON.stringify(r.v));
      assert.deepEqual(JSON.parse(built), JSON.parse(JSON.stringify(r)));
    }),
    300,
  );
});

test('the values\' JSON reported for a write is the JSON of the values at that moment, or nothing when unchanged', () => {
  fuzz(
    fc.property(values, values, fc.boolean(), (before, after, regenerate) => {
      const session = new Session({ name: 's', store, ctx, now: () => 0, record: { i: 'id', c: 1, v: structuredClone(before) } });
      session.values = structuredClone(after);
      if (regenerate) session.regenerate();
      const expected = regenerate || JSON.stringify(after) !== JSON.stringify(before) ? JSON.stringify(after) : undefined;
      assert.equal(session.changedValuesJson(), expected);
    }),
    300,
  );
});
