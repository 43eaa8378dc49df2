// A reader that closes the pipe before the CLI has written (`keys list | head -1`) is not a failure
// of the command: no stack trace, and the command's own exit code. The built CLI, in a process of
// its own, with its stdout a pipe this test closes at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { tempDir } from '../helpers/temp-dir.js';

const root = resolve(new URL('../..', import.meta.url).pathname);
const cli = join(root, 'dist', 'cli', 'cachet.js');

function runWithClosedStdout(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader is gone before the first byte
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stderr }));
  });
}

test('a CLI whose stdout reader has gone finishes quietly: no stack trace, its own exit code, its work done', async () => {
  const dir = tempDir('cachet-pipe-');
  const env = { CACHET_DATA_DIR: dir, NO_COLOR: '1' };
  const generated = await runWithClosedStdout(['keys', 'generate'], env);
  assert.equal(generated.code, 0, generated.stderr);
  const keysIn = (): unknown[] => (JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')) as { keys: unknown[] }).keys;
  const before = keysIn();
  const added = await runWithClosedStdout(['keys', 'add'], env);
  assert.equal(added.code, 0, added.stderr);
  assert.doesNotMatch(added.stderr, /EPIPE|Error|at /);
  const after = keysIn();
  assert.equal(after.length, before.length + 1, 'the key was added');
  const listed = await runWithClosedStdout(['keys', 'list'], env);
  assert.equal(listed.code, 0, listed.stderr);
  assert.equal(listed.stderr, '');
});
