import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usersMain } from '../../src/cli/users.js';
import { addUser, findUser, readUsers } from '../../src/app/user-file.js';
import { MAX_PASSWORD_LENGTH, parsePasswordHash, verifyPassword } from '../../src/app/passwords.js';
import { RevocationList } from '../../src/app/revocations.js';
import { memoryIo, spawnCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

test('adds a user with the password piped on stdin, at the full work factor', async () => {
  const dir = tempDir();
  const added = await spawnCli('users', ['add', 'alice'], { CACHET_DATA_DIR: dir }, 'a long passphrase\n');
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /added user alice/);
  const alice = findUser(dir, 'alice')!;
  assert.equal(parsePasswordHash(alice.passwordHash)?.iterations, 600_000);
  assert.equal(await verifyPassword('a long passphrase', alice.passwordHash), true);
  const listed = await spawnCli('users', ['list'], { CACHET_DATA_DIR: dir });
  assert.match(listed.stdout, /^alice\t\d{4}-/);
  const removed = await spawnCli('users', ['remove', 'alice'], { CACHET_DATA_DIR: dir });
  assert.equal(removed.code, 0);
  assert.deepEqual(readUsers(dir), []);
});

test('removing a user ends the sessions that user already has open', async () => {
  const dir = tempDir();
  const env = { CACHET_DATA_DIR: dir };
  assert.equal(await usersMain(['add', 'carol'], memoryIo(env, 'a long passphrase')), 0);
  const openedBefore = { id: 'sess-1', subject: 'carol', createdAt: Date.now() - 1000 };
  let now = Date.now();
  const server = new RevocationList({ dir, retainSeconds: 86_400, now: () => now });
  assert.equal(server.isRevoked(openedBefore), false);
  const io = memoryIo(env);
  assert.equal(await usersMain(['remove', 'carol'], io), 0);
  assert.match(io.stdout, /removed user carol and ended their sessions/);
  // The running server's list sees the CLI's write on its first check after refreshMs (1 s).
  now += 1000;
  assert.equal(server.isRevoked(openedBefore), true);
  assert.equal(server.isRevoked({ ...openedBefore, subject: 'dave' }), false);
});

test('a new password for an existing user ends every session opened with the old one', async () => {
  const dir = tempDir();
  const env = { CACHET_DATA_DIR: dir };
  assert.equal(await usersMain(['add', 'erin'], memoryIo(env, 'the first passphrase')), 0);
  const openedBefore = { id: 'sess-1', subject: 'erin', createdAt: Date.now() - 1000 };
  let now = Date.now();
  const server = new RevocationList({ dir, retainSeconds: 86_400, now: () => now, watch: false });
  assert.equal(server.isRevoked(openedBefore), false);
  const io = memoryIo(env, 'the second passphrase');
  assert.equal(await usersMain(['add', 'erin'], io), 0);
  assert.match(io.stdout, /updated user erin and ended their sessions/);
  assert.equal(await verifyPassword('the second passphrase', findUser(dir, 'erin')!.passwordHash), true);
  now += 1000; // the server's next look at the log
  assert.equal(server.isRevoked(openedBefore), true);
  // A login with the new password opens a session after the record: it stays valid.
  assert.equal(server.isRevoked({ ...openedBefore, id: 'sess-2', createdAt: now + 1 }), false);
  assert.equal(server.isRevoked({ ...openedBefore, subject: 'frank' }), false);
});

test('adding a new user ends no session', async () => {
  const dir = tempDir();
  const io = memoryIo({ CACHET_DATA_DIR: dir }, 'a long passphrase');
  assert.equal(await usersMain(['add', 'gina'], io), 0);
  assert.equal(io.stdout, 'added user gina\n');
  const server = new RevocationList({ dir, retainSeconds: 86_400, watch: false });
  assert.equal(server.size, 0);
});

test('refuses a short password, a missing name and an unknown user', async () => {
  const env = { CACHET_DATA_DIR: tempDir() };
  const short = memoryIo(env, 'short');
  assert.equal(await usersMain(['add', 'bob'], short), 1);
  assert.match(short.stderr, /at least 8/);
  // At the edge: 7 characters are refused, 8 are enough.
  const seven = memoryIo(env, 'x'.repeat(7));
  assert.equal(await usersMain(['add', 'bob'], seven), 1);
  assert.match(seven.stderr, /at least 8/);
  assert.equal(findUser(env.CACHET_DATA_DIR, 'bob'), undefined);
  const eight = memoryIo(env, 'x'.repeat(8));
  assert.equal(await usersMain(['add', 'carol'], eight), 0, eight.stderr);
  assert.ok(findUser(env.CACHET_DATA_DIR, 'carol') !== undefined);
  assert.equal(await usersMain(['add'], memoryIo(env)), 1);
  assert.equal(await usersMain(['remove'], memoryIo(env)), 1);
  const unknown = memoryIo(env);
  assert.equal(await usersMain(['remove', 'nobody'], unknown), 1);
  assert.match(unknown.stderr, /no user named nobody/);
  assert.equal(await usersMain(['explode'], memoryIo(env)), 1);
});

test('shows help listing every command and CACHET_DATA_DIR', async () => {
  const io = memoryIo({});
  assert.equal(await usersMain(['--help'], io), 0);
  assert.match(io.stdout, /add NAME[\s\S]*remove NAME[\s\S]*list[\s\S]*CACHET_DATA_DIR/);
  assert.equal(await usersMain(['add', '--help'], memoryIo({})), 0);
  assert.equal(await usersMain([], memoryIo({})), 1);
});

test('refuses a password longer than the login form accepts, so no user is left unable to log in', async () => {
  const dir = tempDir();
  const env = { CACHET_DATA_DIR: dir };
  assert.equal(MAX_PASSWORD_LENGTH, 1024);
  const long = memoryIo(env, 'p'.repeat(1025));
  assert.equal(await usersMain(['add', 'bob'], long), 1);
  assert.match(long.stderr, /at most 1024 characters/);
  assert.deepEqual(readUsers(dir), []);
  await assert.rejects(addUser(dir, 'bob', 'p'.repeat(1025), { iterations: 1000, unsafeAllowWeakIterationsForTests: true }), /longer than 1024/);
  assert.equal(await addUser(dir, 'bob', 'p'.repeat(1024), { iterations: 1000, unsafeAllowWeakIterationsForTests: true }), 'added');
});
