// The shared suite's harness for cachet/express on Express (5 and 4): `req.session` in the routes,
// csrf() after express.urlencoded(), and Express's own final handler for every error (the route
// that throws, a refused CSRF check), so the 500 and the 403 are the framework's.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Readable } from 'node:stream';
import type express from 'express';
import { csrf, sessions, type SessionRequest } from '../../src/adapters/express/index.js';
import type { Harness, HarnessOptions, Mounted, Outcome, SuiteValues } from './harness.js';

export function send(res: express.Response, outcome: Outcome): void {
  if ('chunks' in outcome) {
    // Piped, as an Express app streams a file or a generator: the hold's 'drain' is on the path.
    Readable.from(outcome.chunks).pipe(res.type('text/plain'));
  } else if ('json' in outcome) {
    if (outcome.appCookie !== undefined) res.cookie(outcome.appCookie.name, outcome.appCookie.value);
    res.json(outcome.json);
  } else if ('redirect' in outcome) res.redirect(302, outcome.redirect);
  else res.status(outcome.status ?? 200).type('text/plain').send(outcome.text);
}

export function listening(server: Server): Promise<Mounted> {
  return new Promise((resolve) => {
    server.once('listening', () => resolve({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise<void>((done) => { server.closeAllConnections(); server.close(() => done()); }),
    }));
  });
}

export function expressHarness(name: string, factory: typeof express): Harness {
  return {
    name,
    start({ store, actions, csrf: withCsrf }: HarnessOptions): Promise<Mounted> {
      const app = factory();
      app.set('env', 'test'); // the final handler still answers 500; it only stops printing the planned failure
      app.use(sessions({ store }));
      if (withCsrf) {
        app.use(factory.urlencoded({ extended: false }));
        app.use(csrf());
        app.get('/token', (_req, res) => { res.json({ token: String(res.locals['csrfToken']) }); });
      }
      const route = async (req: express.Request, res: express.Response, next: express.NextFunction) => {
        const action = actions[String(req.params['name'])];
        if (action === undefined) return void res.status(404).send('Not Found');
        try {
          const query = new URLSearchParams(req.url.slice(req.url.indexOf('?') + 1 || req.url.length));
          const sessionReq = req as express.Request & SessionRequest<SuiteValues>;
          send(res, await action(sessionReq.session, query, (name) => sessionReq.sessions(name)));
        } catch (err) {
          next(err); // Express 4 does not catch a rejected promise itself
        }
      };
      app.get('/a/:name', route);
      app.post('/a/:name', route);
      return listening(app.listen(0, '127.0.0.1'));
    },
  };
}
