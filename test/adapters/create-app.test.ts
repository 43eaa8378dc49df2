// The shared session suite on cachet's own http layer: createApp, `store.get(ctx, 'session')`,
// and csrf() from src/http/csrf.ts. The reference every adapter is held to.
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/http/app.js';
import { csrf } from '../../src/http/csrf.js';
import type { Context } from '../../src/http/context.js';
import type { Harness, HarnessOptions, Mounted, Outcome } from './harness.js';
import { sessionSuite } from './session-suite.js';

function send(ctx: Context, outcome: Outcome): void {
  if ('chunks' in outcome) throw new Error('createApp cannot stream a session (harness.cannotStream)');
  if ('json' in outcome) {
    if (outcome.appCookie !== undefined) ctx.setCookie(outcome.appCookie.name, outcome.appCookie.value, { path: '/' });
    ctx.json(outcome.json);
  } else if ('redirect' in outcome) ctx.redirect(outcome.redirect, 302);
  else ctx.text(outcome.text, outcome.status ?? 200);
}

async function start({ store, actions, csrf: withCsrf }: HarnessOptions): Promise<Mounted> {
  const app = createApp({ accessLog: false, logger: { error: () => {} } });
  if (withCsrf) {
    app.use(csrf({ store }));
    app.get('/token', (ctx) => ctx.json({ token: String(ctx.state['csrfToken']) }));
  }
  const route = async (ctx: Context) => {
    const action = actions[ctx.params['name'] ?? ''];
    if (action === undefined) return ctx.text('Not Found', 404);
    send(ctx, await action(await store.get(ctx, 'session'), ctx.query, (name) => store.get(ctx, name)));
  };
  app.get('/a/:name', route);
  app.post('/a/:name', route);
  const server = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const harness: Harness = {
  name: 'createApp',
  start,
  // By design: a handler that streams writes to ctx.res after ctx.detach(), and a detached
  // response sends nothing staged, the session cookie included (docs/http.md, "Concepts").
  cannotStream: 'createApp commits the session into a body it holds; a streaming handler detaches from the response first, and then nothing staged is sent (docs/http.md)',
};

sessionSuite(harness);
