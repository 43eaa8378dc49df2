// Peer: express 5 + express-session with its MemoryStore (the cookie is a signed session id).
import express from 'express';
import session from 'express-session';
import { announce } from '../../lib/announce.ts';
import { COOKIE_NAME, MAX_AGE, PASSWORD, SESSION, renderHello } from '../../lib/fixture.ts';

const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.use(
  session({
    name: COOKIE_NAME,
    secret: PASSWORD,
    store: new session.MemoryStore(),
    resave: false,
    saveUninitialized: false,
    cookie: { maxAge: MAX_AGE * 1000, httpOnly: true, sameSite: 'lax' },
  }),
);
type Bag = Record<string, unknown>;
app.get('/login', (req, res) => {
  Object.assign(req.session as unknown as Bag, SESSION);
  res.type('text/plain').send('logged in');
});
app.get('/', (req, res) => {
  const s = req.session as unknown as Bag;
  if (!s['name']) return void res.status(401).type('text/plain').send('no session');
  res.type('text/plain').send(renderHello(s as never));
});
app.get('/count', (req, res) => {
  const s = req.session as unknown as Bag;
  if (!s['name']) return void res.status(401).type('text/plain').send('no session');
  s['count'] = Number(s['count']) + 1;
  res.type('text/plain').send(`count: ${s['count']}`);
});
const server = app.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => announce(server));
