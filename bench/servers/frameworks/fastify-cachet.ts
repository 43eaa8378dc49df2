// fastify 5 + cachet/fastify: the sessions plugin with CookieStore; routes as in
// servers/sessions/fastify-secure-session.ts.
import Fastify from 'fastify';
import { loadAdapter } from '../../lib/cachet.ts';
import { announce } from '../../lib/announce.ts';
import { SESSION, type SessionData, renderHello } from '../../lib/fixture.ts';
import { store, type BenchSession } from './cachet-store.ts';

const { sessions } = await loadAdapter('fastify');
const session = (req: unknown): BenchSession => (req as { session: BenchSession }).session;

const app = Fastify({ logger: false });
await app.register(sessions, { store });
const text = 'text/plain; charset=utf-8';
app.get('/login', (req, reply) => {
  Object.assign(session(req).values, SESSION);
  reply.type(text).send('logged in');
});
app.get('/', (req, reply) => {
  const s = session(req).values;
  if (!s.name) return reply.code(401).type(text).send('no session');
  return reply.type(text).send(renderHello(s as SessionData));
});
app.get('/count', (req, reply) => {
  const s = session(req).values;
  if (!s.name) return reply.code(401).type(text).send('no session');
  s.count = (s.count ?? 0) + 1;
  return reply.type(text).send(`count: ${s.count}`);
});
await app.listen({ port: Number(process.env['PORT'] ?? 0), host: '127.0.0.1' });
announce(app.server);
