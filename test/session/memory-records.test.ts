import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryRecords } from '../../src/session/server-store/memory/memory-records.js';
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

  it('is empty after close', async () => {
    const b = new MemoryRecords({ maxEntries: 10, now: () => T0 });
    await b.set(record({ subject: 'a' }));
    await b.close();
    assert.equal(b.size, 0);
    assert.deepEqual(await b.listBySubject('a'), []);
  });
});
