// Fuzzing the request target and the router's param decoding against a small oracle written
// here from RFC 3986: split on '/', percent-decode each segment strictly (%HH only, UTF-8 only),
// refuse '.' and '..'. A path is either refused (400) or every param decodes to exactly what the
// oracle says, and a value percent-encoded into a path always comes back unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseRequestTarget, toggleTrailingSlash } from '../../src/http/request-target.js';
import { Router } from '../../src/http/router/radix.js';
import { LinearRouter } from '../../src/http/router/linear.js';
import { createApp } from '../../src/http/app.js';
import { start, rawRequest } from '../http/helpers.js';
import { fuzz, fuzzAsync, seed } from './seed.js';
import { oracleDecode } from './oracles.js';

/** The oracle: the decoded segments of an acceptable path, or null when it must be refused. */
function oracleSegments(url: string): { path: string; query: string; segments: string[] } | null {
  // Origin-form has no fragment (RFC 9112 §3.2.1): a `#` anywhere refuses the target.
  if (!url.startsWith('/') || url.includes('#')) return null;
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const segments: string[] = [];
  for (const raw of path.slice(1).split('/')) {
    const decoded = oracleDecode(raw);
    if (decoded === null || decoded === '.' || decoded === '..') return null;
    segments.push(decoded);
  }
  return { path, query: q === -1 ? '' : url.slice(q + 1), segments };
}

