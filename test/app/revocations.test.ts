import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RevocationList } from '../../src/app/revocations.js';
import { tempDir } from '../helpers/temp-dir.js';

test('refuses a logged-out session id until it would have expired', () => {
  let now = 1_000_000;
  const list = new RevocationList({ dir: tempDir(), retainSeconds: 3600, now: () => now });
  const session = { id: 's1', subject: 'demo', createdAt: now - 10 };
  assert.equal(list.isRevoked(session), false);
  list.revokeSession('s1', now + 60_000);
  assert.equal(list.isRevoked(session), true);
  assert.equal(list.isRevoked({ ...session, id: 's2' }), false);
  now += 60_000;
  assert.equal(list.isRevoked(session), false);
});

test('refuses every older session of a subject after log out everywhere, but not newer ones', () => {
  let now = 5_000_000;
  const list = new RevocationList({ dir: tempDir(), retainSeconds: 3600, now: () => now });
  list.revokeSubject('demo');
  assert.equal(list.isRevoked({ id: 'a', subject: 'demo', createdAt: now - 1 }), true);
  assert.equal(list.isRevoked({ id: 'a', subject: 'demo', createdAt: now }), true);
  assert.equal(list.isRevoked({ id: 'b', subject: 'demo', createdAt: now + 1 }), false);
  assert.equal(list.isRevoked({ id: 'c', subject: 'other', createdAt: now - 1 }), false);
  assert.equal(list.isRevoked({ id: 'd', createdAt: now - 1 }), false);
});

test('keeps its records across a restart and sees writes from another process within refreshMs', () => {
  const dir = tempDir();
  let now = 1_000_000;
  const a = new RevocationList({ dir, retainSeconds: 3600, now: () => now });
  const b = new RevocationList({ dir, retainSeconds: 3600, now: () => now });
  a.revokeSession('s1', now + 60_000);
  b.revokeSubject('demo');
  const restarted = new RevocationList({ dir, retainSeconds: 3600, now: () => now });
  assert.equal(restarted.isRevoked({ id: 's1', createdAt: now }), true);
  assert.equal(restarted.isRevoked({ id: 'x', subject: 'demo', createdAt: now - 5 }), true);
  // `a` last read the file when it wrote; it looks again once the default refreshMs (1 s) has passed.
  now += 1000;
  assert.equal(a.isRevoked({ id: 'x', subject: 'demo', createdAt: now - 1005 }), true);
  assert.equal(b.isRevoked({ id: 's1', createdAt: now }), true);
  assert.equal(statSync(join(dir, 'revocations.jsonl')).mode & 0o777, 0o600);
});

test('a check reads no file between refreshes, and one refresh picks up what another process appended', () => {
  const dir = tempDir();
  let now = 1_000_000;
  const reader = new RevocationList({ dir, retainSeconds: 3600, now: () => now, refreshMs: 250 });
  const writer = new RevocationList({ dir, retainSeconds: 3600, now: () => now });
  writer.revokeSession('s1', now + 60_000);
  // Within the interval the reader does not look (no stat, no read per request)...
  now += 249;
  assert.equal(reader.isRevoked({ id: 's1', createdAt: 0 }), false);
  // ...and at the interval it reads the appended tail.
  now += 1;
  assert.equal(reader.isRevoked({ id: 's1', createdAt: 0 }), true);
  writer.revokeSession('s2', now + 60_000);
  now += 250;
  assert.equal(reader.isRevoked({ id: 's2', createdAt: 0 }), true);
  assert.equal(reader.isRevoked({ id: 's1', createdAt: 0 }), true);
});

// The clock is frozen, so refreshMs never runs out: the only way b can see a's logout is its
// directory watcher. Nothing is timed; the loop just yields to the event loop until the file
// event has been taken (and the test's own timeout turns "never" into a failure).
test('a logout in another process is honoured as soon as the file event arrives, without waiting for refreshMs', { timeout: 30_000 }, async () => {
  const dir = tempDir();
  const now = 1_000_000;
  const a = new RevocationList({ dir, retainSeconds: 3600, now: () => now, refreshMs: 3_600_000 });
  const b = new RevocationList({ dir, retainSeconds: 3600, now: () => now, refreshMs: 3_600_000 });
  const watchless = new RevocationList({ dir, retainSeconds: 3600, now: () => now, refreshMs: 3_600_000, watch: false });
  try {
    const session = { id: 's1', createdAt: now - 10 };
    assert.equal(b.isRevoked(session), false);
    assert.equal(watchless.isRevoked(session), false);
    a.revokeSession('s1', now + 60_000);
    while (!b.isRevoked(session)) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(watchless.isRevoked(session), false, 'without the watcher, only refreshMs would bring it in');
  } finally {
    a.close();
    b.close();
    watchless.close();
  }
});

