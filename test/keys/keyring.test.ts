import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring, MAX_CACHED_EPOCHS } from '../../src/keys/keyring.js';
import { generateKey } from '../../src/keys/generate.js';
import { SIGNING_INFO, sealingInfo } from '../../src/keys/derive.js';
import { encodeBase64url, decodeBase64url } from '../../src/bytes/base64url.js';
import { SessionError } from '../../src/errors.js';

const subtle = crypto.subtle;
const secret = encodeBase64url(new Uint8Array(32).fill(7));

async function usageError(keys: unknown, code: string): Promise<SessionError> {
  const err = await Keyring.create(keys as never).then(
    () => assert.fail('expected a usage error'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof SessionError);
  assert.equal(err.code, code);
  assert.equal(err.kind, 'usage');
  return err;
}

test('the first key is the primary and keys are looked up by id', async () => {
  const ring = await Keyring.create([{ id: 'new', secret }, { id: 'old', secret: new Uint8Array(40).fill(1) }]);
  assert.equal(ring.primaryId, 'new');
  assert.deepEqual(ring.ids, ['new', 'old']);
  assert.equal(ring.has('old'), true);
  assert.equal(ring.has('gone'), false);
  assert.equal(ring.has('__proto__'), false);
  assert.equal(ring.get('old')?.id, 'old');
  assert.equal(ring.get('constructor'), undefined);
  assert.equal(ring.primary.id, 'new');
});

test('refuses an empty keyring or a non-array, saying a keyring needs a key', async () => {
  for (const keys of [[], undefined]) {
    const err = await usageError(keys, 'ERR_KEYRING_EMPTY');
    assert.match(err.message, /at least one key \{ id, secret \}/);
  }
});

test('refuses a key that is not an object, saying what a key is', async () => {
  const fn = Object.assign(() => undefined, { id: 'k', secret }); // a function is no key, whatever it carries
  for (const key of [null, 'k1', 42, fn]) {
    const err = await usageError([{ id: 'ok', secret }, key], 'ERR_KEY_ID_INVALID');
    assert.match(err.message, /^key #2: expected an object \{ id, secret \}$/);
  }
});

test('refuses a malformed id without printing it', async () => {
  for (const id of ['', 'a'.repeat(17), 'has space', 'dot.ted', 'é', 42]) {
    const err = await usageError([{ id, secret }], 'ERR_KEY_ID_INVALID');
    assert.match(err.message, /key #1/);
  }
  // A swapped { id: secret, secret: id } must not leak the secret through the id message.
  const err = await usageError([{ id: secret, secret: 'k1' }], 'ERR_KEY_ID_INVALID');
  assert.ok(!err.message.includes(secret));
  await usageError([null], 'ERR_KEY_ID_INVALID');
});

test('refuses a short secret, naming the key id and never the secret', async () => {
  const short = encodeBase64url(new Uint8Array(31).fill(9));
  const err = await usageError([{ id: 'k1', secret: short }], 'ERR_KEY_SECRET_SHORT');
  assert.match(err.message, /key "k1"/);
  assert.match(err.message, /31/);
  assert.ok(!err.message.includes(short));
  await usageError([{ id: 'k1', secret: new Uint8Array(16) }], 'ERR_KEY_SECRET_SHORT');
});

test('refuses a secret that is not canonical base64url or bytes', async () => {
  const padded = Buffer.from(new Uint8Array(33).fill(3)).toString('base64'); // '+', '/' or '=' are not base64url
  for (const bad of [`${secret}=`, `${secret} `, 'not base64url!', padded.replace(/A/g, '+'), 12345, undefined]) {
    const err = await usageError([{ id: 'k2', secret: bad }], 'ERR_KEY_SECRET_INVALID');
    assert.match(err.message, /key "k2"/);
    if (typeof bad === 'string') assert.ok(!err.message.includes(bad));
  }
});

test('refuses a duplicate id', async () => {
  const err = await usageError([{ id: 'k', secret }, { id: 'k', secret }], 'ERR_KEY_DUPLICATE');
  assert.match(err.message, /key "k"/);
});

test('zeroes its private copy of each secret once the key is imported', async (t) => {
  const imported: Uint8Array[] = [];
  const importKey = subtle.importKey.bind(subtle);
  t.mock.method(subtle, 'importKey', (...args: Parameters<typeof subtle.importKey>) => {
    imported.push(args[1] as Uint8Array);
    return importKey(...args);
  });
  const ring = await Keyring.create([{ id: 'a', secret: new Uint8Array(32).fill(5) }, { id: 'b', secret }]);
  assert.equal(imported.length, 2);
  for (const copy of imported) assert.deepEqual(copy, new Uint8Array(32), 'the copy handed to importKey is zeroed');
  const expected = await Keyring.create([{ id: 'a', secret: new Uint8Array(32).fill(5) }]);
  const message = new TextEncoder().encode('m');
  assert.deepEqual(await subtle.sign('HMAC', ring.primary.signingKey, message), await subtle.sign('HMAC', expected.primary.signingKey, message), 'zeroed after, not before, the import');
});

test('zeroes its private copy of a secret it refuses as too short', async (t) => {
  const short = new Uint8Array(31).fill(9);
  const fill = t.mock.method(Uint8Array.prototype, 'fill');
  await usageError([{ id: 'k1', secret: short }], 'ERR_KEY_SECRET_SHORT');
  const zeroed = fill.mock.calls.filter((call) => call.arguments[0] === 0 && (call.this as Uint8Array).length === 31);
  fill.mock.restore();
  assert.equal(zeroed.length, 1, 'the 31-byte copy was filled with zeros');
  assert.notEqual(zeroed[0]!.this, short);
  assert.deepEqual(zeroed[0]!.this, new Uint8Array(31));
  assert.deepEqual(short, new Uint8Array(31).fill(9), "the caller's bytes are untouched");
});

test("leaves the caller's secret bytes untouched", async () => {
  const bytes = new Uint8Array(32).fill(5);
  const buffer = Buffer.alloc(32, 6); // Buffer#slice is a view: the ring must copy, not slice
  await Keyring.create([{ id: 'a', secret: bytes }, { id: 'b', secret: buffer }]);
  assert.deepEqual(bytes, new Uint8Array(32).fill(5));
  assert.deepEqual(buffer, Buffer.alloc(32, 6));
});

test('derives the signing key as HKDF-SHA256(secret, empty salt, the signing label)', async () => {
  const raw = new Uint8Array(32).map((_, i) => i);
  const ring = await Keyring.create([{ id: 'k', secret: raw }]);
  const base = await subtle.importKey('raw', raw, 'HKDF', false, ['deriveBits']);
  const bits = await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new TextEncoder().encode(SIGNING_INFO) }, base, 256);
  const expected = await subtle.importKey('raw', bits, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const message = new TextEncoder().encode('m');
  assert.deepEqual(await subtle.sign('HMAC', ring.primary.signingKey, message), await subtle.sign('HMAC', expected, message));
  assert.equal(ring.primary.signingKey.extractable, false);
});

test('derives one non-extractable sealing key per epoch, with the epoch in the HKDF label', async () => {
  const raw = new Uint8Array(32).map((_, i) => 255 - i);
  const ring = await Keyring.create([{ id: 'k', secret: raw }]);
  const base = await subtle.importKey('raw', raw, 'HKDF', false, ['deriveBits']);
  const iv = new Uint8Array(12);
  const plain = new TextEncoder().encode('p');
  for (const epoch of [0, 493_237]) {
    const bits = await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new TextEncoder().encode(sealingInfo(epoch)) }, base, 256);
    const expected = await subtle.importKey('raw', bits, 'AES-GCM', false, ['encrypt']);
    const key = await ring.primary.sealingKey(epoch);
    assert.equal(key.extractable, false);
    assert.deepEqual(await subtle.encrypt({ name: 'AES-GCM', iv }, key, plain), await subtle.encrypt({ name: 'AES-GCM', iv }, expected, plain));
  }
  const a = await ring.primary.sealingKey(1);
  const b = await ring.primary.sealingKey(2);
  assert.notDeepEqual(await subtle.encrypt({ name: 'AES-GCM', iv }, a, plain), await subtle.encrypt({ name: 'AES-GCM', iv }, b, plain));
});

