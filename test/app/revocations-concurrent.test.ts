// Regression: two workers logging out at the same moment each rewrote revocations.json from
// their own copy, so one logout could be forgotten and its cookie replayed. Writes now hold a lock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RevocationList } from '../../src/app/revocations.js';
import { withFileLock } from '../../src/app/data-dir.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = new URL('../..', import.meta.url).pathname;
const PER_PROCESS = 40;

function revokeMany(dir: string, tag: string): Promise<number | null> {
  const script = `
    import { RevocationList } from './src/app/revocations.ts';
    const list = new RevocationList({ dir: ${JSON.stringify(dir)}, retainSeconds: 3600 });
    for (let i = 0; i < ${PER_PROCESS}; i++) list.revokeSession('${tag}' + i, Date.now() + 600_000);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

test('no logout is lost when two processes revoke sessions at the same time', async () => {
  const dir = tempDir();
  const codes = await Promise.all([revokeMany(dir, 'a'), revokeMany(dir, 'b'), revokeMany(dir, 'c')]);
  assert.deepEqual(codes, [0, 0, 0]);
  const list = new RevocationList({ dir, retainSeconds: 3600 });
  const missing: string[] = [];
  for (const tag of ['a', 'b', 'c']) {
    for (let i = 0; i < PER_PROCESS; i++) if (!list.isRevoked({ id: tag + i, createdAt: 0 })) missing.push(tag + i);
  }
  assert.deepEqual(missing, []);
  assert.equal(existsSync(join(dir, 'revocations.jsonl.lock')), false);
});

test('a lock left by a crashed process is broken once stale, and a live one times out clearly', () => {
  const dir = tempDir();
  const path = join(dir, 'revocations.jsonl');
  withFileLock(path, () => {
    // Held: a second taker gives up after its timeout with a message naming the lock file.
    assert.throws(() => withFileLock(path, () => 1, { timeoutMs: 20 }), /revocations\.jsonl\.lock/);
    // Treated as stale at once: broken and taken (the outer holder here stands for a dead process).
    assert.equal(withFileLock(path, () => 2, { staleMs: -1 }), 2);
  });
  assert.equal(existsSync(`${path}.lock`), false);
});
