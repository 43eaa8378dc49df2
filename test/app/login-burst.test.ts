// Regression tests for issue #13, section 1: a parallel login burst skipped the failed-login limit
// (the attempt was counted after the 300 ms hash) and starved session crypto of the thread pool.
// Every interleaving here is decided by the test: the password check is injected and held open
// until the test releases it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, promises as fsp, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { hashSlotsFor, poolSize } from '../../src/app/hash-gate.js';
import { verifyPassword } from '../../src/app/passwords.js';
import { addUser } from '../../src/app/user-file.js';
import { csrfFrom, type Reply, type TestBrowser } from '../helpers/browser-client.js';
import { PASSWORD, startApp, WEAK, type Harness } from '../helpers/app-harness.js';
import { tempDir } from '../helpers/temp-dir.js';

/** A password check whose every call waits until the test releases it. */
function heldVerifier() {
  const held: { password: string; release: (matched: boolean) => void }[] = [];
  let calls = 0;
  const verify = (password: string): Promise<boolean> => {
    calls++;
    return new Promise((resolve) => held.push({ password, release: resolve }));
  };
  return { verify, held, get calls() { return calls; } };
}

/** Yields to the event loop (and so to the sockets) until `done()` holds. No clock involved. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let turns = 0; !done(); turns++) {
    if (turns > 200_000) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function loginForm(browser: TestBrowser): Promise<string> {
  return csrfFrom((await browser.get('/login')).body);
}

/**
 * Fires `users.length` logins at once (wrong passwords) and, once every one of them has been
 * either answered or admitted to the hashing gate, releases the held checks one at a time.
 */
async function burst(h: Harness, verifier: ReturnType<typeof heldVerifier>, users: readonly string[], headersFor: (i: number) => Record<string, string> = () => ({})): Promise<Reply[]> {
  const browser = h.browser();
  const csrf = await loginForm(browser);
  const answered: Reply[] = [];
  const requests = users.map((username, i) =>
    browser.post('/login', { username, password: `guess ${i}`, _csrf: csrf }, headersFor(i)).then((r) => (answered.push(r), r)),
  );
  await until(() => answered.length + h.built.hashGate.inFlight + h.built.hashGate.queued === users.length, 'every login answered or admitted');
  while (answered.length < users.length) {
    await until(() => verifier.held.length > 0 || answered.length === users.length, 'a check to release or the last answer');
    verifier.held.shift()?.release(false);
  }
  return Promise.all(requests);
}

function count(replies: readonly Reply[], status: number): number {
  return replies.filter((r) => r.status === status).length;
}

test('the 6th concurrent guess for a user gets 429: of 40 parallel wrong logins, 5 reach the hash', async () => {
  const verifier = heldVerifier();
  const h = await startApp({ verifyPassword: verifier.verify, loginLimits: { perUser: 5, perIp: 1000 } });
  const replies = await burst(h, verifier, Array(40).fill('demo'));
  assert.equal(verifier.calls, 5);
  assert.equal(count(replies, 401), 5);
  assert.equal(count(replies, 429), 35);
  for (const r of replies.filter((r) => r.status === 429)) assert.match(r.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/);
});

test('of 200 parallel logins from one IP, each for another user, 20 reach the hash and 180 get 429', async () => {
  const verifier = heldVerifier();
  const h = await startApp({ verifyPassword: verifier.verify, loginLimits: { perUser: 5, perIp: 20 } });
  const replies = await burst(h, verifier, Array.from({ length: 200 }, (_, i) => `user${i}`));
  assert.equal(verifier.calls, 20);
  assert.equal(count(replies, 401), 20);
  assert.equal(count(replies, 429), 180);
});

test('a successful login takes back the failure counted for it in advance', async () => {
  const h = await startApp({ loginLimits: { perUser: 2, perIp: 2 } });
  const browser = h.browser();
  for (let i = 0; i < 3; i++) {
    const csrf = await loginForm(browser);
    assert.equal((await browser.post('/login', { username: 'demo', password: PASSWORD, _csrf: csrf })).status, 303);
    await browser.post('/logout', { _csrf: csrfFrom((await browser.get('/')).body) });
  }
  const csrf = await loginForm(browser);
  assert.equal((await browser.post('/login', { username: 'demo', password: 'wrong', _csrf: csrf })).status, 401);
  assert.equal((await browser.post('/login', { username: 'demo', password: PASSWORD, _csrf: csrf })).status, 303);
});

