// The body readers on a request stream the test controls: limits at their exact edge, what is
// left on the request afterwards, a stream that fails, the charset rule, and each documented
// error body (docs/http.md, "Errors"). test/http/body.test.ts drives the same readers over HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { BODY_DEFAULTS, readForm, readJson, readRawBody } from '../../src/http/body.js';
import { HttpError } from '../../src/http/http-error.js';

const EVENTS = ['data', 'end', 'error', 'aborted'] as const;

/** A request that delivers `chunks` (strings, as UTF-8) then ends. */
function request(headers: Record<string, string>, chunks: (string | Uint8Array)[]): IncomingMessage {
  const stream = Readable.from(chunks.map((c) => Buffer.from(c)), { objectMode: false });
  return Object.assign(stream, { headers }) as unknown as IncomingMessage;
}

/** A request whose stream the test writes to, or fails. */
function openRequest(headers: Record<string, string> = {}): IncomingMessage & PassThrough {
  return Object.assign(new PassThrough(), { headers }) as unknown as IncomingMessage & PassThrough;
}

function listeners(req: IncomingMessage): number[] {
  return EVENTS.map((e) => req.listenerCount(e));
}

const refused = (status: number, message: string) => (err: unknown) => {
  assert.ok(err instanceof HttpError, String(err));
  assert.equal(err.status, status);
  assert.equal(err.message, message);
  return true;
};

test('accepts a body of exactly the limit, declared by Content-Length or counted as it streams', async () => {
  assert.equal(Buffer.from(await readRawBody(request({ 'content-length': '5' }, ['abcde']), 5)).toString(), 'abcde');
  assert.equal(Buffer.from(await readRawBody(request({}, ['ab', 'cde']), 5)).toString(), 'abcde');
});

test('refuses one byte over the limit with 413, declared or counted', async () => {
  await assert.rejects(readRawBody(request({ 'content-length': '6' }, ['abcdef']), 5), refused(413, 'Payload Too Large'));
  await assert.rejects(readRawBody(request({}, ['abc', 'def']), 5), refused(413, 'Payload Too Large'));
});

test('a body read to its end leaves no listener on the request', async () => {
  const req = request({}, ['a=1', '&b=2']);
  await readRawBody(req, 100);
  assert.deepEqual(listeners(req), [0, 0, 0, 0]);
});

test('a body refused mid-stream pauses the request and leaves no listener on it, so the rest is never buffered', async () => {
  const req = openRequest();
  const read = readRawBody(req, 4);
  req.write('abc');
  req.write('def');
  await assert.rejects(read, refused(413, 'Payload Too Large'));
  assert.equal(req.isPaused(), true);
  assert.deepEqual(listeners(req), [0, 0, 0, 0]);
});

test('a request stream that fails or is aborted rejects with 400, the cause kept for the log', async () => {
  const failing = openRequest();
  const read = readRawBody(failing, 100);
  const cause = new Error('socket hang up');
  failing.emit('error', cause);
  await assert.rejects(read, (err: unknown) => refused(400, 'Bad Request')(err) && (err as HttpError).cause === cause);
  assert.deepEqual(listeners(failing), [0, 0, 0, 0]);

  const aborted = openRequest();
  const reading = readRawBody(aborted, 100);
  aborted.write('a=');
  aborted.emit('aborted');
  await assert.rejects(reading, (err: unknown) => refused(400, 'Bad Request')(err) && ((err as HttpError).cause as Error).message === 'request aborted');
  assert.deepEqual(listeners(aborted), [0, 0, 0, 0]);
});

test('reads a form whose charset parameter names UTF-8, in any case, spacing or quoting', async () => {
  for (const type of [
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded;charset=utf-8',
    'Application/X-WWW-Form-Urlencoded; CHARSET = "UTF-8"',
    'application/x-www-form-urlencoded; charset=utf8',
    // Another parameter whose name only starts with "charset" is not the charset.
    'application/x-www-form-urlencoded; charsetx=latin1',
  ]) {
    const form = await readForm(request({ 'content-type': type }, ['a=1']), BODY_DEFAULTS);
    assert.equal(form.get('a'), '1', type);
  }
});

test('refuses with 415 a charset that is not exactly UTF-8', async () => {
  for (const charset of [';charset=latin1', '; charset=utf-80', '; charset=x-utf-8', '; charset=utf-16', '; charset=']) {
    const type = `application/x-www-form-urlencoded${charset}`;
    await assert.rejects(readForm(request({ 'content-type': type }, ['a=1']), BODY_DEFAULTS), refused(415, 'Unsupported Media Type'), type);
    await assert.rejects(readJson(request({ 'content-type': `application/json${charset}` }, ['{}']), BODY_DEFAULTS), refused(415, 'Unsupported Media Type'), charset);
  }
});

test('each refusal carries the body docs/http.md gives for it', async () => {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const json = { 'content-type': 'application/json' };
  await assert.rejects(readForm(request(form, [Uint8Array.of(0x61, 0x3d, 0xff)]), BODY_DEFAULTS), refused(400, 'Bad Request: body is not UTF-8'));
  await assert.rejects(readForm(request(form, ['a=%zz']), BODY_DEFAULTS), refused(400, 'Bad Request: malformed form encoding'));
  await assert.rejects(readForm(request(form, ['a&b&c']), { ...BODY_DEFAULTS, fields: 2 }), refused(413, 'Payload Too Large: too many fields'));
  await assert.rejects(readForm(request({ ...form, 'content-encoding': 'gzip' }, ['a=1']), BODY_DEFAULTS), refused(415, 'Unsupported Media Type'));
  await assert.rejects(readJson(request(json, ['{"a":']), BODY_DEFAULTS), refused(400, 'Bad Request: malformed JSON'));
  await assert.rejects(readJson(request(json, ['']), BODY_DEFAULTS), refused(400, 'Bad Request: malformed JSON'));
  await assert.rejects(readJson(request(json, ['{"__proto__":{"admin":true}}']), BODY_DEFAULTS), refused(400, 'Bad Request: forbidden JSON key'));
  await assert.rejects(readJson(request(json, ['{"constructor":{"prototype":{}}}']), BODY_DEFAULTS), refused(400, 'Bad Request: forbidden JSON key'));
  // JSON is application/json or a structured-syntax type ending in +json (RFC 6839 §3.1), nothing else.
  for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'application/jsonx', 'text/x+json']) {
    await assert.rejects(readJson(request({ 'content-type': type }, ['{}']), BODY_DEFAULTS), refused(415, 'Unsupported Media Type'), type);
  }
});

test('a "constructor" key holding no prototype is an ordinary key', async () => {
  const json = { 'content-type': 'application/vnd.api+json' };
  assert.deepEqual(await readJson(request(json, ['{"constructor":{"name":"x"},"c":"constructor"}']), BODY_DEFAULTS), { constructor: { name: 'x' }, c: 'constructor' });
});
