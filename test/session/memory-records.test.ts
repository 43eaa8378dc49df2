import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryRecords } from '../../src/session/server-store/memory/memory-records.js';
import { serializeRecord, type StoredRecord } from '../../src/session/server-store/stored-record.js';
import { utf8ByteLength } from '../../src/cookie/size.js';
import { record, runBackendSuite } from './record-backend.case.js';

runBackendSuite('memory', async (now) => {
  const backend = new MemoryRecords({ maxEntries: 1000, now });
  return { backend, dispose: () => backend.close() };
});

describe('MemoryRecords', () => {
  const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);

  it('evicts the least recently used record when full, and drops it from its subject index', async () => {
    const b = new MemoryRecords({ maxEntries: 2, now: () => T0 });
    const first = record({ subject: 'alice' });
    const second = record({ subject: 'alice' });
    const third = record({ subject: 'bob' });
    await b.set(first);
    await b.set(second);
    await b.get(first.id); // first is now the most recently used
    await b.set(third);
    assert.equal(b.size, 2);
    assert.equal(await b.get(second.id), undefined);
    assert.ok(await b.get(first.id));
    assert.deepEqual((await b.listBySubject('alice')).map((r) => r.id), [first.id]);
    assert.equal(await b.deleteBySubject('alice'), 1);
  });

  it('sweeps expired records and their index entries', async () => {
    const clock = { t: T0 };
    const b = new MemoryRecords({ maxEntries: 10, now: () => clock.t });
    const short = record({ subject: 'alice', expiresAt: T0 + 10 });
    const long = record({ subject: 'alice', expiresAt: T0 + 20 });
    await b.set(short);
    await b.set(long);
    clock.t = T0 + 10;
    assert.equal(b.sweep(), 1);
    assert.equal(b.size, 1);
    assert.deepEqual((await b.listBySubject('alice')).map((r) => r.id), [long.id]);
    clock.t = T0 + 20;
    assert.equal(b.sweep(), 1);
    assert.equal(b.size, 0);
  });

  it('retires expired records from the least recently used end as it writes', async () => {
    const clock = { t: T0 };
    const b = new MemoryRecords({ maxEntries: 10, now: () => clock.t });
    const old = [record({ subject: 'a', expiresAt: T0 + 10 }), record({ expiresAt: T0 + 10 }), record({ expiresAt: T0 + 10 })];
    for (const r of old) await b.set(r);
    clock.t = T0 + 10;
    await b.set(record({ expiresAt: T0 + 100 }));
    assert.equal(b.size, 2, 'two of the three expired records went');
    await b.set(record({ expiresAt: T0 + 100 }));
    assert.equal(b.size, 2, 'the third went, the live ones stay');
  });

  /** What `records` take, counted as the backend counts: their JSON in UTF-8. */
  const sizeOf = (...records: StoredRecord[]) => records.reduce((sum, r) => sum + utf8ByteLength(serializeRecord(r)), 0);

  it('evicts the least recently used records when their bytes pass maxBytes, and drops them from their subject index', async () => {
    const first = record({ subject: 'alice' });
    const second = record({ subject: 'alice' });
    const third = record({ subject: 'bob', data: { i: 'x', c: T0, v: { note: 'é'.repeat(40) } } });
    const b = new MemoryRecords({ maxEntries: 100, maxBytes: sizeOf(first, second, third) - 1, now: () => T0 });
    await b.set(first);
    await b.set(second);
    await b.get(first.id); // first is now the most recently used
    assert.equal(b.bytes, sizeOf(first, second));
    await b.set(third);
    assert.equal(b.size, 2, 'one byte over: one record went');
    assert.equal(await b.get(second.id), undefined, 'the least recently used one');
    assert.ok(await b.get(first.id));
    assert.ok(await b.get(third.id));
    assert.equal(b.bytes, sizeOf(first, third));
    assert.deepEqual((await b.listBySubject('alice')).map((r) => r.id), [first.id]);
  });

  it('keeps a record larger than maxBytes alone, and only it', async () => {
    const small = record();
    const large = record({ data: { i: 'x', c: T0, v: { note: 'x'.repeat(2000) } } });
    const b = new MemoryRecords({ maxEntries: 100, maxBytes: sizeOf(large) - 1, now: () => T0 });
    await b.set(small);
    await b.set(large);
    assert.equal(b.size, 1);
    assert.ok(await b.get(large.id), 'a write never evicts its own record');
    assert.equal(b.bytes, sizeOf(large));
    await b.set(small);
    assert.equal(b.size, 1, 'the next write evicts it');
    assert.equal(b.bytes, sizeOf(small));
  });

  it('gives back the bytes of every record that goes: overwritten, deleted, expired, swept, by subject', async () => {
    const clock = { t: T0 };
    const b = new MemoryRecords({ maxEntries: 100, now: () => clock.t });
    const a = record({ subject: 'alice' });
    const a2 = { ...a, data: { i: 'x', c: T0, v: { note: 'ü'.repeat(30) } } };
    const c = record({ subject: 'carol' });
    const short = record({ expiresAt: T0 + 10 });
    const swept = record({ expiresAt: T0 + 10 });
    for (const r of [a, c, short, swept]) await b.set(r);
    assert.equal(b.bytes, sizeOf(a, c, short, swept));
    await b.set(a2);
    assert.equal(b.bytes, sizeOf(a2, c, short, swept), 'an overwrite counts the new text only');
    clock.t = T0 + 10;
    assert.equal(await b.get(short.id), undefined);
    assert.equal(b.bytes, sizeOf(a2, c, swept), 'expired on read');
    assert.equal(b.sweep(), 1);
    assert.equal(b.bytes, sizeOf(a2, c));
    assert.equal(await b.delete(c.id), true);
    assert.equal(b.bytes, sizeOf(a2));
    assert.equal(await b.deleteBySubject('alice'), 1);
    assert.equal(b.bytes, 0);
    await b.set(record());
    await b.close();
    assert.equal(b.bytes, 0, 'and all of them on close');
  });

  it('is empty after close', async () => {
    const b = new MemoryRecords({ maxEntries: 10, now: () => T0 });
    await b.set(record({ subject: 'a' }));
    await b.close();
    assert.equal(b.size, 0);
    assert.deepEqual(await b.listBySubject('a'), []);
  });
});
