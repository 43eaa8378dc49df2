// Peer: fastify 5 + @fastify/secure-session (libsodium secretbox, synchronous and native).
import Fastify from 'fastify';
import secureSession from '@fastify/secure-session';
import { announce } from '../../lib/announce.ts';
import { COOKIE_NAME, KEY_BYTES, MAX_AGE, SESSION, renderHello } from '../../lib/fixture.ts';

const app = Fastify({ logger: false });
await app.register(secureSession, {
  key: Buffer.from(KEY_BYTES),
  cookieName: COOKIE_NAME,
  expiry: MAX_AGE,
  cookie: { path: '/', httpOnly: true, sameSite: 'lax', maxAge: MAX_AGE },
});
const text = 'text/plain; charset=utf-8';
app.get('/login', (req, reply) => {
  for (const [k, v] of Object.entries(SESSION)) req.session.set(k as never, v as never);
  reply.type(text).send('logged in');
});
app.get('/', (req, reply) => {
  const s = req.session.data() as Record<string, unknown> | undefined;
  if (!s?.['name']) return reply.code(401).type(text).send('no session');
  return reply.type(text).send(renderHello(s as never));
});
app.get('/count', (req, reply) => {
  const s = req.session.data() as Record<string, unknown> | undefined;
  if (!s?.['name']) return reply.code(401).type(text).send('no session');
  const count = Number(s['count']) + 1;
  req.session.set('count' as never, count as never);
  return reply.type(text).send(`count: ${count}`);
});
await app.listen({ port: Number(process.env['PORT'] ?? 0), host: '127.0.0.1' });
announce(app.server);
