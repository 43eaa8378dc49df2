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
