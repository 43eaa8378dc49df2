import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { syncBuiltinESMExports } from 'node:module';
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

test('after a compaction the log takes compactMinLines more lines before it is checked again, even when every record has expired', () => {
  const dir = tempDir();
  const path = join(dir, 'revocations.jsonl');
  let now = 1_000_000;
  const list = new RevocationList({ dir, retainSeconds: 60, now: () => now, compactMinLines: 10, watch: false });
  const replacedAt: number[] = [];
  let ino = -1;
  for (let i = 1; i <= 25; i++) {
    list.revokeSession(`s${i}`, now + 1); // expired by the next logout
    now += 2;
    if (statSync(path).ino !== ino) replacedAt.push(i);
    ino = statSync(path).ino;
  }
  // Created by the first logout, checked and compacted at the 10th line, then 10 lines later.
  assert.deepEqual(replacedAt, [1, 10, 20]);
});

test('after revocations.json is moved into the log, later logouts append to it', () => {
  const dir = tempDir();
  const path = join(dir, 'revocations.jsonl');
  const now = 1_000_000;
  writeFileSync(join(dir, 'revocations.json'), JSON.stringify({ sessions: [{ id: 'old', until: now + 60_000 }], subjects: [] }));
  const list = new RevocationList({ dir, retainSeconds: 3600, now: () => now, watch: false });
  list.revokeSession('s1', now + 60_000);
  const { ino } = statSync(path);
  list.revokeSession('s2', now + 60_000);
  assert.equal(statSync(path).ino, ino, 'appended, not compacted again');
  assert.deepEqual(readFileSync(path, 'utf8').trimEnd().split('\n').slice(1).map((line) => JSON.parse(line) as unknown), [
    { id: 'old', until: now + 60_000 },
    { id: 's1', until: now + 60_000 },
    { id: 's2', until: now + 60_000 },
  ]);
});

test('a clock that steps back counts as due, so the list still reads what others appended', () => {
  const dir = tempDir();
  let now = 1_000_000;
  const reader = new RevocationList({ dir, retainSeconds: 3600, now: () => now, refreshMs: 250, watch: false });
  const writer = new RevocationList({ dir, retainSeconds: 3600, now: () => now, watch: false });
  assert.equal(reader.isRevoked({ id: 's1', createdAt: 0 }), false);
  writer.revokeSession('s1', now + 60_000);
  now -= 1000;
  assert.equal(reader.isRevoked({ id: 's1', createdAt: 0 }), true);
});

test('size counts a logged-out id until the moment it expires, and not at that moment', () => {
  let now = 1_000_000;
  const list = new RevocationList({ dir: tempDir(), retainSeconds: 3600, now: () => now, watch: false });
  list.revokeSession('s1', now + 1000);
  now += 999;
  assert.equal(list.size, 1);
  now += 1;
  assert.equal(list.size, 0);
});

test('refuses an unknown option, naming RevocationList and the option meant', () => {
  assert.throws(() => new RevocationList({ dir: tempDir(), retainSeconds: 60, refreshMS: 5 } as never), {
    code: 'ERR_OPTIONS_UNKNOWN',
    message: /^RevocationList: unknown option "refreshMS" \(did you mean "refreshMs"\?\)/,
  });
});

// A list's watcher and an open witness's watch the same directory, so the event loop hands a file
// event to both in the same turn: once the witness has seen a logout, a watcher still open on the
// closed list has seen it too.
async function untilSeenBy(witness: RevocationList, session: { id: string; createdAt: number }): Promise<void> {
  while (!witness.isRevoked(session)) await new Promise((resolve) => setImmediate(resolve));
}

test('after close() a file event no longer marks the list due, even once it has written', { timeout: 30_000 }, async () => {
  const dir = tempDir();
  const now = 1_000_000;
  const options = { dir, retainSeconds: 3600, now: () => now, refreshMs: 3_600_000 };
  const closed = new RevocationList(options);
  const witness = new RevocationList(options);
  const writer = new RevocationList({ ...options, watch: false });
  try {
    closed.revokeSession('own', now + 60_000); // a write looks for a watcher to start: it has one
    closed.close();
    const session = { id: 's1', createdAt: 0 };
    writer.revokeSession('s1', now + 60_000);
    await untilSeenBy(witness, session);
    assert.equal(closed.isRevoked(session), false, 'only refreshMs would bring it in now');
  } finally {
    closed.close();
    witness.close();
  }
});

