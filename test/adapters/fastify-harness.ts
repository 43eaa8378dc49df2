// The shared suite's harness for Fastify 5 with cachet/fastify (test/adapters/harness.ts).
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { csrf, sessions, type SessionRequest } from '../../src/adapters/fastify/index.js';
import type { Harness, HarnessOptions, Mounted, Outcome, SuiteValues } from './harness.js';

// How an app tells Fastify's types about the plugin (docs/adapters/fastify.md, "Types"). One
// declaration for the whole test program: every Fastify test shares SuiteValues.
declare module 'fastify' {
  interface FastifyRequest extends SessionRequest<SuiteValues> {}
}

/** Fastify parses no urlencoded body by itself; this is the parser docs/adapters/fastify.md shows. */
export function parseForms(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
}

export function sendOutcome(reply: FastifyReply, outcome: Outcome): FastifyReply {
  if ('chunks' in outcome) return reply.type('text/plain; charset=utf-8').send(Readable.from(outcome.chunks));
  if ('json' in outcome) {
    // No @fastify/cookie: reply.header appends to a set-cookie already there, as an app's own would.
    if (outcome.appCookie !== undefined) reply.header('set-cookie', `${outcome.appCookie.name}=${outcome.appCookie.value}; Path=/`);
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(outcome.json));
  }
  if ('redirect' in outcome) return reply.redirect(outcome.redirect, 302);
  return reply.code(outcome.status ?? 200).type('text/plain; charset=utf-8').send(outcome.text);
}

export async function listen(app: FastifyInstance): Promise<Mounted> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

export const fastifyHarness: Harness = {
  name: 'fastify',
  async start({ store, actions, csrf: withCsrf }: HarnessOptions): Promise<Mounted> {
    const app = Fastify();
    await app.register(sessions, { store });
    if (withCsrf) {
      parseForms(app);
      // An app that takes uploads has a multipart parser (harness.ts); without one Fastify answers
      // 415 before any hook. This one reads and drops the body: csrf() must never search it.
      app.addContentTypeParser('multipart/form-data', { parseAs: 'string' }, (_request, _body, done) => done(null, {}));
      app.addHook('preHandler', csrf());
      app.get('/token', async (request) => ({ token: request.csrfToken() }));
    }
    app.route<{ Params: { name: string } }>({
      method: ['GET', 'POST'],
      url: '/a/:name',
      handler: async (request, reply) => {
        const name = request.params.name;
        const action = Object.hasOwn(actions, name) ? actions[name] : undefined;
        if (action === undefined) return reply.code(404).type('text/plain').send('Not Found');
        const q = request.url.indexOf('?');
        const query = new URLSearchParams(q === -1 ? '' : request.url.slice(q + 1));
        return sendOutcome(reply, await action(request.session, query, (other) => request.sessions(other)));
      },
    });
    return listen(app);
  },
};
