// The words of the codec's errors (docs/errors.md). A usage error is read by the programmer who
// must fix the call: it names the option or argument and what it accepts. A decode error has one
// fixed message per code, safe to log, that never holds the detail. Other tests assert codes;
// these assert what a person reads, and that an error caused by another keeps it as `cause`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CookieCodec, type CookieCodecOptions } from '../../src/codec/cookie-codec.js';
import { Keyring } from '../../src/keys/keyring.js';
import { SessionError, type SessionErrorCode } from '../../src/errors.js';
import { setup, rejection, T0 } from './codec-suite.js';

test('a bad constructor option is refused with a message that names it and the values it takes', async () => {
  const { keyring } = await setup('sealed');
  const cases: Array<[unknown, RegExp]> = [
    [undefined, /^CookieCodec needs an options object with a keyring$/],
    [null, /^CookieCodec needs an options object with a keyring$/],
    [{ keyring: {} }, /^keyring must be made by Keyring\.create\(\)$/],
    [{ keyring, mode: 'plain' }, /^mode must be 'sealed' or 'signed'$/],
    [{ keyring, maxAge: 0 }, /^maxAge must be an integer number of seconds from 1 to 34560000$/],
    [{ keyring, clockSkew: 301 }, /^clockSkew must be an integer number of seconds from 0 to 300$/],
    [{ keyring, maxBytes: 63 }, /^maxBytes must be an integer from 64 to 204800$/],
    [{ keyring, now: 5 }, /^now must be a function returning milliseconds$/],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => new CookieCodec(options as CookieCodecOptions), { code: 'ERR_OPTIONS_INVALID', kind: 'usage', message });
  }
  assert.throws(() => new CookieCodec({ keyring, maxage: 60 } as CookieCodecOptions), {
    code: 'ERR_OPTIONS_UNKNOWN',
    message: /^CookieCodec: unknown option "maxage" \(did you mean "maxAge"\?\)/,
  });
});

test('encode names what is wrong with its arguments, and keeps the JSON error as cause', async () => {
  const { codec } = await setup('sealed');
  const cycle: Record<string, unknown> = {};
  cycle['self'] = cycle;
  for (const data of [cycle, 10n]) {
    const err = await rejection(codec.encode('s', data));
    assert.equal(err.code, 'ERR_DATA_INVALID');
    assert.equal(err.message, 'data cannot be serialised as JSON (a cycle or a BigInt?)');
    assert.ok(err.cause instanceof TypeError, 'the TypeError JSON.stringify threw');
  }
  const notJson = await rejection(codec.encode('s', undefined));
  assert.equal(notJson.message, 'data must be a JSON value, not undefined, a function or a symbol');
  assert.equal('cause' in notJson, false);
  const usage = (code: SessionErrorCode, message: string | RegExp) => ({ code, kind: 'usage', message });
  await assert.rejects(codec.encodeJson('s', 5 as unknown as string), usage('ERR_DATA_INVALID', 'encodeJson takes the JSON text of the data, as JSON.stringify returns it'));
  await assert.rejects(codec.encode('', 1), usage('ERR_COOKIE_NAME_INVALID', 'cookie name must be a non-empty string'));
  await assert.rejects(codec.encode('s', 1, { maxAge: 7200 }), usage('ERR_OPTIONS_INVALID', 'encode maxAge must be an integer number of seconds from 1 to 3600'));
  await assert.rejects(codec.encode('s', 1, { ttl: 60 } as object), usage('ERR_OPTIONS_UNKNOWN', /^encode: unknown option "ttl"; valid options: maxAge$/));
  await assert.rejects(codec.encode('s', 'x'.repeat(5000)), usage('ERR_COOKIE_TOO_LARGE', 'cookie "s" would hold 5002+ characters of JSON; at most 4096 bytes fit'));
  const broken = new CookieCodec({ keyring: codec.keyring, now: () => Number.NaN });
  await assert.rejects(broken.encode('s', 1), usage('ERR_OPTIONS_INVALID', 'now() must return milliseconds since the Unix epoch'));
});

// docs/errors.md: `message` is fixed per code and safe to log; the precise reason is `detail`.
test('each decode code has one fixed, non-empty message that never holds the detail', async () => {
  const { codec, keyring } = await setup('sealed');
  const value = await codec.encode('session', { a: 1 });
  const later = (ms: number) => () => T0 + ms;
  const gone = await Keyring.create([{ id: 'gone', secret: new Uint8Array(32).fill(9) }]);
  const fromOtherKey = await new CookieCodec({ keyring: gone, now: () => T0 }).encode('session', 1);
  const failures: Array<Promise<unknown>> = [
    codec.decode('session', 'x'.repeat(5000)),
    codec.decode('session', 'x'.repeat(6000)),
    codec.decode('session', 'hello'),
    codec.decode('session', value.slice(0, -1)),
    codec.decode('session', `2s${value.slice(2)}`),
    codec.decode('session', `1m${value.slice(2)}`),
    codec.decode('session', fromOtherKey),
    codec.decode('session', fromOtherKey.replace('.gone.', '.also-gone.')),
    new CookieCodec({ keyring, maxAge: 3600, now: later(3_600_000) }).decode('session', value),
    new CookieCodec({ keyring, maxAge: 3600, now: later(7_200_000) }).decode('session', value),
    new CookieCodec({ keyring, maxAge: 3600, now: later(-60_000) }).decode('session', value),
    new CookieCodec({ keyring, maxAge: 3600, now: later(-120_000) }).decode('session', value),
    codec.decode('session', undefined as unknown as string),
    codec.decode('session', 42 as unknown as string),
  ];
  const byCode = new Map<string, SessionError[]>();
  for (const failure of failures) {
    const err = await rejection(failure);
    assert.equal(err.kind, 'decode');
    byCode.set(err.code, [...(byCode.get(err.code) ?? []), err]);
  }
  const codes = ['ERR_COOKIE_TOO_LARGE', 'ERR_COOKIE_TAMPERED', 'ERR_COOKIE_VERSION', 'ERR_COOKIE_KEY_UNKNOWN', 'ERR_COOKIE_EXPIRED', 'ERR_COOKIE_NOT_YET_VALID', 'ERR_COOKIE_MALFORMED'];
  assert.deepEqual([...byCode.keys()].sort(), codes.sort());
  for (const [code, errors] of byCode) {
    assert.equal(errors.length, 2, code);
    const [a, b] = errors as [SessionError, SessionError];
    assert.notEqual(a.message, '', `${code} has a message`);
    assert.equal(a.message, b.message, `${code}: one message for different failures`);
    if (a.detail !== b.detail) assert.ok(!a.message.includes(a.detail!) && !b.message.includes(b.detail!), code);
  }
});
