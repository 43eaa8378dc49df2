import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { SessionError } from '../../src/errors.js';
import { FileRecords } from '../../src/session/server-store/file/file-records-store.js';
import { randomId } from '../../src/session/core/session-record.js';
import type { StoredRecord } from '../../src/session/server-store/stored-record.js';
import { record, runBackendSuite } from './record-backend.case.js';
import { TestServerStore, fake, testKeyring } from './server-store-fixture.js';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const root = mkdtempSync(join(tmpdir(), 'cachet-file-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => join(root, `store-${n++}`);

function open(dir: string, now: () => number = () => T0, errors: SessionError[] = []): FileRecords {
  return new FileRecords({ dir, now, sweepInterval: 0, durable: false, onStoreError: (err) => errors.push(err) });
}

runBackendSuite('file', async (now) => {
  const dir = freshDir();
  const backend = open(dir, now);
  return { backend, dispose: async () => { await backend.close(); rmSync(dir, { recursive: true, force: true }); } };
});

const mode = (path: string): number => statSync(path).mode & 0o777;

describe('FileRecords, a write and a delete of one session at once', () => {
  // Between a write's check that its record exists and its rename lie a temp file's write and
  // fsync (durable: true here, as by default). A logout in those milliseconds was undone by the
  // rename in most trials; the writes and deletes of one id now take turns in this process.
  const durable = (dir: string): FileRecords => new FileRecords({ dir, now: () => T0, sweepInterval: 0, durable: true, onStoreError: () => undefined });

  it('a delete sent while an update is being written wins: the record stays gone', async () => {
    for (let trial = 0; trial < 20; trial++) {
      const b = durable(freshDir());
      const r = record({ subject: 'alice' });
      await b.set(r);
      const updating = b.set({ ...r, lastSeenAt: r.lastSeenAt + 1 }, true);
      assert.equal(await b.delete(r.id), true, 'the delete removed a live record');
      assert.equal(await updating, true, 'the update had begun first, and was written first');
      assert.equal(await b.get(r.id), undefined, `trial ${trial}: the update did not bring the record back`);
      assert.deepEqual(await b.listBySubject('alice'), []);
      await b.close();
    }
  });

  it('a "log out everywhere" sent while an update is being written wins too', async () => {
    for (let trial = 0; trial < 20; trial++) {
      const b = durable(freshDir());
      const r = record({ subject: 'alice' });
      await b.set(r);
      const updating = b.set({ ...r, lastSeenAt: r.lastSeenAt + 1 }, true);
      assert.equal(await b.deleteBySubject('alice'), 1);
      await updating;
      assert.equal(await b.get(r.id), undefined, `trial ${trial}`);
      await b.close();
    }
  });

  it('an update sent after a delete of its record writes nothing', async () => {
    const b = durable(freshDir());
    const r = record({ subject: 'alice' });
    await b.set(r);
    const deleting = b.delete(r.id);
    assert.equal(await b.set({ ...r, lastSeenAt: r.lastSeenAt + 1 }, true), false);
    assert.equal(await deleting, true);
    assert.equal(await b.delete(r.id), false, 'deleting an absent record says so');
    await b.close();
  });
});

describe('FileRecords, two processes on one directory', () => {
  // Two FileRecords on one directory take no turns with each other, as two processes do not. The
  // update is held between its check that the record is there and its write, and the other
  // "process" deletes the record in that gap: before tombstones, the update's rename brought the
  // logged-out session back.
  function held(dir: string) {
    let arrived!: () => void;
    const atGap = new Promise<void>((resolve) => { arrived = resolve; });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const records = new FileRecords({ dir, now: () => T0, sweepInterval: 0, durable: false, onStoreError: () => undefined, beforeUpdate: () => { arrived(); return gate; } });
    return { records, atGap, release };
  }

  /** alice's record (and `others`) written by one store, and a second store's update of it held in its gap. */
  async function updateInGap(...others: StoredRecord[]) {
    const dir = freshDir();
    const other = open(dir);
    const r = record({ subject: 'alice' });
    for (const each of [r, ...others]) await other.set(each);
    const a = held(dir);
    const updating = a.records.set({ ...r, lastSeenAt: r.lastSeenAt + 1 }, true);
    await a.atGap;
    return { dir, other, r, a, updating };
  }

  it('a logout by one process between another\'s check and its rename stays: the update brings nothing back', async () => {
    const { dir, other, r, a, updating } = await updateInGap();
    assert.equal(await other.delete(r.id), true, 'the other process found the record and deleted it');
    a.release();
    assert.equal(await updating, false, 'the update reports the record gone');
    assert.equal(await a.records.get(r.id), undefined);
    assert.equal(await other.get(r.id), undefined);
    assert.deepEqual(readdirSync(join(dir, 'sessions')), []);
    assert.deepEqual(await other.listBySubject('alice'), [], 'and no index entry is left');
  });

  it('a "log out everywhere" by one process between another\'s check and its rename stays too', async () => {
    const kept = record({ subject: 'bob' });
    const { dir, other, r, a, updating } = await updateInGap(kept);
    assert.equal(await other.deleteBySubject('alice'), 1);
    a.release();
    assert.equal(await updating, false);
    assert.equal(await a.records.get(r.id), undefined);
    assert.deepEqual(readdirSync(join(dir, 'sessions')), [`${kept.id}.json`], 'another user\'s session is untouched');
  });

  it('an update with no deletion in its gap is written, and a new session is never taken for a deleted one', async () => {
    const { other, r, a, updating } = await updateInGap();
    a.release();
    assert.equal(await updating, true);
    assert.equal((await other.get(r.id))?.lastSeenAt, r.lastSeenAt + 1);
    // A deleted id leaves a tombstone; a fresh id, as every new session has, is written.
    await other.delete(r.id);
    const fresh = record({ subject: 'alice' });
    assert.equal(await a.records.set(fresh), true);
    assert.ok(await other.get(fresh.id));
  });

  it('of two deletions of one session at once, exactly one reports it deleted', async () => {
    // Both read the record before either removes it: each would report a live session ended,
    // and a login's regenerate() would keep its new record while the other process's logout
    // believed it had ended the session.
    for (const order of ['x first', 'y first']) {
      const dir = freshDir();
      const r = record({ subject: 'alice' });
      await open(dir).set(r);
      let bothRead!: () => void;
      let reads = 0;
      const gate = new Promise<void>((resolve) => { bothRead = resolve; });
      const arrive = () => { if (++reads === 2) bothRead(); return gate; };
      const make = () => new FileRecords({ dir, now: () => T0, sweepInterval: 0, durable: false, onStoreError: () => undefined, beforeDelete: arrive });
      const [x, y] = [make(), make()];
      const [first, second] = order === 'x first' ? [x, y] : [y, x];
      const one = first.delete(r.id);
      const other = second.deleteBySubject('alice');
      const results = [await one, (await other) === 1];
      assert.deepEqual(results.filter(Boolean), [true], `${order}: exactly one deletion took the session (${JSON.stringify(results)})`);
      assert.equal(await x.get(r.id), undefined);
      assert.deepEqual(await y.listBySubject('alice'), []);
    }
  });

  // The same meeting through the store: a logout in one process (destroy()) and a login's
  // regenerate() in another, both of the same session. Whichever deletion of the old id comes
  // second takes nothing, as within one process: the session is never both ended and carried on.
  for (const first of ['logout', 'login'] as const) {
    it(`a logout and another process's login regenerate() of one session: the ${first} deleting first decides`, async () => {
      const dir = freshDir();
      const keyring = await testKeyring();
      /** A store whose first deletion waits until `release()`; `arrived` resolves when it is there. */
      const held = () => {
        let arrive!: () => void;
        const arrived = new Promise<void>((resolve) => { arrive = resolve; });
        let release!: () => void;
        const gate = new Promise<void>((resolve) => { release = resolve; });
        let waited = false;
        const records = new FileRecords({ dir, now: () => T0, sweepInterval: 0, durable: false, onStoreError: () => undefined, beforeDelete: () => {
          if (waited) return Promise.resolve();
          waited = true;
          arrive();
          return gate;
        } });
        return { store: new TestServerStore<{ n?: number }>(records, { keyring, now: () => T0 }), arrived, release };
      };
      const login = held();
      const logout = held();
      const start = fake();
      (await login.store.get(start.ctx, 's')).values.n = 1;
      await start.send();
      const cookie = { '__Host-s': start.set.get('__Host-s') ?? '' };

      const a = fake(cookie);
      const signingIn = await login.store.get(a.ctx, 's');
      signingIn.regenerate();
      signingIn.subject = 'alice';
      const loginDone = a.send();
      const b = fake(cookie);
      const loggingOut = await logout.store.get(b.ctx, 's');
      const logoutDone = loggingOut.destroy();
      await Promise.all([login.arrived, logout.arrived]);
      if (first === 'logout') {
        logout.release();
        await logoutDone;
        login.release();
        await loginDone;
        assert.equal(a.set.has('__Host-s'), false, 'the login stages no cookie: its session was ended');
        assert.deepEqual(readdirSync(join(dir, 'sessions')), [], 'and its new record went with the old one');
      } else {
        login.release();
        await loginDone;
        logout.release();
        await logoutDone;
        const carried = fake({ '__Host-s': a.set.get('__Host-s') ?? '' });
        const after = await logout.store.get(carried.ctx, 's');
        assert.equal(after.isNew, false, 'the login carried the session on under its new id');
        assert.equal(after.subject, 'alice');
        assert.equal(readdirSync(join(dir, 'sessions')).length, 1, 'one record: the new one');
      }
      assert.equal(b.set.get('__Host-s'), '', 'the logout deletes its own cookie either way');
      const old = fake(cookie);
      assert.equal((await login.store.get(old.ctx, 's')).isNew, true, 'the old id opens nothing either way');
    });
  }

  it('empties a deleted session\'s file: its values do not stay on disk with its tombstone', async () => {
    const dir = freshDir();
    const b = open(dir);
    const r = record({ subject: 'alice' });
    await b.set(r);
    assert.equal(await b.delete(r.id), true);
    assert.equal(readFileSync(join(dir, 'gone', r.id), 'utf8'), '');
  });

  it('a deletion still takes the session when the tombstone directory was removed by hand', async () => {
    const dir = freshDir();
    const b = open(dir);
    const r = record({ subject: 'alice' });
    await b.set(r);
    rmSync(join(dir, 'gone'), { recursive: true });
    assert.equal(await b.delete(r.id), true);
    assert.equal(await b.get(r.id), undefined);
    assert.equal(mode(join(dir, 'gone')), 0o700, 'made again');
    assert.equal(await b.delete(r.id), false, 'a second deletion finds nothing');
  });

  it('keeps a tombstone for an hour, then the sweep removes it', async () => {
    const dir = freshDir();
    const b = open(dir);
    const young = record();
    const old = record();
    for (const r of [young, old]) {
      await b.set(r);
      await b.delete(r.id);
    }
    assert.equal(mode(join(dir, 'gone')), 0o700);
    assert.equal(mode(join(dir, 'gone', young.id)), 0o600);
    const overAnHour = new Date(Date.now() - 3_601_000);
    const underAnHour = new Date(Date.now() - 3_500_000);
    utimesSync(join(dir, 'gone', old.id), overAnHour, overAnHour);
    utimesSync(join(dir, 'gone', young.id), underAnHour, underAnHour);
    await b.sweep();
    assert.deepEqual(readdirSync(join(dir, 'gone')), [young.id]);
  });
});

describe('FileRecords', () => {
  it('creates its directories 0700 and its files 0600', async () => {
    const dir = freshDir();
    const b = open(dir);
    const r = record({ subject: 'alice' });
    await b.set(r);
    for (const d of [dir, join(dir, 'sessions'), join(dir, 'subjects'), join(dir, 'tmp')]) assert.equal(mode(d), 0o700, d);
    assert.equal(mode(join(dir, 'sessions', `${r.id}.json`)), 0o600);
    const [hash] = readdirSync(join(dir, 'subjects'));
    assert.match(hash ?? '', /^[0-9a-f]{64}$/, 'subjects are stored under their SHA-256, never as a path');
    assert.equal(mode(join(dir, 'subjects', hash ?? '')), 0o700);
    assert.equal(mode(join(dir, 'subjects', hash ?? '', r.id)), 0o600);
    assert.deepEqual(readdirSync(join(dir, 'tmp')), [], 'no temp file is left behind');
  });

  it('keeps sessions across a restart', async () => {
    const dir = freshDir();
    const r = record({ subject: 'alice' });
    await open(dir).set(r);
    const reopened = open(dir);
    assert.deepEqual(await reopened.get(r.id), r);
    assert.deepEqual((await reopened.listBySubject('alice')).map((x) => x.id), [r.id]);
  });

  it('treats a corrupt or torn file as absent, logs it, removes it, and leaves other sessions alone', async () => {
    const dir = freshDir();
    const errors: SessionError[] = [];
    const b = open(dir, () => T0, errors);
    const good = record({ subject: 'alice' });
    await b.set(good);
    const text = readFileSync(join(dir, 'sessions', `${good.id}.json`), 'utf8');
    const corrupt = {
      garbage: '\u0000\u0001not json at all',
      torn: text.slice(0, Math.floor(text.length / 2)),
      empty: '',
      array: '[1,2]',
      version: text.replace('"v":1', '"v":9'),
      times: text.replace(/"exp":\d+/, '"exp":"soon"'),
      nodata: JSON.stringify({ v: 1, sub: null, created: T0, seen: T0, exp: T0 + 1, ua: null, ip: null }),
      meta: text.replace('"ua":"Mozilla/5.0 (test)"', '"ua":42'),
      otherId: text, // a valid record copied under another session's name
    };
    for (const [label, content] of Object.entries(corrupt)) {
      const id = randomId();
      const path = join(dir, 'sessions', `${id}.json`);
      writeFileSync(path, label === 'nodata' ? content.replace('{"v":1', `{"v":1,"id":"${id}"`) : content.replace(good.id, label === 'otherId' ? good.id : id));
      errors.length = 0;
      assert.equal(await b.get(id), undefined, label);
      assert.equal(errors.length, 1, `${label} is logged`);
      assert.equal(errors[0]?.code, 'ERR_STORE_CORRUPT');
      assert.equal(errors[0]?.kind, 'internal');
      assert.equal(existsSync(path), false, `${label} is removed`);
    }
    assert.deepEqual(await b.get(good.id), good);
    assert.deepEqual((await b.listBySubject('alice')).map((x) => x.id), [good.id]);
  });

  it('deletes a session whose file is corrupt', async () => {
    const dir = freshDir();
    const b = open(dir);
    const r = record();
    await b.set(r);
    writeFileSync(join(dir, 'sessions', `${r.id}.json`), '{"v":1,');
    await b.delete(r.id);
    assert.equal(existsSync(join(dir, 'sessions', `${r.id}.json`)), false);
  });

  it('ignores files it did not write', async () => {
    const dir = freshDir();
    const b = open(dir);
    const r = record({ subject: 'alice' });
    await b.set(r);
    const [hash] = readdirSync(join(dir, 'subjects'));
    writeFileSync(join(dir, 'sessions', 'README'), 'hello');
    writeFileSync(join(dir, 'sessions', '..json'), 'x');
    writeFileSync(join(dir, 'subjects', hash ?? '', 'notes.txt'), 'x');
    assert.deepEqual((await b.listBySubject('alice')).map((x) => x.id), [r.id]);
    assert.equal(await b.sweep(), 0);
    assert.ok(existsSync(join(dir, 'sessions', 'README')));
  });

  it('sweeps expired sessions with their index entries, and old orphans, but nothing young', async () => {
    const dir = freshDir();
    const clock = { t: T0 };
    const b = open(dir, () => clock.t);
    const expired = record({ subject: 'alice', expiresAt: T0 + 10 });
    const live = record({ subject: 'alice', expiresAt: T0 + 20 });
    const lone = record({ subject: 'bob', expiresAt: T0 + 10 });
    for (const r of [expired, live, lone]) await b.set(r);
    const subjects = join(dir, 'subjects');
    const [aliceHash, bobHash] = readdirSync(subjects).sort((x, y) => readdirSync(join(subjects, y)).length - readdirSync(join(subjects, x)).length);
    // A marker whose record is gone: an old one (a crashed writer) and a young one (a write in flight).
    const oldOrphan = join(subjects, aliceHash ?? '', randomId());
    const youngOrphan = join(subjects, aliceHash ?? '', randomId());
    writeFileSync(oldOrphan, '');
    writeFileSync(youngOrphan, '');
    const longAgo = new Date(Date.now() - 3_600_000);
    utimesSync(oldOrphan, longAgo, longAgo);
    // Temp files of writes that never finished.
    const oldTmp = join(dir, 'tmp', `${randomId()}.1.aaaa`);
    const youngTmp = join(dir, 'tmp', `${randomId()}.1.bbbb`);
    writeFileSync(oldTmp, '{"v":1');
    writeFileSync(youngTmp, '{"v":1');
    utimesSync(oldTmp, longAgo, longAgo);

    clock.t = T0 + 10;
    assert.equal(await b.sweep(), 2);
    assert.deepEqual(readdirSync(join(dir, 'sessions')), [`${live.id}.json`]);
    assert.deepEqual(readdirSync(join(subjects, aliceHash ?? '')).sort(), [live.id, youngOrphan.split('/').pop()].sort());
    assert.equal(existsSync(join(subjects, bobHash ?? '')), false, 'an empty subject directory is removed');
    assert.deepEqual(readdirSync(join(dir, 'tmp')), [youngTmp.split('/').pop()]);
    assert.deepEqual((await b.listBySubject('alice')).map((x) => x.id), [live.id]);
  });

  /** A sweep timer the test fires by hand: no real clock. */
  function handTimer() {
    const timer = { ms: 0, stopped: false, tick: undefined as (() => Promise<void>) | undefined };
    const start = (tick: () => Promise<void>, ms: number) => {
      timer.tick = tick;
      timer.ms = ms;
      return () => { timer.stopped = true; };
    };
    return { timer, start };
  }

  it('sweeps expired records each time its timer fires, and close() stops the timer', async () => {
    const dir = freshDir();
    const clock = { t: T0 };
    const { timer, start } = handTimer();
    const b = new FileRecords({ dir, now: () => clock.t, sweepInterval: 5, durable: false, onStoreError: () => undefined, startTimer: start });
    assert.equal(timer.ms, 5, 'started with the configured interval');
    const r = record({ expiresAt: T0 + 10 });
    await b.set(r);
    const path = join(dir, 'sessions', `${r.id}.json`);
    await timer.tick!();
    assert.equal(existsSync(path), true, 'not yet expired: kept');
    clock.t = T0 + 10;
    await timer.tick!();
    assert.equal(existsSync(path), false, 'expired: swept by the timer');
    await b.close();
    assert.equal(timer.stopped, true);
  });

  it('its default timer does not keep the process alive', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const b = new FileRecords({ dir: freshDir(), now: () => T0, sweepInterval: 60_000, durable: false, onStoreError: () => undefined });
    assert.equal(timers(), before, 'an unref\'d interval is not an active resource');
    await b.close();
  });

  it('starts no timer when sweepInterval is 0', () => {
    const { timer, start } = handTimer();
    new FileRecords({ dir: freshDir(), now: () => T0, sweepInterval: 0, durable: false, onStoreError: () => undefined, startTimer: start });
    assert.equal(timer.tick, undefined);
  });

  it('reports a sweep that fails in the background instead of throwing', async () => {
    const dir = freshDir();
    writeFileSync(dir, 'not a directory');
    const errors: SessionError[] = [];
    const { timer, start } = handTimer();
    const b = new FileRecords({ dir, now: () => T0, sweepInterval: 5, durable: false, onStoreError: (err) => errors.push(err), startTimer: start });
    await timer.tick!(); // resolves: the failure goes to onStoreError, never out of the timer
    await b.close();
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.code, 'ERR_STORE_UNAVAILABLE');
  });

  // Tests run as root, where chmod 0500 does not stop a write. What does, for any user and with no
  // privileges: a regular file where the store's directory should be. Every write then fails
  // with ENOTDIR/EEXIST, exactly as a read-only or missing mount would.
  it('gives ERR_STORE_UNAVAILABLE when its directory cannot be written', async () => {
    const dir = freshDir();
    writeFileSync(dir, 'a file where the directory should be');
    const b = open(dir);
    for (const op of [() => b.set(record()), () => b.get(randomId()), () => b.listBySubject('a'), () => b.sweep()]) {
      await assert.rejects(op(), (err: SessionError) => err.code === 'ERR_STORE_UNAVAILABLE' && err.kind === 'internal');
    }
  });

  it('fails a write cleanly when the sessions directory turns unwritable, and recovers when it is back', async () => {
    const dir = freshDir();
    const b = open(dir);
    const r = record({ subject: 'alice' });
    await b.set(r);
    const sessions = join(dir, 'sessions');
    rmSync(sessions, { recursive: true });
    writeFileSync(sessions, 'blocked');
    await assert.rejects(b.set(record()), { code: 'ERR_STORE_UNAVAILABLE' });
    await assert.rejects(b.get(r.id), { code: 'ERR_STORE_UNAVAILABLE' });
    assert.deepEqual(readdirSync(join(dir, 'tmp')), [], 'the failed write left no temp file');
    rmSync(sessions);
    mkdirSync(sessions);
    await b.set(r);
    assert.deepEqual(await b.get(r.id), r);
  });

  it('refuses to build a path from a malformed id', async () => {
    const b = open(freshDir());
    await assert.rejects(b.set(record({ id: '../../../../tmp/evil' })), TypeError);
  });

  it('leaves the old or the new record, never a torn one, when a writer is killed mid-write', async () => {
    // The child rewrites one 2 MB record forever. Once a version is complete, the test watches the
    // temp directory and kills the child the moment a temp file appears, i.e. inside a write. If
    // the kill happens to land after the rename instead, it tries again with a new child.
    let killedMidWrite = false;
    for (let attempt = 0; attempt < 5 && !killedMidWrite; attempt++) {
      const dir = freshDir();
      const id = randomId();
      const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'file-writer.ts'), 'loop', dir, id], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      const tmp = join(dir, 'tmp');
      while (readdirSync(tmp).length === 0) await new Promise((resolve) => setImmediate(resolve));
      child.kill('SIGKILL');
      await exited;
      killedMidWrite = readdirSync(tmp).length > 0;

      const errors: SessionError[] = [];
      const got = await open(dir, () => T0, errors).get(id);
      assert.ok(got, 'the last complete version is there');
      const data = got.data as { version: number; check: string; filler: string };
      assert.ok(data.version >= 1, `version ${data.version}`);
      assert.equal(data.check, `v${data.version}`);
      assert.equal(data.filler.length, 2 * 1024 * 1024);
      assert.deepEqual(errors, [], 'nothing corrupt was found');
      assert.deepEqual(readdirSync(join(dir, 'sessions')), [`${id}.json`]);
    }
    assert.ok(killedMidWrite, 'at least one kill landed inside a write (a half-written temp file was left)');
  });

  it('lets two processes write to one directory at once without losing an index entry', async () => {
    const dir = freshDir();
    const count = 25;
    const run = (tag: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'file-writer.ts'), 'batch', dir, tag, String(count)], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.stderr.on('data', (c: Buffer) => (out += c.toString()));
        child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`writer ${tag} exited ${String(code)}: ${out}`))));
      });
    const outputs = await Promise.all([run('A'), run('B')]);
    assert.deepEqual(outputs, ['done\n', 'done\n']);
    const b = open(dir);
    const listed = await b.listBySubject('shared');
    assert.equal(listed.length, 2 * count + 1, 'every session of both writers, plus the contested one');
    const contested = await b.get('contested0000000000000');
    assert.ok(contested);
    const last = contested.data as { writer: string; i: number };
    assert.ok(['A', 'B'].includes(last.writer));
    assert.equal(await b.deleteBySubject('shared'), 2 * count + 1);
    assert.deepEqual(readdirSync(join(dir, 'sessions')), []);
  });
});
