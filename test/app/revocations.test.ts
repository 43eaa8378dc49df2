import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
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

test('keeps its records across a restart and sees writes from another process', () => {
  const dir = tempDir();
  let now = 1_000_000;
  const a = new RevocationList({ dir, retainSeconds: 3600, now: () => now });
  const b = new RevocationList({ dir, retainSeconds: 3600, now: () => now });
  a.revokeSession('s1', now + 1000);
  b.revokeSubject('demo');
  const restarted = new RevocationList({ dir, retainSeconds: 3600, now: () => now });
  assert.equal(restarted.isRevoked({ id: 's1', createdAt: now }), true);
  assert.equal(restarted.isRevoked({ id: 'x', subject: 'demo', createdAt: now - 5 }), true);
  assert.equal(a.isRevoked({ id: 'x', subject: 'demo', createdAt: now - 5 }), true);
  assert.equal(statSync(join(dir, 'revocations.json')).mode & 0o777, 0o600);
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
