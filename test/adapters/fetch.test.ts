// cachet/fetch: the shared session suite through withSessions() served on Node by
// @hono/node-server (a real node:http server handing the handler a Web `Request`), then what only
// the fetch adapter does: Set-Cookie on immutable responses, the runtime's extra arguments, the
// capped form read and the body left readable for the handler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { withSessions } from '../../src/adapters/fetch/index.js';
import { CookieStore } from '../../src/session/cookie-store/cookie-store.js';
import type { Harness, HarnessOptions, Mounted, Outcome } from './harness.js';
import { sessionSuite } from './session-suite.js';
import { COOKIE, T0, ringA } from './suite-setup.js';

function respond(outcome: Outcome, base: string): Response {
  if ('json' in outcome) return Response.json(outcome.json);
  // Response.redirect() has immutable headers: the adapter must copy it to add Set-Cookie.
  if ('redirect' in outcome) return Response.redirect(new URL(outcome.redirect, base), 302);
  return new Response(outcome.text, { status: outcome.status ?? 200, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

async function start({ store, actions, csrf }: HarnessOptions): Promise<Mounted> {
  const handler = withSessions({ store, csrf }, async (request, { session, csrfToken }) => {
    const url = new URL(request.url);
    if (csrf && url.pathname === '/token') return Response.json({ token: await csrfToken() });
    const action = url.pathname.startsWith('/a/') ? actions[url.pathname.slice(3)] : undefined;
    if (action === undefined) return new Response('Not Found', { status: 404 });
    return respond(await action(await session(), url.searchParams), request.url);
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    // overrideGlobalObjects: false keeps Node's own Request and Response (node-server would swap
    // in lighter ones, whose redirect headers are mutable): the adapter meets what runtimes give.
    const s = serve({ fetch: (request) => handler(request), port: 0, hostname: '127.0.0.1', overrideGlobalObjects: false }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const harness: Harness = { name: 'fetch', start };

sessionSuite(harness);
