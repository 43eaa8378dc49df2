// Framework hello: koa 3 (no router: the session servers switch on ctx.path too), answering
// GET / with "Hello, world!". The ceiling for the koa session rows.
// HOOKS=empty (a diagnostic row) adds one middleware that only awaits next(), as cachet/koa does.
import Koa from 'koa';
import type { Server } from 'node:http';
import { announce } from '../../lib/announce.ts';

const app = new Koa();
if (process.env['HOOKS'] === 'empty') app.use(async (_ctx, next) => void (await next()));
app.use((ctx) => {
  if (ctx.path !== '/') return void (ctx.status = 404);
  ctx.type = 'text/plain';
  ctx.body = 'Hello, world!';
});
const server: Server = app.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => announce(server));
