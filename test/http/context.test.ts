import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../../src/http/app.js';
import { HttpError } from '../../src/http/http-error.js';
import { formatAccessLine } from '../../src/http/log.js';
import { Router } from '../../src/http/router/radix.js';
import { get, post, start } from './helpers.js';

function quietApp(options: Parameters<typeof createApp>[0] = {}) {
  const errors: unknown[] = [];
  const app = createApp({ accessLog: false, logger: { error: (err) => errors.push(err) }, ...options });
  return { app, errors };
}

test('exposes headers and a per-request state, and sends raw bodies with their type', async () => {
  const { app } = quietApp();
  app.use((ctx, next) => {
    ctx.state['user'] = ctx.headers['x-user'];
    return next();
  });
  app.get('/me', (ctx) => ctx.send(new TextEncoder().encode(String(ctx.state['user'])), 'text/plain; charset=utf-8', 201));
  const s = await start(app);
  try {
    const r = await get(s.port, '/me', 'GET', 'X-User: ada\r\n');
    assert.equal(r.status, 201);
    assert.equal(r.body, 'ada');
    assert.equal(r.headers['content-length']?.[0], '3');
  } finally {
    await s.close();
  }
});

test('lets a detached handler write the response itself', async () => {
  const { app } = quietApp();
  app.get('/stream', (ctx) => {
    ctx.detach();
    ctx.text('ignored');
    setImmediate(() => {
      ctx.res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': 8 });
      ctx.res.end('streamed');
    });
  });
  const s = await start(app);
  try {
    assert.equal((await get(s.port, '/stream')).body, 'streamed');
  } finally {
    await s.close();
  }
});

test('answers 500 for a staged header node refuses, and for misuse of the response API', async () => {
  const { app, errors } = quietApp();
  app.get('/bad-header', (ctx) => {
    ctx.setHeader('x-bad', 'a\r\nInjected: yes');
    ctx.text('x');
  });
  app.get('/bad-status', (ctx) => void ctx.status(99));
  app.get('/bad-json', (ctx) => ctx.json(undefined));
  app.get('/bad-redirect', (ctx) => ctx.redirect('/a\r\nSet-Cookie: x=1'));
  app.get('/bad-redirect-status', (ctx) => ctx.redirect('/a', 200));
  app.get('/bad-error-header', () => {
    throw new HttpError(403, 'no', { headers: { 'x-bad': 'a\nb' } });
  });
  const s = await start(app);
  try {
    for (const path of ['/bad-header', '/bad-status', '/bad-json', '/bad-redirect', '/bad-redirect-status', '/bad-error-header']) {
      const r = await get(s.port, path);
      assert.equal(r.status, 500, path);
      assert.ok(!r.raw.includes('Injected') && !r.raw.includes('x=1'), path);
    }
    assert.equal(errors.length, 6);
  } finally {
    await s.close();
  }
});

test('a 500 that replaces a response node refused carries the 500 reason phrase, not the staged one', async () => {
  // node's writeHead records the staged status's reason phrase before it validates the headers;
  // the 500 written next kept it ("HTTP/1.1 500 See Other"), a status line that contradicts itself.
  const { app } = quietApp();
  app.get('/bad-see-other', (ctx) => {
    ctx.setHeader('x-bad', '\u0100');
    ctx.redirect('/a');
  });
  app.get('/bad-created', (ctx) => {
    ctx.setHeader('x-bad', '\u0100');
    ctx.text('made', 201);
  });
  const s = await start(app);
  try {
    for (const path of ['/bad-see-other', '/bad-created']) {
      const r = await get(s.port, path);
      assert.equal(r.raw.slice(0, r.raw.indexOf('\r\n')), 'HTTP/1.1 500 Internal Server Error', path);
      assert.equal(r.body, 'Internal Server Error\n', path);
    }
  } finally {
    await s.close();
  }
});

