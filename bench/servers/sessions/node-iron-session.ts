// Peer: node:http + iron-session (getIronSession on the raw request and response).
import { createServer, type ServerResponse } from 'node:http';
import { getIronSession } from 'iron-session';
import { listenAndAnnounce } from '../../lib/announce.ts';
import { COOKIE_NAME, MAX_AGE, PASSWORD, SESSION, type SessionData, renderHello } from '../../lib/fixture.ts';

const options = {
  password: PASSWORD,
  cookieName: COOKIE_NAME,
  ttl: MAX_AGE,
  cookieOptions: { httpOnly: true, sameSite: 'lax' as const, secure: false, path: '/' },
};

function send(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

const server = createServer(async (req, res) => {
  const session = await getIronSession<Partial<SessionData>>(req, res, options);
  if (req.url === '/login') {
    Object.assign(session, SESSION);
    await session.save();
    return send(res, 200, 'logged in');
  }
  if (!session.name) return send(res, 401, 'no session');
  if (req.url === '/count') {
    session.count = (session.count ?? 0) + 1;
    await session.save();
    return send(res, 200, `count: ${session.count}`);
  }
  send(res, 200, renderHello(session as SessionData));
});
listenAndAnnounce(server);
