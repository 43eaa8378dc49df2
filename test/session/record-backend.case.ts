// The shared suite every record backend (memory, file, Redis) must pass. Not a test file itself:
// memory-records.test.ts, file-records-store.test.ts and redis-records.test.ts run it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { randomId } from '../../src/session/core/session-record.js';
import type { RecordBackend, StoredRecord } from '../../src/session/server-store/stored-record.js';

/** A fresh, empty backend on the given clock, and how to dispose of it. */
export type BackendFactory = (now: () => number) => Promise<{ backend: RecordBackend; dispose: () => Promise<void> }>;

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const HOUR = 3_600_000;

export function record(overrides: Partial<StoredRecord> = {}): StoredRecord {
  return {
    id: randomId(),
    subject: undefined,
    createdAt: T0,
    lastSeenAt: T0,
    expiresAt: T0 + HOUR,
    userAgent: 'Mozilla/5.0 (test)',
    ip: '192.0.2.7',
    data: { i: 'x', c: T0, v: { cart: [1, 2, 3], name: 'Zoë' } },
    ...overrides,
  };
}

const ids = (records: StoredRecord[]): string[] => records.map((r) => r.id).sort();

export function runBackendSuite(name: string, factory: BackendFactory, options: { skip?: string | undefined } = {}): void {
  describe(`record backend: ${name}`, { skip: options.skip ?? false }, () => {
    async function withBackend(fn: (backend: RecordBackend, clock: { t: number }) => Promise<void>): Promise<void> {
      const clock = { t: T0 };
      const { backend, dispose } = await factory(() => clock.t);
      try {
        await fn(backend, clock);
      } finally {
        await dispose();
      }
    }

    it('returns nothing for an id it never stored', () =>
      withBackend(async (b) => {
        assert.equal(await b.get(randomId()), undefined);
      }));

    it('returns a stored record unchanged, metadata and data included', () =>
      withBackend(async (b) => {
        const r = record({ subject: 'user-1' });
        await b.set(r);
        assert.deepEqual(await b.get(r.id), r);
      }));

    it('keeps absent metadata absent', () =>
      withBackend(async (b) => {
        const r = record({ userAgent: undefined, ip: undefined });
        await b.set(r);
        assert.deepEqual(await b.get(r.id), r);
      }));

    it('hands out copies, so changing a returned record changes nothing stored', () =>
      withBackend(async (b) => {
        const r = record();
        await b.set(r);
        const got = (await b.get(r.id)) as StoredRecord;
        (got.data as { v: { name: string } }).v.name = 'changed';
        assert.deepEqual(await b.get(r.id), r);
      }));

    it('replaces a record written again under the same id', () =>
      withBackend(async (b) => {
        const r = record();
        await b.set(r);
        const next = { ...r, lastSeenAt: T0 + 5, data: { v: 2 } };
        await b.set(next);
        assert.deepEqual(await b.get(r.id), next);
      }));

    it('only replaces, never re-creates, when asked to write only if the record exists', () =>
      withBackend(async (b) => {
        const r = record({ subject: 'alice' });
        assert.equal(await b.set(r, true), false);
        assert.equal(await b.get(r.id), undefined);
        assert.deepEqual(await b.listBySubject('alice'), []);
        assert.equal(await b.set(r), true);
        const next = { ...r, data: { v: 2 } };
        assert.equal(await b.set(next, true), true);
        assert.deepEqual(await b.get(r.id), next);
        await b.delete(r.id);
        assert.equal(await b.set(next, true), false, 'a deleted record stays deleted');
        assert.equal(await b.get(r.id), undefined);
        assert.deepEqual(await b.listBySubject('alice'), []);
      }));

    it('forgets a record once its expiry time has passed', () =>
      withBackend(async (b, clock) => {
        const r = record();
        await b.set(r);
        clock.t = r.expiresAt - 1;
        assert.ok(await b.get(r.id));
        clock.t = r.expiresAt;
        assert.equal(await b.get(r.id), undefined);
      }));

    it('says whether a delete removed a live record: yes once, then no; no for an expired one', () =>
      withBackend(async (backend, clock) => {
        const r = record({ subject: 'alice' });
        await backend.set(r);
        assert.equal(await backend.delete(r.id), true);
        assert.equal(await backend.delete(r.id), false, 'already gone');
        assert.equal(await backend.delete(record().id), false, 'never stored');
        const old = record({ expiresAt: T0 + 1000 });
        await backend.set(old);
        clock.t = T0 + 1000;
        assert.equal(await backend.delete(old.id), false, 'expired: nothing live went');
      }));

    it('does not store a record that has already expired', () =>
      withBackend(async (b) => {
        const r = record({ expiresAt: T0 - 1, subject: 'u' });
        await b.set(r);
        assert.equal(await b.get(r.id), undefined);
        assert.deepEqual(await b.listBySubject('u'), []);
      }));

    it('deletes a record, and deleting an unknown id is not an error', () =>
      withBackend(async (b) => {
        const r = record({ subject: 'u' });
        await b.set(r);
        await b.delete(r.id);
        await b.delete(r.id);
        await b.delete(randomId());
        assert.equal(await b.get(r.id), undefined);
        assert.deepEqual(await b.listBySubject('u'), []);
      }));

    it('treats ids that are not session ids as absent, path tricks included', () =>
      withBackend(async (b) => {
        for (const id of ['', '../../etc/passwd', 'a/b', 'x'.repeat(23), 'short', '..\\..\\boot.ini', 'AAAAAAAAAAAAAAAAAAAA%2F']) {
          assert.equal(await b.get(id), undefined, id);
          await b.delete(id);
        }
      }));

    it('lists the live sessions of one subject and nobody else', () =>
      withBackend(async (b, clock) => {
        const a1 = record({ subject: 'alice' });
        const a2 = record({ subject: 'alice', expiresAt: T0 + 2 * HOUR });
        const bob = record({ subject: 'bob' });
        const anon = record();
        for (const r of [a1, a2, bob, anon]) await b.set(r);
        assert.deepEqual(ids(await b.listBySubject('alice')), ids([a1, a2]));
        assert.deepEqual(ids(await b.listBySubject('bob')), [bob.id]);
        assert.deepEqual(await b.listBySubject('carol'), []);
        clock.t = T0 + HOUR; // a1 expires, a2 lives on
        assert.deepEqual(ids(await b.listBySubject('alice')), [a2.id]);
      }));

    it('moves a session to its new subject when it is written with another one', () =>
      withBackend(async (b) => {
        const r = record({ subject: 'alice' });
        await b.set(r);
        await b.set({ ...r, subject: 'bob' });
        assert.deepEqual(await b.listBySubject('alice'), []);
        assert.deepEqual(ids(await b.listBySubject('bob')), [r.id]);
        await b.set({ ...r, subject: undefined });
        assert.deepEqual(await b.listBySubject('bob'), []);
        assert.ok(await b.get(r.id));
      }));

    it('accepts any string as a subject', () =>
      withBackend(async (b) => {
        for (const subject of ['../../etc', 'a/b\\c', 'Zoë 🍪', 'cachet:session:x', ' ', 'x'.repeat(500)]) {
          const r = record({ subject });
          await b.set(r);
          assert.deepEqual(ids(await b.listBySubject(subject)), [r.id], subject);
        }
      }));

    it('deletes every session of a subject but the excepted ones, and counts them', () =>
      withBackend(async (b) => {
        const keep = record({ subject: 'alice' });
        const drop1 = record({ subject: 'alice' });
        const drop2 = record({ subject: 'alice' });
        const bob = record({ subject: 'bob' });
        for (const r of [keep, drop1, drop2, bob]) await b.set(r);
        assert.equal(await b.deleteBySubject('alice', new Set([keep.id])), 2);
        assert.deepEqual(ids(await b.listBySubject('alice')), [keep.id]);
        assert.equal(await b.get(drop1.id), undefined);
        assert.equal(await b.get(drop2.id), undefined);
        assert.ok(await b.get(bob.id));
        assert.equal(await b.deleteBySubject('alice'), 1);
        assert.equal(await b.get(keep.id), undefined);
        assert.equal(await b.deleteBySubject('nobody'), 0);
      }));

    it('agrees with a plain model over random sequences of writes, deletes, listings and clock ticks', async () => {
      const pool = [randomId(), randomId(), randomId(), randomId()];
      const subjects = ['alice', 'bob', undefined] as const;
      const op = fc.oneof(
        fc.record({ kind: fc.constant('set' as const), id: fc.nat(3), subject: fc.nat(2), ttl: fc.integer({ min: 0, max: 4 }), only: fc.boolean(), v: fc.nat(9) }),
        fc.record({ kind: fc.constant('delete' as const), id: fc.nat(3) }),
        fc.record({ kind: fc.constant('get' as const), id: fc.nat(3) }),
        fc.record({ kind: fc.constant('list' as const), subject: fc.nat(1) }),
        fc.record({ kind: fc.constant('deleteBySubject' as const), subject: fc.nat(1), except: fc.nat(4) }),
        fc.record({ kind: fc.constant('tick' as const), seconds: fc.integer({ min: 1, max: 2 }) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 10, maxLength: 30 }), async (ops) => {
          await withBackend(async (b, clock) => {
            const model = new Map<string, StoredRecord>();
            const live = (id: string) => {
              const r = model.get(id);
              return r !== undefined && r.expiresAt > clock.t ? r : undefined;
            };
            for (const o of ops) {
              switch (o.kind) {
                case 'set': {
                  const id = pool[o.id] as string;
                  const r = record({ id, subject: subjects[o.subject], expiresAt: clock.t + o.ttl * 1000, data: { v: o.v } });
                  const expected = r.expiresAt > clock.t && (!o.only || live(id) !== undefined);
                  if (expected) model.set(id, r);
                  else model.delete(id);
                  assert.equal(await b.set(r, o.only), expected, JSON.stringify(o));
                  break;
                }
                case 'delete':
                  model.delete(pool[o.id] as string);
                  await b.delete(pool[o.id] as string);
                  break;
                case 'get':
                  assert.deepEqual(await b.get(pool[o.id] as string), live(pool[o.id] as string), JSON.stringify(o));
                  break;
                case 'list': {
                  const subject = subjects[o.subject] as string;
                  const want = pool.map(live).filter((r) => r?.subject === subject);
                  assert.deepEqual(ids(await b.listBySubject(subject)), ids(want as StoredRecord[]), JSON.stringify(o));
                  break;
                }
                case 'deleteBySubject': {
                  const subject = subjects[o.subject] as string;
                  const except = new Set(o.except < 4 ? [pool[o.except] as string] : []);
                  const doomed = pool.filter((id) => !except.has(id) && model.get(id)?.subject === subject);
                  const count = doomed.filter((id) => live(id) !== undefined).length;
                  for (const id of doomed) model.delete(id);
                  assert.equal(await b.deleteBySubject(subject, except), count, JSON.stringify(o));
                  break;
                }
                case 'tick':
                  clock.t += o.seconds * 1000;
                  break;
              }
            }
          });
        }),
        { numRuns: 60, seed: 20261126 },
      );
    });

    it('does not count expired sessions as deleted, and removes them anyway', () =>
      withBackend(async (b, clock) => {
        const old = record({ subject: 'alice', expiresAt: T0 + 10 });
        const live = record({ subject: 'alice' });
        await b.set(old);
        await b.set(live);
        clock.t = T0 + 10;
        assert.equal(await b.deleteBySubject('alice'), 1);
        assert.equal(await b.get(old.id), undefined);
        assert.deepEqual(await b.listBySubject('alice'), []);
      }));
  });
}