test('past the hashing queue a login gets 503 with Retry-After before any password work', async () => {
  const verifier = heldVerifier();
  const h = await startApp({
    verifyPassword: verifier.verify,
    loginLimits: { perUser: 100, perIp: 100, hashesInFlight: 1, hashesPerIp: 10, hashQueue: 2 },
  });
  const replies = await burst(h, verifier, ['a', 'b', 'c', 'd', 'e', 'f']);
  assert.equal(verifier.calls, 3);
  assert.equal(count(replies, 401), 3);
  const busy = replies.filter((r) => r.status === 503);
  assert.equal(busy.length, 3);
  for (const r of busy) {
    assert.equal(r.headers.get('retry-after'), '1');
    assert.match(r.body, /The server is busy/);
  }
  assert.equal(h.logs.filter((l) => l === 'login refused: password hashing queue full').length, 3);
});

test('refuses a password longer than 1024 characters without hashing it, even when its first 1024 match', async () => {
  const dir = tempDir();
  const exact = 'p'.repeat(1024);
  await addUser(dir, 'demo', exact, WEAK);
  let calls = 0;
  const h = await startApp({ dir, verifyPassword: (p, s) => (calls++, verifyPassword(p, s)) });
  const browser = h.browser();
  const csrf = await loginForm(browser);
  assert.equal((await browser.post('/login', { username: 'demo', password: `${exact}x`, _csrf: csrf })).status, 401);
  assert.equal(calls, 0);
  assert.equal((await browser.post('/login', { username: 'demo', password: exact, _csrf: csrf })).status, 303);
  assert.equal(calls, 1);
});

// The crypto thread pool: every crypto.subtle call (PBKDF2 and the session's AES-GCM alike) runs on
// libuv's pool, 4 threads here. Each held check below really occupies a pool thread: it opens a
// FIFO for reading, which blocks that thread until the test opens the other end. With the hashing
// cap at half the pool, a logged-in page view still gets threads for its AES-GCM while a burst of
// logins from different clients is held; with every login hashing at once, the pool is full
// and the page view never completes.
test('a login burst that holds pool threads at the hashing cap leaves session crypto free', { skip: process.platform === 'win32' ? 'needs mkfifo' : false, timeout: 60_000 }, async () => {
  const fifos: string[] = [];
  // Should the test fail (no free thread: the page view never completes), unblock every held
  // reader so the app can close and the process exit. Registered before the directory's removal.
  after(() => {
    for (const path of fifos) {
      try {
        closeSync(openSync(path, constants.O_RDWR | constants.O_NONBLOCK));
      } catch {
        // already released and removed
      }
    }
  });
  const fifoDir = tempDir();
  let blocking = 0;
  const verify = async (password: string, stored: string): Promise<boolean> => {
    if (password === PASSWORD) return verifyPassword(password, stored);
    const path = join(fifoDir, `fifo${fifos.length}`);
    execFileSync('mkfifo', [path]);
    fifos.push(path);
    blocking++;
    const handle = await fsp.open(path, 'r'); // one pool thread, blocked until a writer opens
    blocking--;
    await handle.close();
    return false;
  };
  const slots = hashSlotsFor(poolSize(process.env)); // 2 with the default pool of 4
  const burstSize = slots * 4;
  const h = await startApp({ verifyPassword: verify, trustProxy: 1 });
  const alice = h.browser();
  assert.equal((await alice.post('/login', { username: 'demo', password: PASSWORD, _csrf: await loginForm(alice) })).status, 303);
  assert.equal((await alice.get('/')).status, 200);

  const attacker = h.browser();
  const csrf = await loginForm(attacker);
  const logins = Array.from({ length: burstSize }, (_, i) =>
    attacker.post('/login', { username: `user${i}`, password: 'guess', _csrf: csrf }, { 'x-forwarded-for': `198.51.100.${i + 1}` }),
  );
  await until(() => h.built.hashGate.inFlight + h.built.hashGate.queued === burstSize && blocking === slots, 'checks blocking pool threads at the cap, the rest queued');
  assert.equal(h.built.hashGate.inFlight, slots);

  const page = await alice.get('/');
  assert.equal(page.status, 200);
  assert.match(page.body, /data-visits="2"/);

  let released = 0;
  while (released < burstSize) {
    await until(() => fifos.length > released, 'the next held check');
    const path = fifos[released] as string;
    // Non-blocking: ENXIO until the reader's open has reached the FIFO.
    let fd: number | undefined;
    while (fd === undefined) {
      try {
        fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENXIO') throw err;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    closeSync(fd);
    released++;
  }
  const replies = await Promise.all(logins);
  assert.deepEqual(replies.map((r) => r.status), Array(burstSize).fill(401));
  for (const path of fifos) unlinkSync(path);
});
