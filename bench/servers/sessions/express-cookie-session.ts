// Peer: express 5 + cookie-session (the session is signed with Keygrip, not encrypted).
import express from 'express';
import cookieSession from 'cookie-session';
import { announce } from '../../lib/announce.ts';
import { COOKIE_NAME, MAX_AGE, PASSWORD, SESSION, renderHello } from '../../lib/fixture.ts';

const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.use(cookieSession({ name: COOKIE_NAME, keys: [PASSWORD], maxAge: MAX_AGE * 1000, httpOnly: true, sameSite: 'lax' }));
app.get('/login', (req, res) => {
  req.session = { ...SESSION };
  res.type('text/plain').send('logged in');
});
app.get('/', (req, res) => {
  const s = req.session;
  if (!s?.['name']) return void res.status(401).type('text/plain').send('no session');
  res.type('text/plain').send(renderHello(s as never));
});
app.get('/count', (req, res) => {
  const s = req.session;
  if (!s?.['name']) return void res.status(401).type('text/plain').send('no session');
  s['count'] = Number(s['count']) + 1;
  res.type('text/plain').send(`count: ${s['count']}`);
});
const server = app.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => announce(server));
