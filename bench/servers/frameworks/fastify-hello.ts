// Framework hello: fastify 5 set up as fastify-secure-session.ts and fastify-cachet.ts are,
// answering GET / with "Hello, world!". The ceiling for the fastify session rows.
// HOOKS=empty (a diagnostic row) adds the two hooks cachet/fastify uses, onRequest and onSend,
// doing nothing: what Fastify charges any plugin with those hooks, before any session work.
import Fastify from 'fastify';
import { announce } from '../../lib/announce.ts';

const app = Fastify({ logger: false });
if (process.env['HOOKS'] === 'empty') {
  app.addHook('onRequest', (_req, _reply, next) => next());
  app.addHook('onSend', (_req, _reply, payload, next) => next(null, payload));
}
app.get('/', (_req, reply) => reply.type('text/plain; charset=utf-8').send('Hello, world!'));
await app.listen({ port: Number(process.env['PORT'] ?? 0), host: '127.0.0.1' });
announce(app.server);