test('a list made before its directory exists creates it on the first logout and then watches it', { timeout: 30_000 }, async () => {
  const dir = join(tempDir(), 'later');
  const now = 1_000_000;
  const options = { dir, retainSeconds: 3600, now: () => now, refreshMs: 3_600_000 };
  const early = new RevocationList(options);
  try {
    early.revokeSession('own', now + 60_000);
    assert.equal(statSync(dir).isDirectory(), true);
    const witness = new RevocationList(options);
    try {
      const session = { id: 's1', createdAt: 0 };
      new RevocationList({ ...options, watch: false }).revokeSession('s1', now + 60_000);
      await untilSeenBy(witness, session);
      assert.equal(early.isRevoked(session), true);
    } finally {
      witness.close();
    }
  } finally {
    early.close();
  }
});

test('a watcher that fails is closed, and the next logout starts another; after close() none does', (t) => {
  const watchers: (EventEmitter & { closed: boolean })[] = [];
  t.mock.method(fs, 'watch', () => {
    const watcher = Object.assign(new EventEmitter(), { closed: false, close: () => void (watcher.closed = true) });
    watchers.push(watcher);
    return watcher;
  });
  syncBuiltinESMExports(); // the module's named import of watch now reads the mock
  try {
    const now = 1_000_000;
    const list = new RevocationList({ dir: tempDir(), retainSeconds: 3600, now: () => now });
    assert.equal(watchers.length, 1);
    list.revokeSession('s1', now + 60_000);
    assert.equal(watchers.length, 1, 'one watcher while it works');
    watchers[0]!.emit('error', new Error('the directory went away'));
    assert.equal(watchers[0]!.closed, true);
    list.revokeSession('s2', now + 60_000);
    assert.equal(watchers.length, 2);
    list.close();
    assert.equal(watchers[1]!.closed, true);
    list.revokeSession('s3', now + 60_000);
    assert.equal(watchers.length, 2, 'a logout after close() is written, and starts no watcher');
    assert.equal(list.isRevoked({ id: 's3', createdAt: now }), true);
  } finally {
    t.mock.restoreAll();
    syncBuiltinESMExports();
  }
});

test('the log is compacted only once it holds more than twice as many lines as live records', () => {
  const dir = tempDir();
  const path = join(dir, 'revocations.jsonl');
  let now = 1_000_000;
  const list = new RevocationList({ dir, retainSeconds: 60, now: () => now, compactMinLines: 4, watch: false });
  list.revokeSession('s1', now + 1);
  const { ino } = statSync(path);
  list.revokeSession('s2', now + 1);
  now += 2; // s1 and s2 have expired
  list.revokeSession('s3', now + 60_000);
  list.revokeSession('s4', now + 60_000); // the check: 4 lines, 2 live records
  assert.equal(statSync(path).ino, ino);
  assert.equal(readFileSync(path, 'utf8').trimEnd().split('\n').length, 5);
});

test('a log of live subject records is not compacted', () => {
  const dir = tempDir();
  const path = join(dir, 'revocations.jsonl');
  const now = 1_000_000;
  const list = new RevocationList({ dir, retainSeconds: 60, now: () => now, compactMinLines: 1, watch: false });
  list.revokeSubject('u0');
  const { ino } = statSync(path);
  for (let i = 1; i < 8; i++) list.revokeSubject(`u${i}`);
  assert.equal(statSync(path).ino, ino);
  assert.equal(list.size, 8);
});

test('a list started on an existing log appends its first logout to it', () => {
  const dir = tempDir();
  const path = join(dir, 'revocations.jsonl');
  const now = 1_000_000;
  new RevocationList({ dir, retainSeconds: 3600, now: () => now, watch: false }).revokeSession('s1', now + 60_000);
  const { ino } = statSync(path);
  new RevocationList({ dir, retainSeconds: 3600, now: () => now, watch: false }).revokeSession('s2', now + 60_000);
  assert.equal(statSync(path).ino, ino);
});
