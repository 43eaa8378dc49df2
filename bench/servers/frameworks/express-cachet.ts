// express 5 + cachet/express: the sessions() middleware with CookieStore; routes as in
// servers/sessions/README.md, written as the express peers write them.
import express from 'express';
import { loadAdapter } from '../../lib/cachet.ts';
import { announce } from '../../lib/announce.ts';
import { SESSION, type SessionData, renderHello } from '../../lib/fixture.ts';
import { store, type BenchSession } from './cachet-store.ts';

const { sessions } = await loadAdapter('express');
type Req = express.Request & { session: BenchSession };

const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.use(sessions({ store }));
app.get('/login', (req, res) => {
  Object.assign((req as Req).session.values, SESSION);
  res.type('text/plain').send('logged in');
});
app.get('/', (req, res) => {
  const s = (req as Req).session.values;
  if (!s.name) return void res.status(401).type('text/plain').send('no session');
  res.type('text/plain').send(renderHello(s as SessionData));
});
app.get('/count', (req, res) => {
  const s = (req as Req).session.values;
  if (!s.name) return void res.status(401).type('text/plain').send('no session');
  s.count = (s.count ?? 0) + 1;
  res.type('text/plain').send(`count: ${s.count}`);
});
const server = app.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => announce(server));
