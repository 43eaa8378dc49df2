// asStoreUnavailable: a store outage becomes the 503 every adapter answers; anything else passes
// through untouched. The adapters' own behaviour is in the shared suite (test/adapters/session-suite.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionError } from '../../src/errors.js';
import { STORE_RETRY_AFTER, asStoreUnavailable, storeIsUnavailable, type StoreUnavailableError } from '../../src/web/store-unavailable.js';

const outage = () => new SessionError('ERR_STORE_UNAVAILABLE', 'internal', 'redis at 10.0.0.7 timed out');

test('an outage becomes a 503 in the shape Express, Koa and Fastify read, with the outage as its cause', () => {
  const cause = outage();
  const err = asStoreUnavailable(cause) as StoreUnavailableError;
  assert.ok(err instanceof Error);
  assert.equal(err.status, 503);
  assert.equal(err.statusCode, 503);
  assert.equal(err.expose, true);
  assert.deepEqual(err.headers, { 'retry-after': STORE_RETRY_AFTER });
  assert.equal(STORE_RETRY_AFTER, '5', 'the same wait as cachet’s own server');
  assert.equal(err.cause, cause);
});

test('the 503 says "Service Unavailable" and nothing of the store', () => {
  const err = asStoreUnavailable(outage()) as Error;
  assert.equal(err.message, 'Service Unavailable');
  assert.ok(!JSON.stringify({ ...err }).includes('10.0.0.7'), 'nor do its other fields');
});

test('any other error, a SessionError of another code included, passes through as it is', () => {
  const bug = new Error('a bug');
  const decode = new SessionError('ERR_SESSION_DESTROYED', 'usage', 'destroyed');
  assert.equal(asStoreUnavailable(bug), bug);
  assert.equal(asStoreUnavailable(decode), decode);
  assert.equal(asStoreUnavailable('a string'), 'a string');
  assert.equal(storeIsUnavailable(decode), false);
  assert.equal(storeIsUnavailable(outage()), true);
  assert.equal(storeIsUnavailable({ code: 'ERR_STORE_UNAVAILABLE' }), false, 'only a real SessionError counts');
});