test('derives each epoch key once, even for concurrent requests, then returns it without a promise', async (t) => {
  const ring = await Keyring.create([generateKey('k')]);
  const derive = t.mock.method(subtle, 'deriveKey');
  const pending = await Promise.all([ring.primary.sealingKey(10), ring.primary.sealingKey(10), ring.primary.sealingKey(10)]);
  assert.equal(derive.mock.callCount(), 1);
  assert.equal(pending[0], pending[2]);
  const cached = ring.primary.sealingKey(10);
  assert.ok(!(cached instanceof Promise));
  assert.equal(cached, pending[0]);
  assert.equal(derive.mock.callCount(), 1);
});

test('bounds the epoch cache and evicts the oldest epoch first', async () => {
  const ring = await Keyring.create([generateKey('k')]);
  const key = ring.primary;
  for (let i = 0; i < MAX_CACHED_EPOCHS; i += 64) await Promise.all(Array.from({ length: 64 }, (_, j) => key.sealingKey(i + j)));
  assert.equal(key.cachedEpochs, MAX_CACHED_EPOCHS);
  await key.sealingKey(MAX_CACHED_EPOCHS);
  assert.equal(key.cachedEpochs, MAX_CACHED_EPOCHS);
  assert.ok(key.sealingKey(0) instanceof Promise, 'epoch 0 was evicted and is derived again');
  assert.ok(!(key.sealingKey(MAX_CACHED_EPOCHS) instanceof Promise));
});