test('a logout appends one line instead of rewriting the file', () => {
  const dir = tempDir();
  const path = join(dir, 'revocations.jsonl');
  const now = 1_000_000;
  const list = new RevocationList({ dir, retainSeconds: 3600, now: () => now });
  list.revokeSession('s1', now + 60_000);
  const first = readFileSync(path, 'utf8');
  const { ino } = statSync(path);
  list.revokeSession('s2', now + 60_000);
  list.revokeSubject('demo');
  const text = readFileSync(path, 'utf8');
  assert.equal(statSync(path).ino, ino, 'same file, not a replacement');
  assert.ok(text.startsWith(first));
  assert.deepEqual(text.slice(first.length).split('\n'), ['{"id":"s2","until":1060000}', '{"subject":"demo","notValidBefore":1000000}', '']);
});

test('the log stays bounded as records expire', () => {
  const dir = tempDir();
  let now = 1_000_000;
  const list = new RevocationList({ dir, retainSeconds: 60, now: () => now, compactMinLines: 10 });
  // 1,000 logouts, one a second, each session expiring 20 s later: about 20 are live at a time.
  for (let i = 0; i < 1000; i++) {
    list.revokeSession(`s${i}`, now + 20_000);
    now += 1000;
    const lines = readFileSync(join(dir, 'revocations.jsonl'), 'utf8').split('\n').length - 2; // header, final newline
    // Compaction runs once the log holds twice the live records, checked every max(live, 10) appends.
    assert.ok(lines <= 3 * 20 + 10, `after ${i + 1} logouts the log holds ${lines} lines`);
  }
  assert.ok(list.size <= 20);
  assert.equal(list.isRevoked({ id: 's999', createdAt: 0 }), true);
  assert.equal(list.isRevoked({ id: 's900', createdAt: 0 }), false);
});

