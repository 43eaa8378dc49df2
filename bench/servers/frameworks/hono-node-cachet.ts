// hono on Node through @hono/node-server + cachet/hono: the sessions() middleware with
// CookieStore; routes as in servers/sessions/README.md.
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { loadAdapter } from '../../lib/cachet.ts';
import { announce } from '../../lib/announce.ts';
import { SESSION, type SessionData, renderHello } from '../../lib/fixture.ts';
import { store, type BenchSession } from './cachet-store.ts';

const { sessions } = await loadAdapter('hono');

const app = new Hono<{ Variables: { session: BenchSession } }>();
app.use(sessions({ store }));
app.get('/login', (c) => {
  Object.assign(c.get('session').values, SESSION);
  return c.text('logged in');
});
app.get('/', (c) => {
  const s = c.get('session').values;
  if (!s.name) return c.text('no session', 401);
  return c.text(renderHello(s as SessionData));
});
app.get('/count', (c) => {
  const s = c.get('session').values;
  if (!s.name) return c.text('no session', 401);
  s.count = (s.count ?? 0) + 1;
  return c.text(`count: ${s.count}`);
});
const server = serve({ fetch: app.fetch, port: Number(process.env['PORT'] ?? 0), hostname: '127.0.0.1' }, () => announce(server as Server));