test('never caches more than MAX_CACHED_EPOCHS keys, even when an epoch is evicted while it is being derived', async () => {
  const ring = await Keyring.create([generateKey('k')]);
  const key = ring.primary;
  // Epoch 0 is still pending when the 1024 epochs after it fill the cache and evict it.
  const pending = Array.from({ length: MAX_CACHED_EPOCHS + 1 }, (_, epoch) => key.sealingKey(epoch));
  assert.equal(key.cachedEpochs, MAX_CACHED_EPOCHS);
  const keys = await Promise.all(pending);
  assert.equal(keys[0]!.type, 'secret', 'the evicted derivation still answers the request that started it');
  assert.equal(key.cachedEpochs, MAX_CACHED_EPOCHS, 'and does not put its key back into a full cache');
  assert.ok(key.sealingKey(0) instanceof Promise, 'epoch 0 is derived again');
});

test('forgets a failed derivation so the next request retries', async (t) => {
  const ring = await Keyring.create([generateKey('k')]);
  const boom = new Error('boom');
  const derive = t.mock.method(subtle, 'deriveKey', () => Promise.reject(boom));
  await assert.rejects(Promise.resolve(ring.primary.sealingKey(5)), { code: 'ERR_CRYPTO', kind: 'internal', message: /sealing key/, cause: boom });
  assert.equal(ring.primary.cachedEpochs, 0);
  derive.mock.restore();
  assert.equal((await ring.primary.sealingKey(5)).type, 'secret');
});

test('reports a failing platform at creation as ERR_CRYPTO', async (t) => {
  const noHkdf = new Error('no HKDF');
  const importKey = t.mock.method(subtle, 'importKey', () => Promise.reject(noHkdf));
  // The platform's own error is kept as the cause, for the operator who has to fix the platform.
  await assert.rejects(Keyring.create([generateKey('k')]), { code: 'ERR_CRYPTO', kind: 'internal', message: /import/, cause: noHkdf });
  importKey.mock.restore();
  t.mock.method(subtle, 'deriveKey', () => Promise.reject(new Error('no HMAC')));
  await assert.rejects(Keyring.create([generateKey('k')]), { code: 'ERR_CRYPTO', kind: 'internal', message: /signing key/ });
});

test('generateKey makes a 32-byte base64url secret with a valid id', async () => {
  const a = generateKey();
  const b = generateKey();
  assert.match(a.id, /^\d{8}-[A-Za-z0-9_-]{4}$/);
  assert.equal(decodeBase64url(a.secret)?.length, 32);
  assert.notEqual(a.secret, b.secret);
  assert.equal(generateKey('2026-11').id, '2026-11');
  assert.throws(() => generateKey('bad id'), { code: 'ERR_KEY_ID_INVALID', kind: 'usage', message: /\[A-Za-z0-9_-\]\{1,16\}/ });
  assert.equal((await Keyring.create([a])).primaryId, a.id);
});

test('refuses the same secret under two ids, naming both ids and never the secret: a rotation that rotates nothing', async () => {
  const key = generateKey('new');
  const err = await Keyring.create([key, { id: 'old', secret: key.secret }]).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof SessionError);
  assert.equal(err.code, 'ERR_KEY_DUPLICATE');
  assert.equal(err.kind, 'usage');
  assert.match(err.message, /"new" and "old" have the same secret/);
  assert.ok(!err.message.includes(key.secret));
  // as bytes and as base64url text, the same secret is the same
  const bytes = new Uint8Array(32).map((_, i) => i);
  await assert.rejects(Keyring.create([{ id: 'a', secret: bytes }, { id: 'b', secret: encodeBase64url(bytes) }]), (e: unknown) => e instanceof SessionError && e.code === 'ERR_KEY_DUPLICATE');
});
