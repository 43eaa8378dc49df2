// koa 3 + cachet/koa: the sessions() middleware with CookieStore; routes as in
// servers/sessions/README.md, switched on ctx.path (no router, as koa-hello.ts).
import Koa from 'koa';
import type { Server } from 'node:http';
import { loadAdapter } from '../../lib/cachet.ts';
import { announce } from '../../lib/announce.ts';
import { SESSION, type SessionData, renderHello } from '../../lib/fixture.ts';
import { store, type BenchSession } from './cachet-store.ts';

const { sessions } = await loadAdapter('koa');

const app = new Koa();
app.use(sessions({ store }));
app.use((ctx) => {
  const s = (ctx as unknown as { session: BenchSession }).session.values;
  ctx.type = 'text/plain';
  if (ctx.path === '/login') {
    Object.assign(s, SESSION);
    ctx.body = 'logged in';
    return;
  }
  if (ctx.path !== '/' && ctx.path !== '/count') return void (ctx.status = 404);
  if (!s.name) {
    ctx.status = 401;
    ctx.body = 'no session';
    return;
  }
  if (ctx.path === '/count') {
    s.count = (s.count ?? 0) + 1;
    ctx.body = `count: ${s.count}`;
    return;
  }
  ctx.body = renderHello(s as SessionData);
});
const server: Server = app.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => announce(server));