test('redirects to a non-ASCII location with its characters percent-encoded as UTF-8, as browsers would', async () => {
  // Sent raw, é left as the latin1 byte 0xE9 (not UTF-8: browsers read another URL) and 日 made
  // node refuse the header (a 500). Express (encodeurl) and Go (http.Redirect) encode them.
  const { app, errors } = quietApp();
  app.get('/to-cafe', (ctx) => ctx.redirect('/café/日本?q=ü#ß'));
  app.get('/to-encoded', (ctx) => ctx.redirect('/caf%C3%A9?a=b%20c'));
  app.get('/to-surrogate', (ctx) => ctx.redirect('/a\uD800'));
  const s = await start(app);
  try {
    const cafe = await get(s.port, '/to-cafe');
    assert.equal(cafe.status, 303);
    assert.deepEqual(cafe.headers['location'], ['/caf%C3%A9/%E6%97%A5%E6%9C%AC?q=%C3%BC#%C3%9F']);
    assert.deepEqual((await get(s.port, '/to-encoded')).headers['location'], ['/caf%C3%A9?a=b%20c']);
    assert.equal((await get(s.port, '/to-surrogate')).status, 500);
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof TypeError);
  } finally {
    await s.close();
  }
});

test('refuses to stage anything once the response has left', async () => {
  const { app } = quietApp();
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  // Every method that stages part of the response, not only setHeader.
  const stagers: Record<string, (ctx: Parameters<Parameters<typeof app.get>[1]>[0]) => void> = {
    setHeader: (ctx) => void ctx.setHeader('x', 'y'),
    setCookie: (ctx) => ctx.setCookie('c', 'v'),
    setCookieHeader: (ctx) => ctx.setCookieHeader('c', 'c=v'),
    deleteCookie: (ctx) => ctx.deleteCookie('c'),
    onBeforeSend: (ctx) => ctx.onBeforeSend(() => {}),
    send: (ctx) => ctx.send('late', 'text/plain'),
    text: (ctx) => ctx.text('late'),
  };
  const late: Record<string, unknown> = {};
  app.get('/late', (ctx) => {
    ctx.text('first');
    setImmediate(() => {
      for (const [name, stage] of Object.entries(stagers)) {
        try {
          stage(ctx);
          late[name] = 'staged';
        } catch (err) {
          late[name] = err;
        }
      }
      done();
    });
  });
  const s = await start(app);
  try {
    assert.equal((await get(s.port, '/late')).body, 'first');
    await finished;
    for (const name of Object.keys(stagers)) assert.match(String((late[name] as Error).message), /already sent/, name);
  } finally {
    await s.close();
  }
});

test('answers 400 for a param longer than the router allows', async () => {
  const { app } = quietApp({ router: new Router({ maxParamLength: 10 }) });
  app.get('/p/:id', (ctx) => ctx.text(ctx.params['id'] ?? ''));
  const s = await start(app);
  try {
    assert.equal((await get(s.port, '/p/short')).status, 200);
    assert.equal((await get(s.port, `/p/${'x'.repeat(11)}`)).status, 400);
  } finally {
    await s.close();
  }
});

test('hooks may register further hooks, and a failing hook gives a 500', async () => {
  const { app, errors } = quietApp();
  const order: string[] = [];
  app.get('/hooks', (ctx) => {
    ctx.onBeforeSend(() => {
      order.push('a');
      ctx.onBeforeSend(() => void order.push('b'));
    });
    ctx.text('ok');
  });
  app.get('/hook-fails', (ctx) => {
    ctx.onBeforeSend(() => {
      throw new Error('hook');
    });
    ctx.text('never');
  });
  const s = await start(app);
  try {
    assert.equal((await get(s.port, '/hooks')).body, 'ok');
    assert.deepEqual(order, ['a', 'b']);
    const r = await get(s.port, '/hook-fails');
    assert.equal(r.status, 500);
    assert.ok(!r.body.includes('never'));
    assert.equal(errors.length, 1);
  } finally {
    await s.close();
  }
});

test('the default error sink writes the stack to stderr with the request id, never to the client', async () => {
  const app = createApp({ accessLog: false, requestId: () => 'rid-9' });
  app.get('/boom', () => {
    throw new Error('kaboom');
  });
  const s = await start(app);
  const write = process.stderr.write;
  let captured = '';
  process.stderr.write = ((chunk: string) => {
    captured += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    const r = await get(s.port, '/boom');
    assert.equal(r.status, 500);
    assert.ok(!r.raw.includes('kaboom'));
  } finally {
    process.stderr.write = write;
    await s.close();
  }
  assert.match(captured, /rid-9.*kaboom/s);
});

test('the default access line has method, path, status, duration and id', () => {
  const line = formatAccessLine({ method: 'GET', path: '/a', status: 200, durationMs: 1.234, requestId: 'x-1' });
  assert.equal(line, 'GET /a 200 1.2ms x-1\n');
});

test('a logger that throws neither crashes the process nor changes the response', async () => {
  const app = createApp({
    logger: {
      access: () => {
        throw new Error('disk full');
      },
      error: () => {
        throw new Error('disk full');
      },
    },
  });
  app.get('/ok', (ctx) => ctx.text('ok'));
  app.get('/boom', () => {
    throw new Error('x');
  });
  const s = await start(app);
  const write = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    assert.equal((await get(s.port, '/ok')).body, 'ok');
    assert.equal((await get(s.port, '/boom')).status, 500);
    assert.equal((await get(s.port, '/ok')).body, 'ok');
  } finally {
    process.stderr.write = write;
    await s.close();
  }
});

