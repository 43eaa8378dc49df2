// GET /healthz shows the key ids and states an instance runs with, so that an operator can check
// that every instance lists a pending key before promoting it. Never a secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addKey, newStoredKey, promoteKey, type StoredKey } from '../../src/app/key-states.js';
import { csrfFrom } from '../helpers/browser-client.js';
import { PASSWORD, startApp, type Harness } from '../helpers/app-harness.js';

async function health(h: Harness): Promise<{ status: string; keys: { id: string; state: string }[] }> {
  const res = await h.browser().get('/healthz');
  assert.equal(res.status, 200);
  assert.equal(res.setCookies.length, 0, 'touches no session');
  return JSON.parse(res.body) as { status: string; keys: { id: string; state: string }[] };
}

test('lists every key id with its state, primary first, and no secret', async () => {
  const old = newStoredKey();
  const pending: StoredKey = { ...newStoredKey(), state: 'pending' };
  const primary: StoredKey = { ...newStoredKey(), state: 'primary', promotedAt: '2026-11-26T10:00:00.000Z' };
  const h = await startApp({ keys: [pending, old, primary] });
  const res = await h.browser().get('/healthz');
  assert.deepEqual(JSON.parse(res.body), {
    status: 'ok',
    keys: [
      { id: primary.id, state: 'primary' },
      { id: pending.id, state: 'pending' },
      { id: old.id, state: 'old' },
    ],
  });
  for (const key of [old, pending, primary]) assert.ok(!res.body.includes(key.secret), 'a secret in /healthz');
  assert.equal(res.headers.get('cache-control'), 'no-store');
});

test('seals with the key marked primary even when the list given to the app starts with another', async () => {
  const pending: StoredKey = { ...newStoredKey(), state: 'pending' };
  const primary: StoredKey = { ...newStoredKey(), state: 'primary' };
  const h = await startApp({ keys: [pending, newStoredKey(), primary] });
  const browser = h.browser();
  const form = await browser.get('/login');
  await browser.post('/login', { username: 'demo', password: PASSWORD, _csrf: csrfFrom(form.body) });
  assert.ok(browser.jar.get('__Host-session')!.startsWith(`1s.${primary.id}.`));
});

test('follows a key reload: add, then promote, show up at once', async () => {
  const first: StoredKey[] = [{ ...newStoredKey(), state: 'primary' }];
  const h = await startApp({ keys: first });
  const p = first[0]!.id;
  assert.deepEqual((await health(h)).keys, [{ id: p, state: 'primary' }]);
  const added = addKey(first);
  const n = added[1]!.id;
  await h.built.setKeys(added);
  assert.deepEqual((await health(h)).keys, [{ id: p, state: 'primary' }, { id: n, state: 'pending' }]);
  await h.built.setKeys(promoteKey(added, n));
  assert.deepEqual(await health(h), { status: 'ok', keys: [{ id: n, state: 'primary' }, { id: p, state: 'old' }] });
});

test('refuses to build the app from keys with two primaries or none, before serving anything, naming the keys option', async () => {
  const two = [{ ...newStoredKey(), state: 'primary' as const }, { ...newStoredKey(), state: 'primary' as const }];
  const twoPrimaries = `keys: keys ${two[0]!.id} and ${two[1]!.id} are marked "primary"; exactly one key may be`;
  await assert.rejects(startApp({ keys: two }), { message: twoPrimaries });
  await assert.rejects(startApp({ keys: [{ ...newStoredKey(), state: 'pending' }] }), { message: /^keys: every key is "pending"/ });
  const h = await startApp();
  await assert.rejects(h.built.setKeys(two), { message: twoPrimaries });
  assert.equal((await health(h)).keys.length, 1, 'a refused reload keeps the running keys');
});
