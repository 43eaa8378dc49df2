// Fuzzing the form and JSON body parsers: arbitrary byte chunks under arbitrary content types,
// through the internal reader and over a real socket. The outcome is a value or an HttpError of
// 400, 413 or 415, never anything else and never a hang; a value equals the oracle's, and a body
// the oracle accepts is never refused. Inputs are bounded (a few hundred bytes, small limits).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import { readForm, readJson, type BodyOptions } from '../../src/http/body.js';
import { HttpError } from '../../src/http/http-error.js';
import { createApp } from '../../src/http/app.js';
import { start, rawRequest } from '../http/helpers.js';
import { fuzzAsync, seed } from './seed.js';
import { hasForbiddenKey, oracleForm, oracleUtf8 } from './oracles.js';

type Outcome = { ok: true; value: unknown } | { ok: false; status: number };

/** A request stream that delivers `chunks` then ends, with the given headers. */
function fakeRequest(headers: Record<string, string>, chunks: Uint8Array[]): IncomingMessage {
  const stream = Readable.from(chunks.map((c) => Buffer.from(c)), { objectMode: false });
  return Object.assign(stream, { headers }) as unknown as IncomingMessage;
}

/** Runs a reader; any error that is not an HttpError 400/413/415, or no answer within 2 s, fails. */
async function outcome(read: Promise<unknown>): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the body reader hung')), 2_000);
  });
  try {
    return { ok: true, value: await Promise.race([read, hang]) };
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    assert.ok([400, 413, 415].includes(err.status), `status ${err.status}`);
    return { ok: false, status: err.status };
  } finally {
    clearTimeout(timer);
  }
}

const encoder = new TextEncoder();
const formText = fc
  .array(fc.constantFrom('a', 'b=', '=', '&', '+', '%', '%20', '%2B', '%C3%A9', '%C3', '%zz', '%E0%A4%A', 'é', '__proto__', 'x=1', '&&'), { maxLength: 30 })
  .map((p) => p.join(''));
const jsonText = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.array(fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '1', 'true', 'null', '"__proto__"', '"a"', '\\u0000', ' ', '\uFEFF'), { maxLength: 30 }).map((p) => p.join('')),
);
// Bodies: structured text, raw bytes (invalid UTF-8 likely), and text with a stray byte spliced in.
const body = (text: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 4, arbitrary: text.map((t) => encoder.encode(t)) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.tuple(text, fc.nat(), fc.integer({ min: 0x80, max: 0xff })).map(([t, at, b]) => { const e = encoder.encode(t); const i = Math.min(at, e.length); return Uint8Array.from([...e.slice(0, i), b, ...e.slice(i)]); }) },
  );

/** Splits bytes into chunks at the given cut points (cuts may fall inside a UTF-8 sequence). */
const chunked = (bytes: fc.Arbitrary<Uint8Array>) =>
  fc.tuple(bytes, fc.array(fc.nat(), { maxLength: 5 })).map(([b, cuts]) => {
    const at = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
    const out: Uint8Array[] = [];
    let prev = 0;
    for (const c of [...at, b.length]) {
      out.push(b.slice(prev, c));
      prev = c;
    }
    return { bytes: b, chunks: out };
  });

const FORM = 'application/x-www-form-urlencoded';
const contentType = (good: string[]) =>
  fc.option(fc.oneof(fc.constantFrom(...good), fc.constantFrom('text/plain', 'application/json; charset=latin1', `${FORM}; charset=iso-8859-1`, 'multipart/form-data', ';', ''), fc.string({ maxLength: 20 })), { nil: undefined, freq: 8 });
const encoding = fc.constantFrom(undefined, undefined, undefined, 'identity', 'IDENTITY', 'gzip', 'br, identity');
const limits = fc.record({ limit: fc.integer({ min: 0, max: 300 }), fields: fc.integer({ min: 1, max: 12 }) });

function headersFor(type: string | undefined, enc: string | undefined, declared: number | undefined): Record<string, string> {
  const h: Record<string, string> = {};
  if (type !== undefined) h['content-type'] = type;
  if (enc !== undefined) h['content-encoding'] = enc;
  if (declared !== undefined) h['content-length'] = String(declared);
  return h;
}

const GOOD_FORM = [FORM, `${FORM}; charset=utf-8`, `${FORM};charset="UTF-8"`, ` ${FORM.toUpperCase()} `];
const GOOD_JSON = ['application/json', 'application/json; charset=utf-8', 'application/ld+json', 'Application/JSON;charset=UTF8'];

test(`readForm answers a value or 400/413/415 and agrees with the form oracle (seed ${seed})`, async () => {
  await fuzzAsync(
    fc.asyncProperty(chunked(body(formText)), contentType(GOOD_FORM), encoding, limits, fc.boolean(), async ({ bytes, chunks }, type, enc, opts, declare) => {
      const req = fakeRequest(headersFor(type, enc, declare ? bytes.length : undefined), chunks);
      const got = await outcome(readForm(req, opts as Required<BodyOptions>));
      if (type === undefined || !GOOD_FORM.includes(type)) return; // only the status set is checked
      if (enc !== undefined && enc.toLowerCase() !== 'identity') return assert.deepEqual(got, { ok: false, status: 415 });
      if (bytes.length > opts.limit) return assert.deepEqual(got, { ok: false, status: 413 });
      const text = oracleUtf8(bytes);
      if (text === null) return assert.deepEqual(got, { ok: false, status: 400 });
      if (text.split('&').length > opts.fields && text !== '') return assert.deepEqual(got, { ok: false, status: 413 });
      const pairs = oracleForm(text);
      if (pairs === null) return assert.deepEqual(got, { ok: false, status: 400 });
      assert.ok(got.ok, `refused a valid form: ${JSON.stringify(text)}`);
      assert.deepEqual([...(got.value as URLSearchParams)], pairs);
    }),
    300,
  );
});

