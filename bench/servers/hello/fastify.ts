// Peer (for context): fastify 5 answering "hello" from a route.
import Fastify from 'fastify';
import { announce } from '../../lib/announce.ts';

const app = Fastify({ logger: false });
app.get('/', (_req, reply) => {
  reply.type('text/plain; charset=utf-8').send('Hello, world!');
});
await app.listen({ port: Number(process.env['PORT'] ?? 0), host: '127.0.0.1' });
announce(app.server);
