import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../../src/app/main.js';
import { newStoredKey, rotateKeys, writeKeyFile } from '../../src/app/key-file.js';
import { addKey, promoteKey } from '../../src/app/key-states.js';
import { addUser } from '../../src/app/user-file.js';
import { TestBrowser } from '../helpers/browser-client.js';
import { tempDir } from '../helpers/temp-dir.js';
import { spawnServer } from '../helpers/spawn-server.js';
import { WEAK } from '../helpers/app-harness.js';

function io(env: NodeJS.ProcessEnv) {
  const lines: string[] = [];
  return { lines, env, out: (l: string) => void lines.push(l), err: (l: string) => void lines.push(`ERR ${l}`) };
}

test('keeps the running keys when the key file is broken, and takes the new ones once it is fixed', async () => {
  const dir = tempDir();
  await addUser(dir, 'demo', 'a long passphrase', WEAK);
  const keys = [newStoredKey()];
  writeKeyFile(dir, keys);
  const out = io({ CACHET_DATA_DIR: dir });
  const running = await startServer(['--port', '0', '--host', '127.0.0.1'], out);
  assert.ok(running);
  try {
    assert.ok(out.lines.some((l) => l.startsWith('cachet: listening on http://127.0.0.1:')));
    assert.ok(!out.lines.some((l) => l.includes('password')));
    writeFileSync(join(dir, 'keys.json'), '{ broken');
    await running.reload();
    assert.ok(out.lines.some((l) => l.startsWith('ERR cachet: key reload failed, keeping the current keys')));
    assert.equal((await new TestBrowser(`http://127.0.0.1:${running.port}`).get('/healthz')).status, 200);
    const rotated = rotateKeys(keys);
    writeKeyFile(dir, rotated);
    await running.reload();
    assert.ok(out.lines.includes(`cachet: keys reloaded; primary is ${rotated[0]!.id}, 2 key(s): 1 primary, 0 pending, 1 old`));
  } finally {
    await running.close();
  }
});

test('a reload of a staged rotation says the primary and the count per state, and /healthz follows it', async () => {
  const dir = tempDir();
  await addUser(dir, 'demo', 'a long passphrase', WEAK);
  const first = rotateKeys([]);
  writeKeyFile(dir, first);
  const out = io({ CACHET_DATA_DIR: dir });
  const running = await startServer(['--port', '0', '--host', '127.0.0.1'], out);
  assert.ok(running);
  const healthKeys = async () => (JSON.parse((await new TestBrowser(`http://127.0.0.1:${running.port}`).get('/healthz')).body) as { keys: unknown }).keys;
  try {
    const [p] = first.map((k) => k.id);
    const added = addKey(first);
    const n = added[1]!.id;
    writeKeyFile(dir, added);
    await running.reload();
    assert.equal(out.lines.at(-1), `cachet: keys reloaded; primary is ${p}, 2 key(s): 1 primary, 1 pending, 0 old`);
    assert.deepEqual(await healthKeys(), [{ id: p, state: 'primary' }, { id: n, state: 'pending' }]);
    writeKeyFile(dir, addKey(promoteKey(added, n)));
    await running.reload();
    assert.match(out.lines.at(-1)!, new RegExp(`^cachet: keys reloaded; primary is ${n}, 3 key\\(s\\): 1 primary, 1 pending, 1 old$`));
    assert.deepEqual((await healthKeys() as { state: string }[]).map((k) => k.state), ['primary', 'old', 'pending']);
  } finally {
    await running.close();
  }
});

test('ignores SIGHUP when the keys come from CACHET_KEYS, and says so', async () => {
  const dir = tempDir();
  await addUser(dir, 'demo', 'a long passphrase', WEAK);
  const key = newStoredKey();
  const out = io({ CACHET_DATA_DIR: dir, CACHET_KEYS: `${key.id}:${key.secret}` });
  const running = await startServer(['--port', '0', '--host', '::1'], out);
  assert.ok(running);
  try {
    assert.ok(out.lines.includes('cachet: using the keys in CACHET_KEYS (keys.json is ignored)'));
    assert.ok(out.lines.includes(`cachet: keys: primary is ${key.id}, 1 key(s): 1 primary, 0 pending, 0 old`), out.lines.join('\n'));
    assert.ok(out.lines.some((l) => l.startsWith('cachet: listening on http://[::1]:')));
    await running.reload();
    assert.ok(out.lines.some((l) => l.startsWith('cachet: SIGHUP ignored')));
  } finally {
    await running.close();
  }
});

test('reports a configuration error with exit status 2 and starts nothing', async () => {
  const out = io({ PORT: 'eighty' });
  assert.equal(await startServer([], out), undefined);
  assert.equal(process.exitCode, 2);
  process.exitCode = 0;
  assert.match(out.lines[0]!, /ERR cachet: port must be a whole number/);
});

test('exits with status 1 and one cachet: line, not a stack trace, when keys.json is readable by others', async () => {
  const dir = tempDir();
  writeKeyFile(dir, [newStoredKey()]);
  const path = join(dir, 'keys.json');
  chmodSync(path, 0o640);
  const server = spawnServer(['--port', '0'], { CACHET_DATA_DIR: dir });
  // Without the check the server would start: the race then ends with its "listening" line.
  const first = await Promise.race([server.exited, server.waitFor(/listening on/).then(() => ({ code: 'listening' }))]);
  assert.equal(first.code, 1);
  assert.equal(server.output(), `cachet: ${path} has mode 0640, so group or others can access it: a key others can read is refused, as ssh does. Fix it with: chmod 600 ${path} (and, if others could read it, rotate the keys)\n`);
});