test('logs requests refused before routing, without their query', async () => {
  const entries: { path: string; status: number }[] = [];
  const app = createApp({ logger: { access: (e) => entries.push(e) } });
  const s = await start(app);
  try {
    await get(s.port, '/%zz?token=secret');
    assert.deepEqual(entries.map((e) => [e.path, e.status]), [['/%zz', 400]]);
  } finally {
    await s.close();
  }
});

test('keeps Content-Type apart and refuses __proto__ as a header name', async () => {
  const { app, errors } = quietApp();
  app.get('/t', (ctx) => {
    ctx.setHeader('Content-Type', 'text/csv; charset=utf-8');
    ctx.setHeader('X-A', ['1', '2']);
    ctx.send('a,b', String(ctx.getHeader('content-type')));
    ctx.setHeader('x-b', String(ctx.getHeader('x-a')) + String(ctx.getHeader('x-missing')) + String(ctx.getHeader('constructor')));
  });
  app.get('/proto', (ctx) => void ctx.setHeader('__proto__', 'x'));
  const s = await start(app);
  try {
    const r = await get(s.port, '/t');
    assert.equal(r.headers['content-type']?.[0], 'text/csv; charset=utf-8');
    assert.deepEqual(r.headers['x-a'], ['1', '2']);
    assert.equal(r.headers['x-b']?.[0], '1,2undefinedundefined');
    assert.equal((await get(s.port, '/proto')).status, 500);
    assert.equal(errors.length, 1);
  } finally {
    await s.close();
  }
});

test('takes a status from 200 to 599 and refuses one just outside, informational codes included', async () => {
  const { app, errors } = quietApp();
  app.get('/s/:code', (ctx) => ctx.text('x', Number(ctx.params['code'])));
  const s = await start(app);
  try {
    for (const code of [200, 599]) assert.equal((await get(s.port, `/s/${code}`)).status, code, String(code));
    for (const code of [100, 199, 600]) assert.equal((await get(s.port, `/s/${code}`)).status, 500, String(code));
    assert.equal(errors.length, 3);
  } finally {
    await s.close();
  }
});

test('a redirect drops a body staged before it, a staged header list is copied, and readForm takes its own fields limit', async () => {
  const { app } = quietApp();
  app.get('/staged-then-redirect', (ctx) => {
    ctx.text('staged body');
    ctx.redirect('/elsewhere');
  });
  app.get('/list', (ctx) => {
    const values = ['1', '2'];
    ctx.setHeader('x-list', values);
    values.push('3'); // after staging: not sent
    ctx.text('ok');
  });
  app.post('/form', async (ctx) => ctx.text(String([...(await ctx.readForm({ fields: 2 })).keys()].length)));
  const s = await start(app);
  try {
    const redirect = await get(s.port, '/staged-then-redirect');
    assert.equal(redirect.status, 303);
    assert.equal(redirect.body, '');
    assert.ok(!redirect.raw.includes('staged body'));
    assert.equal(redirect.headers['content-type'], undefined);
    assert.deepEqual((await get(s.port, '/list')).headers['x-list'], ['1', '2']);
    assert.equal((await post(s.port, '/form', 'application/x-www-form-urlencoded', 'a=1&b=2')).body, '2');
    assert.equal((await post(s.port, '/form', 'application/x-www-form-urlencoded', 'a=1&b=2&c=3')).status, 413);
  } finally {
    await s.close();
  }
});

test('a requestId function that throws falls back to the default ids', async () => {
  const ids: string[] = [];
  const app = createApp({
    requestId: () => {
      throw new Error('no id');
    },
    logger: { access: (e) => ids.push(e.requestId) },
  });
  app.get('/a', (ctx) => ctx.text('a'));
  const s = await start(app);
  try {
    assert.equal((await get(s.port, '/a')).body, 'a');
    assert.match(ids[0] ?? '', /^[0-9a-z]+-1$/);
  } finally {
    await s.close();
  }
});
