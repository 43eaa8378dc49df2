// Fault test (issue 7): a key rotation with SIGHUP while the reference app serves traffic keeps
// every existing session valid. Runs the real server (src/server.ts, as `node dist/server.js` does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readKeyFile, retireKey, rotateKeys, writeKeyFile } from '../../src/app/key-file.js';
import { csrfFrom, TestBrowser } from '../helpers/browser-client.js';
import { spawnServer } from '../helpers/spawn-server.js';
import { tempDir } from '../helpers/temp-dir.js';

const COOKIE = '__Host-session';

test('rotating keys with SIGHUP under traffic keeps every session valid and re-issues it under the new primary', async () => {
  const dir = join(tempDir(), 'data');
  const server = spawnServer(['--port', '0', '--no-explain'], { CACHET_DATA_DIR: dir });
  try {
    const [, password] = await server.waitFor(/user "demo" with password (\S+)/);
    const [, origin] = await server.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const oldId = readKeyFile(dir)![0]!.id;

    const users = [new TestBrowser(origin!), new TestBrowser(origin!), new TestBrowser(origin!)];
    for (const user of users) {
      const form = await user.get('/login');
      assert.equal((await user.post('/login', { username: 'demo', password: password!, _csrf: csrfFrom(form.body) })).status, 303);
      assert.equal((await user.get('/')).status, 200);
    }
    // A cookie sealed under the old key and not sent again until after the rotation.
    const oldValue = users[0]!.jar.get(COOKIE)!;
    assert.ok(oldValue.startsWith(`1s.${oldId}.`));

    // Each user reloads the home page in a loop; the visit counter lives in the session.
    const visits: number[][] = users.map(() => []);
    const statuses: number[] = [];
    let running = true;
    const loops = users.map(async (user, i) => {
      while (running) {
        const r = await user.get('/');
        statuses.push(r.status);
        const n = /data-visits="(\d+)"/.exec(r.body)?.[1];
        if (n !== undefined) visits[i]!.push(Number(n));
      }
    });

    const rotated = rotateKeys(readKeyFile(dir)!);
    const newId = rotated[0]!.id;
    writeKeyFile(dir, rotated);
    const before = statuses.length;
    server.child.kill('SIGHUP');
    await server.waitFor(new RegExp(`keys reloaded; primary is ${newId}, 2 key\\(s\\)`));
    // Let the loops run on under the new keys for a while.
    while (statuses.length < before + 30) await new Promise((r) => setTimeout(r, 10));
    running = false;
    await Promise.all(loops);

    assert.ok(statuses.length > 30);
    assert.deepEqual([...new Set(statuses)], [200], 'no request was sent back to /login');
    for (const counts of visits) {
      assert.ok(counts.length > 0, 'the visit counter is on the page');
      // The counter went on through the rotation: the session was never lost or reset.
      for (let i = 1; i < counts.length; i++) assert.equal(counts[i], counts[i - 1]! + 1);
    }
    for (const user of users) assert.ok(user.jar.get(COOKIE)!.startsWith(`1s.${newId}.`), 're-issued under the new primary');

    // A cookie sealed under the old key, not sent since before the rotation, still opens.
    const held = new TestBrowser(origin!);
    held.jar.set(COOKIE, oldValue);
    assert.equal((await held.get('/')).status, 200);

    // Once the old key is retired, re-issued sessions stay valid; a cookie under the old key does not.
    // Forced: the point here is what a retired key does to its cookies, not waiting out its safe time.
    writeKeyFile(dir, retireKey(rotated, oldId, { force: true }));
    server.child.kill('SIGHUP');
    await server.waitFor(new RegExp(`keys reloaded; primary is ${newId}, 1 key\\(s\\)`));
    for (const user of users) assert.equal((await user.get('/')).status, 200);
    const refused = new TestBrowser(origin!);
    refused.jar.set(COOKIE, oldValue);
    const r = await refused.get('/');
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/login');

    server.child.kill('SIGTERM');
    assert.equal((await server.exited).code, 0);
  } finally {
    server.child.kill('SIGKILL');
  }
});