test('compaction keeps exactly the live records, and other processes switch to the new file', () => {
  const dir = tempDir();
  const path = join(dir, 'revocations.jsonl');
  let now = 1_000_000;
  const options = { dir, retainSeconds: 100, now: () => now, compactMinLines: 4, refreshMs: 0 };
  const list = new RevocationList(options);
  const other = new RevocationList(options);
  for (let i = 1; i <= 8; i++) list.revokeSession(`gone-${i}`, now + 10_000);
  list.revokeSession('live-1', now + 500_000);
  list.revokeSubject('gone-user');
  now += 5_000;
  other.revokeSubject('live-user');
  assert.equal(other.isRevoked({ id: 'x', subject: 'gone-user', createdAt: 0 }), true);
  now += 96_000; // the gone-* records have expired; live-1 and live-user have not
  const { ino } = statSync(path);
  const added: string[] = [];
  while (statSync(path).ino === ino) {
    assert.ok(added.length < 10, 'compacted within compactMinLines + live appends');
    added.push(`live-${added.length + 2}`);
    list.revokeSession(added.at(-1)!, now + 500_000);
  }
  const [header, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  assert.match(header!, /^\{"log":"[0-9a-f]{16}"\}$/);
  const byText = (a: unknown, b: unknown): number => JSON.stringify(a).localeCompare(JSON.stringify(b));
  assert.deepEqual(lines.map((line) => JSON.parse(line) as unknown).sort(byText), [
    { id: 'live-1', until: 1_500_000 },
    ...added.map((id) => ({ id, until: 1_601_000 })),
    { notValidBefore: 1_005_000, subject: 'live-user' },
  ].sort(byText));
  // The other list reads the new file from the start, without duplicates or losses.
  for (const id of ['live-1', ...added]) assert.equal(other.isRevoked({ id, createdAt: 0 }), true);
  assert.equal(other.isRevoked({ id: 'gone-1', createdAt: 0 }), false);
  assert.equal(other.isRevoked({ id: 'x', subject: 'live-user', createdAt: 0 }), true);
  assert.equal(other.size, 2 + added.length);
  other.revokeSession('after', now + 500_000);
  assert.equal(list.isRevoked({ id: 'after', createdAt: 0 }), true);
});

test('a torn last line from a crash mid-append loses no earlier record and does not break the reader', () => {
  const dir = tempDir();
  const path = join(dir, 'revocations.jsonl');
  const now = 1_000_000;
  const options = { dir, retainSeconds: 3600, now: () => now, refreshMs: 0 };
  const writer = new RevocationList(options);
  writer.revokeSession('s1', now + 60_000);
  writer.revokeSubject('demo');
  appendFileSync(path, '{"id":"s-torn","un'); // the process died inside write(2)
  const reader = new RevocationList(options);
  assert.equal(reader.isRevoked({ id: 's1', createdAt: 0 }), true);
  assert.equal(reader.isRevoked({ id: 'x', subject: 'demo', createdAt: 0 }), true);
  assert.equal(reader.isRevoked({ id: 's-torn', createdAt: 0 }), false);
  // The next append ends the torn line first, so its own record is not glued onto the fragment.
  reader.revokeSession('s2', now + 60_000);
  for (const list of [writer, reader, new RevocationList(options)]) {
    assert.equal(list.isRevoked({ id: 's2', createdAt: 0 }), true);
    assert.equal(list.isRevoked({ id: 's1', createdAt: 0 }), true);
  }
});

test('a reader never takes half of a line being written for a record', () => {
  const dir = tempDir();
  const path = join(dir, 'revocations.jsonl');
  const now = 1_000_000;
  const options = { dir, retainSeconds: 3600, now: () => now, refreshMs: 0 };
  const writer = new RevocationList(options);
  writer.revokeSession('s1', now + 60_000);
  const reader = new RevocationList(options);
  appendFileSync(path, '{"id":"s2","until":1'); // a writer's line, caught half-way
  assert.equal(reader.isRevoked({ id: 's2', createdAt: 0 }), false);
  appendFileSync(path, '060000}\n'); // the rest of the same write lands
  assert.equal(reader.isRevoked({ id: 's2', createdAt: 0 }), true);
});

test('reads revocations.json of earlier versions, and the first change moves it into the log', () => {
  const dir = tempDir();
  const now = 1_000_000;
  writeFileSync(join(dir, 'revocations.json'), JSON.stringify({ sessions: [{ id: 'old', until: now + 60_000 }, { id: 'expired', until: now - 1 }], subjects: [{ subject: 'demo', notValidBefore: now - 10 }] }));
  const list = new RevocationList({ dir, retainSeconds: 3600, now: () => now });
  assert.equal(list.isRevoked({ id: 'old', createdAt: 0 }), true);
  assert.equal(list.isRevoked({ id: 'x', subject: 'demo', createdAt: now - 20 }), true);
  list.revokeSession('new', now + 60_000);
  assert.equal(existsSync(join(dir, 'revocations.json')), false);
  const restarted = new RevocationList({ dir, retainSeconds: 3600, now: () => now });
  assert.equal(restarted.isRevoked({ id: 'old', createdAt: 0 }), true);
  assert.equal(restarted.isRevoked({ id: 'new', createdAt: 0 }), true);
  assert.equal(restarted.isRevoked({ id: 'x', subject: 'demo', createdAt: now - 20 }), true);
  assert.equal(restarted.size, 3, 'the expired record was not carried over');
});

test('prunes records that can no longer matter', () => {
  const dir = tempDir();
  let now = 1_000_000;
  const list = new RevocationList({ dir, retainSeconds: 10, now: () => now });
  list.revokeSession('s1', now + 1000);
  list.revokeSubject('demo');
  assert.equal(list.size, 2);
  now += 10_000;
  list.revokeSession('s2', now + 1000);
  assert.equal(list.size, 1);
});

test('ignores malformed entries in the revocation file', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'revocations.json'), JSON.stringify({ sessions: [null, { id: 1 }, { id: 'ok', until: 2e12 }], subjects: 'x' }));
  const list = new RevocationList({ dir, retainSeconds: 10, now: () => 1e12 });
  assert.equal(list.size, 1);
  assert.equal(list.isRevoked({ id: 'ok', createdAt: 0 }), true);
});

test('a later record with an earlier time never shortens a revocation (processes with skewed clocks)', () => {
  const dir = tempDir();
  let now = 1_000_000;
  const ahead = new RevocationList({ dir, retainSeconds: 3600, now: () => now });
  const behind = new RevocationList({ dir, retainSeconds: 3600, now: () => now - 100_000 });
  ahead.revokeSubject('demo'); // notValidBefore 1_000_000
  behind.revokeSubject('demo'); // appended after it, notValidBefore 900_000
  ahead.revokeSession('s1', 2_000_000);
  behind.revokeSession('s1', 1_500_000);
  now = 1_600_000;
  const reader = new RevocationList({ dir, retainSeconds: 3600, now: () => now });
  assert.equal(reader.isRevoked({ id: 'x', subject: 'demo', createdAt: 950_000 }), true, 'the later, earlier cutoff does not bring this session back');
  assert.equal(reader.isRevoked({ id: 's1', createdAt: 0 }), true, 'the shorter second logout does not end the first one early');
});