test(`readJson answers a value or 400/413/415 and agrees with JSON.parse minus forbidden keys (seed ${seed})`, async () => {
  await fuzzAsync(
    fc.asyncProperty(chunked(body(jsonText)), contentType(GOOD_JSON), encoding, limits, fc.boolean(), async ({ bytes, chunks }, type, enc, opts, declare) => {
      const req = fakeRequest(headersFor(type, enc, declare ? bytes.length : undefined), chunks);
      const got = await outcome(readJson(req, opts as Required<BodyOptions>));
      if (type === undefined || !GOOD_JSON.includes(type)) return;
      if (enc !== undefined && enc.toLowerCase() !== 'identity') return assert.deepEqual(got, { ok: false, status: 415 });
      if (bytes.length > opts.limit) return assert.deepEqual(got, { ok: false, status: 413 });
      const text = oracleUtf8(bytes);
      let want: unknown;
      try {
        if (text === null) throw new Error('not UTF-8');
        want = JSON.parse(text);
      } catch {
        return assert.deepEqual(got, { ok: false, status: 400 });
      }
      if (hasForbiddenKey(want)) return assert.deepEqual(got, { ok: false, status: 400 });
      assert.ok(got.ok, `refused valid JSON: ${JSON.stringify(text)}`);
      assert.deepEqual(got.value, want);
    }),
    300,
  );
});

// JSON texts built from a tree so keys can be spelled with escapes: \u005f_proto__ is __proto__.
// A Map, not an object literal: `{ __proto__: [...] }` would set the literal's prototype instead.
const KEYS = new Map<string, string[]>([
  ['__proto__', ['"__proto__"', '"\\u005f\\u005fproto\\u005f\\u005f"', '"__pro\\u0074o__"']],
  ['constructor', ['"constructor"', '"constructo\\u0072"', '"\\u0063onstructor"']],
  ['prototype', ['"prototype"', '"prot\\u006ftype"']],
  ['polluted', ['"polluted"']],
  ['a', ['"a"', '"\\u0061"']],
]);
type Tree = { keys: [string, number, Tree | number][] } | number;
const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.nat(9),
    fc.record({ keys: fc.array(fc.tuple(fc.constantFrom(...KEYS.keys()), fc.nat(2), tie('node')), { maxLength: 4 }) }),
  ),
})).node;
function render(t: Tree | number): string {
  if (typeof t === 'number') return String(t);
  return `{${t.keys.map(([k, spelling, v]) => `${KEYS.get(k)![spelling % KEYS.get(k)!.length]}:${render(v)}`).join(',')}}`;
}

test(`readJson never lets __proto__ or constructor.prototype through, however spelled (seed ${seed})`, async () => {
  const before = Object.getOwnPropertyNames(Object.prototype).sort();
  await fuzzAsync(
    fc.asyncProperty(tree, fc.nat(3), async (t, wrap) => {
      const text = wrap === 0 ? `[${render(t)}]` : render(t);
      const req = fakeRequest({ 'content-type': 'application/json' }, [encoder.encode(text)]);
      const got = await outcome(readJson(req, { limit: 100_000, fields: 1000 }));
      const forbidden = hasForbiddenKey(JSON.parse(text));
      assert.deepEqual(got.ok, !forbidden, text);
      if (got.ok) {
        // what passes is safe to merge the naive way
        const merged = Object.assign({}, got.value);
        assert.equal(Object.getPrototypeOf(merged), Object.prototype);
      }
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
      assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), before);
    }),
    300,
  );
});

test(`over a socket, random bodies and content types get 200/400/413/415, never a 5xx or a hang (seed ${seed})`, async () => {
  const app = createApp({ accessLog: false, logger: { error: () => {} }, body: { limit: 256, fields: 8 } });
  app.post('/form', async (ctx) => ctx.json([...(await ctx.readForm())]));
  app.post('/json', async (ctx) => ctx.json({ value: await ctx.readJson() }));
  const s = await start(app);
  try {
    await fuzzAsync(
      fc.asyncProperty(
        fc.constantFrom('/form', '/json'),
        chunked(body(fc.oneof(formText, jsonText))),
        contentType([...GOOD_FORM, ...GOOD_JSON]),
        fc.boolean(),
        async (path, { bytes, chunks }, type, useChunked) => {
          const head = `POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${type === undefined ? '' : `Content-Type: ${type.replace(/[\r\n]/g, '')}\r\n`}`;
          const parts = useChunked
            ? [`${head}Transfer-Encoding: chunked\r\n\r\n`, ...chunks.filter((c) => c.length > 0).map((c) => `${c.length.toString(16)}\r\n${Buffer.from(c).toString('latin1')}\r\n`), '0\r\n\r\n']
            : [`${head}Content-Length: ${bytes.length}\r\n\r\n`, ...chunks.map((c) => Buffer.from(c).toString('latin1'))];
          const r = await rawRequest(s.port, parts, 3_000);
          assert.ok([200, 400, 413, 415].includes(r.status), `${r.status} for ${JSON.stringify(parts)}`);
        },
      ),
      40,
    );
  } finally {
    await s.close();
  }
});
