// A login hashes for hundreds of milliseconds; `users remove` or `users add` (a new password) can
// land meanwhile. The login read the user before its hash, so it used to sign in a removed user,
// or a holder of the old password, with a session created after the CLI's "not valid before"
// record; and its work-factor upgrade wrote the user back. Every interleaving here is decided by
// the test: the password check is held until the test releases it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyPassword } from '../../src/app/passwords.js';
import { addUser, findUser, removeUser } from '../../src/app/user-file.js';
import { csrfFrom, type Reply } from '../helpers/browser-client.js';
import { PASSWORD, startApp, WEAK, type Harness } from '../helpers/app-harness.js';
import { tempDir } from '../helpers/temp-dir.js';

/** The real password check, started only once the test lets it. */
function heldVerifier() {
  const held: (() => void)[] = [];
  const verify = async (password: string, stored: string): Promise<boolean> => {
    await new Promise<void>((resolve) => held.push(resolve));
    return verifyPassword(password, stored);
  };
  return { verify, held };
}

async function until(done: () => boolean, what: string): Promise<void> {
  for (let turns = 0; !done(); turns++) {
    if (turns > 200_000) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Posts demo's login, runs `meanwhile` while its hash is held, then lets the hash finish. */
async function loginWhile(h: Harness, verifier: ReturnType<typeof heldVerifier>, meanwhile: () => Promise<void> | void) {
  const browser = h.browser();
  const csrf = csrfFrom((await browser.get('/login')).body);
  const reply: Promise<Reply> = browser.post('/login', { username: 'demo', password: PASSWORD, _csrf: csrf });
  await until(() => verifier.held.length === 1, 'the login is hashing');
  await meanwhile();
  // The session a late login would open is created after the CLI's record, as in real time.
  h.clock.advance(1000);
  verifier.held.shift()?.();
  return { reply: await reply, browser };
}

test('a login whose hash was running when its user was removed does not sign in', async () => {
  const verifier = heldVerifier();
  const h = await startApp({ verifyPassword: verifier.verify });
  const { reply, browser } = await loginWhile(h, verifier, () => {
    // What `users remove` does: users.json first, then the "not valid before" record.
    assert.equal(removeUser(h.dir, 'demo'), true);
    h.built.revocations.revokeSubject('demo');
  });
  assert.equal(reply.status, 401);
  assert.equal((await browser.get('/')).headers.get('location'), '/login');
  assert.ok(h.logs.includes('login failed: the user was removed or given a new password while the login ran'));
});

test('a login with the old password that was hashing when the password changed does not sign in', async () => {
  const verifier = heldVerifier();
  const h = await startApp({ verifyPassword: verifier.verify });
  const { reply, browser } = await loginWhile(h, verifier, async () => {
    // What `users add` for an existing user does.
    assert.equal(await addUser(h.dir, 'demo', 'a brand new passphrase', WEAK), 'updated');
    h.built.revocations.revokeSubject('demo');
  });
  assert.equal(reply.status, 401);
  assert.equal((await browser.get('/')).headers.get('location'), '/login');
});

test('a login that upgrades the hash of a user removed while it ran does not add the user back', async () => {
  const dir = tempDir();
  await addUser(dir, 'demo', PASSWORD, WEAK);
  const verifier = heldVerifier();
  // Today's work factor is above the stored one, so a successful check rewrites the hash.
  const h = await startApp({ dir, verifyPassword: verifier.verify, passwordHashOptions: { ...WEAK, iterations: 2000 } });
  const { reply } = await loginWhile(h, verifier, () => {
    removeUser(dir, 'demo');
    h.built.revocations.revokeSubject('demo');
  });
  assert.equal(reply.status, 401);
  assert.equal(findUser(dir, 'demo'), undefined);
});

test('a login that upgrades the hash does not put the old password back over a new one', async () => {
  const dir = tempDir();
  await addUser(dir, 'demo', PASSWORD, WEAK);
  const verifier = heldVerifier();
  const h = await startApp({ dir, verifyPassword: verifier.verify, passwordHashOptions: { ...WEAK, iterations: 2000 } });
  const { reply } = await loginWhile(h, verifier, async () => {
    await addUser(dir, 'demo', 'a brand new passphrase', WEAK);
    h.built.revocations.revokeSubject('demo');
  });
  assert.equal(reply.status, 401);
  const stored = findUser(dir, 'demo')!.passwordHash;
  assert.equal(await verifyPassword('a brand new passphrase', stored), true);
  assert.equal(await verifyPassword(PASSWORD, stored), false);
});

test('a login with no change meanwhile signs in, and upgrades the hash', async () => {
  const dir = tempDir();
  await addUser(dir, 'demo', PASSWORD, WEAK);
  const verifier = heldVerifier();
  const h = await startApp({ dir, verifyPassword: verifier.verify, passwordHashOptions: { ...WEAK, iterations: 2000 } });
  const { reply, browser } = await loginWhile(h, verifier, () => {});
  assert.equal(reply.status, 303);
  assert.equal((await browser.get('/')).status, 200);
  assert.match(findUser(dir, 'demo')!.passwordHash, /^pbkdf2-sha256\$2000\$/);
});