// Pieces that make the interesting cases likely: escapes (good, truncated, overlong, surrogate
// halves encoded as UTF-8), dots, encoded dots and slashes, and raw non-ASCII.
const piece = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('/', 'a', 'b', '.', '..', '%', '%2e', '%2E', '%2f', '%2F', '%25', '%20', '?', '#', ':', '+', '%C3%A9', '%C3', '%A9', '%E2%98%83', '%E0%A4%A', '%ED%A0%80', '%C0%AF', '%F4%90%80%80', '%zz', '%0', '%00', 'é', '☃', '\\', ';', '=') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
);
const target = fc.oneof(
  { weight: 8, arbitrary: fc.array(piece, { maxLength: 14 }).map((p) => `/${p.join('')}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

// Routes that put every segment of a 1-4 segment path into a param, and the rest into a wildcard.
function paramRouters() {
  const radix = new Router<number>({ maxParamLength: 10_000 });
  const linear = new LinearRouter<number>({ maxParamLength: 10_000 });
  for (const r of [radix, linear]) {
    r.add('GET', '/:a', 1).add('GET', '/:a/:b', 2).add('GET', '/:a/:b/:c', 3).add('GET', '/:a/:b/:c/:d', 4).add('GET', '/:a/:b/:c/:d/*', 5);
  }
  return { radix, linear };
}
const NAMES = ['a', 'b', 'c', 'd'];

test(`parseRequestTarget never throws and agrees with the segment oracle (seed ${seed})`, () => {
  fuzz(
    fc.property(target, (url) => {
      const got = parseRequestTarget(url);
      const want = oracleSegments(url);
      if (want === null) assert.equal(got, null, 'must be refused');
      else assert.deepEqual(got, { path: want.path, query: want.query });
    }),
    1500,
  );
});

/** What the param routers must answer for a raw path: params are non-empty, the wildcard may be empty. */
function modelLookup(path: string): { kind: 'found'; params: Record<string, string> } | { kind: 'not-found' } | { kind: 'bad-request' } {
  const raw = path.slice(1).split('/');
  if (raw.slice(0, 4).some((s) => s === '')) return { kind: 'not-found' };
  const entries: [string, string][] = raw.slice(0, 4).map((s, i) => [NAMES[i]!, s]);
  if (raw.length > 4) entries.push(['*', raw.slice(4).join('/')]);
  const params: Record<string, string> = {};
  for (const [name, value] of entries) {
    const decoded = oracleDecode(value);
    if (decoded === null) return { kind: 'bad-request' };
    params[name] = decoded;
  }
  return { kind: 'found', params };
}

function assertAgrees(router: Router<number> | LinearRouter<number>, path: string): void {
  const result = router.lookup('GET', path);
  const want = modelLookup(path);
  assert.equal(result.kind, want.kind, `${JSON.stringify(path)}: ${JSON.stringify(result)}`);
  if (result.kind === 'found' && want.kind === 'found') {
    assert.equal(Object.getPrototypeOf(result.params), null);
    assert.deepEqual({ ...result.params }, want.params, JSON.stringify(path));
  }
}

test(`router params on any accepted target equal the oracle's decoded segments (seed ${seed})`, () => {
  const { radix, linear } = paramRouters();
  fuzz(
    fc.property(target, (url) => {
      const accepted = parseRequestTarget(url);
      if (accepted === null) return;
      assertAgrees(radix, accepted.path);
      assertAgrees(linear, accepted.path);
      // an accepted path decodes as a whole, so no param of it can be a bad escape
      assert.notEqual(modelLookup(accepted.path).kind, 'bad-request');
    }),
    1000,
  );
});

test(`router lookups on raw paths never throw and refuse exactly the undecodable params (seed ${seed})`, () => {
  const { radix, linear } = paramRouters();
  fuzz(
    fc.property(fc.array(piece, { minLength: 1, maxLength: 10 }).map((p) => `/${p.join('')}`), (path) => {
      assertAgrees(radix, path);
      assertAgrees(linear, path);
    }),
    1000,
  );
});

// Any string a client might want in a segment, except '.' and '..', which RFC 3986 gives a meaning.
const segmentValue = fc
  .string({ unit: fc.oneof(fc.constantFrom('/', '%', '?', '#', '.', ' ', '+', '&', '=', '\u0000', 'é', '😀'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 12 })
  .filter((s) => s !== '.' && s !== '..');

test(`a value percent-encoded into a path comes back unchanged as its param (seed ${seed})`, () => {
  const { radix, linear } = paramRouters();
  fuzz(
    // The query as a client sends it: a `#` in it would start a fragment, which is never sent.
    fc.property(fc.array(segmentValue, { minLength: 1, maxLength: 4 }), fc.string({ maxLength: 10 }).map((q) => q.replaceAll('#', '%23')), (values, query) => {
      const url = `/${values.map(encodeURIComponent).join('/')}?${query}`;
      const accepted = parseRequestTarget(url);
      assert.notEqual(accepted, null, url);
      for (const router of [radix, linear]) {
        const result = router.lookup('GET', accepted!.path);
        assert.equal(result.kind, 'found');
        if (result.kind === 'found') assert.deepEqual({ ...result.params }, Object.fromEntries(values.map((v, i) => [NAMES[i], v])));
      }
    }),
    500,
  );
});

test(`the trailing-slash redirect target never leaves the host, by the WHATWG URL parser (seed ${seed})`, () => {
  const base = 'https://app.example/';
  fuzz(
    fc.property(target, fc.constantFrom('', '/', '\\', '\t', '%2F'), (url, tail) => {
      const accepted = parseRequestTarget(url + tail);
      if (accepted === null) return;
      const other = toggleTrailingSlash(accepted.path);
      if (other === null) return;
      assert.ok(other === `${accepted.path}/` || `${other}/` === accepted.path, 'only the trailing slash may change');
      const resolved = new URL(other, base);
      assert.equal(resolved.origin, 'https://app.example', `${JSON.stringify(other)} leaves the host`);
    }),
    1000,
  );
});

test(`over a socket, a raw target gets 400 or the oracle's params, never a 5xx (seed ${seed})`, async () => {
  const app = createApp({ accessLog: false, logger: { error: () => {} } });
  app.get('/p/:a/:b', (ctx) => ctx.json({ ...ctx.params }));
  app.get('/p/:a', (ctx) => ctx.json({ ...ctx.params }));
  const s = await start(app);
  try {
    // Only bytes a request line can carry: no space, CR, LF; latin1 on the wire.
    const wirePiece = fc.oneof(piece.filter((p) => !/[\s\u0000-\u001f\u007f-\uffff]/.test(p) || /^[é☃]$/.test(p)), fc.constantFrom('%', '.', '..', '%2e'));
    await fuzzAsync(
      fc.asyncProperty(fc.array(wirePiece, { minLength: 1, maxLength: 8 }), async (pieces) => {
        const url = `/p/${pieces.join('')}`;
        const r = await rawRequest(s.port, `GET ${url} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
        assert.ok(r.status >= 200 && r.status < 500, `${r.status} for ${url}`);
        const want = oracleSegments(Buffer.from(url, 'latin1').toString('latin1'));
        const wireHasNonAscii = /[^\x00-\x7f]/.test(url);
        if (want === null) {
          assert.equal(r.status, 400, url);
        } else if (!wireHasNonAscii) {
          const rest = want.segments.slice(1);
          if (rest.length <= 2 && rest.every((v) => v !== '')) {
            assert.equal(r.status, 200, url);
            assert.deepEqual(JSON.parse(r.body), Object.fromEntries(rest.map((v, i) => [NAMES[i], v])), url);
          } else {
            assert.equal(r.status, 404, url);
          }
        } else {
          // a raw byte over 0x7f: node's parser may refuse it (400) before the app sees it
          assert.ok([200, 400, 404].includes(r.status), `${r.status} for ${url}`);
        }
      }),
      40,
    );
  } finally {
    await s.close();
  }
});
