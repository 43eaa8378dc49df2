import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../../src/http/app.js';
import { noStore, securityHeaders } from '../../src/http/security-headers.js';
import { get, start } from './helpers.js';

test('sets CSP, nosniff, Referrer-Policy and COOP on every response, and no HSTS unless configured', async () => {
  const app = createApp({ accessLog: false });
  app.use(securityHeaders());
  app.get('/', (ctx) => ctx.html('<p>hi</p>'));
  const s = await start(app);
  try {
    for (const path of ['/', '/missing']) {
      const r = await get(s.port, path);
      const csp = r.headers['content-security-policy']?.[0] ?? '';
      for (const d of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "default-src 'self'", "style-src 'self'"]) {
        assert.ok(csp.includes(d), `${path}: ${d}`);
      }
      // Every default directive, exactly: a dropped script-src or form-action would widen the policy.
      assert.deepEqual(csp.split('; ').sort(), [
        "base-uri 'none'", "default-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "img-src 'self' data:", "object-src 'none'", "script-src 'self'", "style-src 'self'",
      ]);
      assert.equal(r.headers['x-frame-options']?.[0], 'DENY');
      assert.equal(r.headers['x-content-type-options']?.[0], 'nosniff');
      assert.equal(r.headers['referrer-policy']?.[0], 'no-referrer');
      assert.equal(r.headers['cross-origin-opener-policy']?.[0], 'same-origin');
      assert.equal(r.headers['strict-transport-security'], undefined);
    }
  } finally {
    await s.close();
  }
});

test('adds HSTS when configured and merges CSP directives', async () => {
  const app = createApp({ accessLog: false });
  app.use(securityHeaders({ hsts: { maxAge: 63_072_000, includeSubDomains: true }, csp: { 'img-src': "'self' https://img.example", 'form-action': null } }));
  app.get('/', (ctx) => ctx.text('x'));
  const s = await start(app);
  try {
    const r = await get(s.port, '/');
    assert.equal(r.headers['strict-transport-security']?.[0], 'max-age=63072000; includeSubDomains');
    const csp = r.headers['content-security-policy']?.[0] ?? '';
    assert.ok(csp.includes("img-src 'self' https://img.example"));
    assert.ok(!csp.includes('form-action'));
  } finally {
    await s.close();
  }
  assert.throws(() => securityHeaders({ hsts: { maxAge: -1 } }), TypeError);
  assert.throws(() => securityHeaders({ referrerPolicy: 'x\r\ny' }), TypeError);
});

test('checks the HSTS options and header values when the middleware is made, at their edges', async () => {
  // max-age=0 is how a site tells browsers to forget HSTS (RFC 6797 §6.1.1): allowed.
  for (const bad of [-1, 1.5, Number.NaN, '60' as unknown as number]) {
    assert.throws(() => securityHeaders({ hsts: { maxAge: bad } }), TypeError, String(bad));
  }
  assert.throws(() => securityHeaders({ hsts: { maxAge: 60, includeSubdomains: true } as never }), { code: 'ERR_OPTIONS_UNKNOWN' });
  // A bare CR or a bare LF is refused here, not left for Node to throw on every request.
  for (const value of ['x\ry', 'x\ny']) {
    assert.throws(() => securityHeaders({ referrerPolicy: value }), TypeError, JSON.stringify(value));
    assert.throws(() => securityHeaders({ csp: { 'img-src': value } }), TypeError, JSON.stringify(value));
  }
  const app = createApp({ accessLog: false });
  app.get('/zero', securityHeaders({ hsts: { maxAge: 0, includeSubDomains: false, preload: false } }), (ctx) => ctx.text('x'));
  app.get('/all', securityHeaders({ hsts: { maxAge: 1, includeSubDomains: true, preload: true }, csp: { 'upgrade-insecure-requests': '', 'block-all-mixed-content': '' } }), (ctx) => ctx.text('x'));
  const s = await start(app);
  try {
    assert.equal((await get(s.port, '/zero')).headers['strict-transport-security']?.[0], 'max-age=0');
    const all = await get(s.port, '/all');
    assert.equal(all.headers['strict-transport-security']?.[0], 'max-age=1; includeSubDomains; preload');
    // A directive with an empty value is written as its name alone (the first of two is not the
    // header's end, where a client would trim a stray space).
    const directives = (all.headers['content-security-policy']?.[0] ?? '').split('; ');
    assert.deepEqual(directives.slice(-2), ['upgrade-insecure-requests', 'block-all-mixed-content']);
  } finally {
    await s.close();
  }
});

test('noStore() marks authenticated pages Cache-Control: no-store', async () => {
  const app = createApp({ accessLog: false });
  app.get('/account', noStore(), (ctx) => ctx.html('<p>mine</p>'));
  app.get('/public', (ctx) => ctx.html('<p>all</p>'));
  const s = await start(app);
  try {
    assert.equal((await get(s.port, '/account')).headers['cache-control']?.[0], 'no-store');
    assert.equal((await get(s.port, '/public')).headers['cache-control'], undefined);
  } finally {
    await s.close();
  }
});
