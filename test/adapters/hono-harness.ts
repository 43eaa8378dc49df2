// The shared suite's harness for Hono 4 on Node, through @hono/node-server, with cachet/hono
// (test/adapters/harness.ts).
import { Hono, type Context } from 'hono';
import { serve } from '@hono/node-server';
import { setCookie } from 'hono/cookie';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { csrf, csrfToken, sessions, type SessionEnv } from '../../src/adapters/hono/index.js';
import type { Harness, HarnessOptions, Mounted, Outcome, SuiteValues } from './harness.js';
import { chunkStream } from './suite-setup.js';

export type Env = SessionEnv<SuiteValues>;

export function sendOutcome(c: Context<Env>, outcome: Outcome): Response {
  if ('chunks' in outcome) return c.body(chunkStream(outcome.chunks), 200, { 'content-type': 'text/plain; charset=utf-8' });
  if ('json' in outcome) {
    if (outcome.appCookie !== undefined) setCookie(c, outcome.appCookie.name, outcome.appCookie.value, { path: '/' });
    return c.json(outcome.json);
  }
  if ('redirect' in outcome) return c.redirect(outcome.redirect, 302);
  return c.text(outcome.text, (outcome.status ?? 200) as 200);
}

/** Serves `app` on 127.0.0.1 through @hono/node-server. */
export async function listen(app: Hono<Env>): Promise<Mounted> {
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const honoHarness: Harness = {
  name: 'hono (node-server)',
  async start({ store, actions, csrf: withCsrf }: HarnessOptions): Promise<Mounted> {
    const app = new Hono<Env>();
    app.use(sessions({ store }));
    if (withCsrf) {
      app.use(csrf());
      app.get('/token', (c) => c.json({ token: csrfToken(c) }));
    }
    app.on(['GET', 'POST'], '/a/:name', async (c) => {
      const name = c.req.param('name');
      const action = Object.hasOwn(actions, name) ? actions[name] : undefined;
      if (action === undefined) return c.text('Not Found', 404);
      const url = c.req.url;
      const q = url.indexOf('?');
      return sendOutcome(c, await action(c.get('session'), new URLSearchParams(q === -1 ? '' : url.slice(q + 1)), (other) => c.get('sessions')(other)));
    });
    return listen(app);
  },
};
