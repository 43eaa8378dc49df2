// cachet/express on Connect: the shared session suite and the Node-level response cases. Connect
// has no router, no response helpers and no body parser: the harness routes by hand and borrows
// Express's urlencoded parser, which is plain Connect middleware.
import connect from 'connect';
import express from 'express';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { csrf, sessions, type SessionRequest } from '../../src/adapters/express/index.js';
import { sessionSuite } from './session-suite.js';
import { listening } from './express-harness.js';
import type { Harness, Outcome, SuiteValues } from './harness.js';
import { nodeResponseCases, newStore, type NodeFramework, type Values } from './node-response-cases.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipRecordingStore } from './suite-setup.js';

async function send(res: ServerResponse, outcome: Outcome): Promise<void> {
  if ('chunks' in outcome) {
    // Node's own way: write() by write(), a turn of the event loop apart, then end().
    res.setHeader('content-type', 'text/plain');
    for (const chunk of outcome.chunks) {
      res.write(chunk);
      await new Promise((resolve) => setImmediate(resolve));
    }
    res.end();
  } else if ('json' in outcome) {
    if (outcome.appCookie !== undefined) res.appendHeader('set-cookie', `${outcome.appCookie.name}=${outcome.appCookie.value}; Path=/`);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(outcome.json));
  } else if ('redirect' in outcome) {
    res.writeHead(302, { location: outcome.redirect });
    res.end();
  } else {
    res.writeHead(outcome.status ?? 200, { 'content-type': 'text/plain' });
    res.end(outcome.text);
  }
}

type Next = (err?: unknown) => void;

const harness: Harness = {
  name: 'connect',
  start({ store, actions, csrf: withCsrf }) {
    const app = connect();
    app.use(sessions({ store }));
    if (withCsrf) {
      app.use(express.urlencoded({ extended: false }) as connect.NextHandleFunction);
      app.use(csrf());
      app.use('/token', (_req: IncomingMessage, res: ServerResponse & { locals?: Record<string, unknown> }) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ token: String(res.locals?.['csrfToken']) }));
      });
    }
    app.use('/a', (req: IncomingMessage, res: ServerResponse, next: Next) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const action = actions[url.pathname.slice(1)];
      if (action === undefined || (req.method !== 'GET' && req.method !== 'POST')) return next();
      Promise.resolve()
        .then(() => {
          const sessionReq = req as IncomingMessage & SessionRequest<SuiteValues>;
          return action(sessionReq.session, url.searchParams, (name) => sessionReq.sessions(name));
        })
        .then((outcome) => send(res, outcome), next);
    });
    // Connect's own final handler (finalhandler) answers errors with err.status, else 500, adds
    // err.headers to an error status, and prints each error unless NODE_ENV is 'test': this error
    // handler answers the same, quietly.
    app.use((err: { status?: number; headers?: Record<string, string> }, _req: IncomingMessage, res: ServerResponse, _next: Next) => {
      res.writeHead(err.status ?? 500, { ...(err.status !== undefined ? err.headers : {}), 'content-type': 'text/plain' });
      res.end(err.status === 403 ? 'Forbidden' : 'Internal Server Error');
    });
    return listening(createServer(app).listen(0, '127.0.0.1'));
  },
};

sessionSuite(harness);

const framework: NodeFramework = {
  name: 'connect',
  create: () => {
    const app = connect();
    return {
      use: (...args: unknown[]) => (app.use as (...a: unknown[]) => unknown)(...args),
      listen: (port, host, cb) => createServer(app).listen(port, host, cb),
    };
  },
};
nodeResponseCases(framework);

test('connect: with no req.ip (Connect sets none), the store sees the socket address', async () => {
  const { store: recording, seen } = ipRecordingStore(newStore());
  const app = connect();
  app.use(sessions({ store: recording }));
  app.use((req: IncomingMessage, res: ServerResponse) => {
    assert.equal((req as { ip?: unknown }).ip, undefined, 'the premise: Connect gives no req.ip');
    res.end('ok');
  });
  const mounted = await listening(createServer(app).listen(0, '127.0.0.1'));
  try {
    assert.equal((await fetch(`${mounted.url}/`)).status, 200);
    assert.deepEqual(seen, ['127.0.0.1']);
  } finally {
    await mounted.close();
  }
});
