// Baseline: the floor for any Web Crypto session. A bare node:http server doing one
// crypto.subtle AES-256-GCM decrypt per request (GET /) and one decrypt plus one encrypt
// (GET /count), with a cached key. No format, expiry, key ids or cookie attributes checks.
import { createServer, type ServerResponse } from 'node:http';
import { listenAndAnnounce } from '../../lib/announce.ts';
import { COOKIE_NAME, KEY_BYTES, MAX_AGE, SESSION, type SessionData, renderHello } from '../../lib/fixture.ts';

const key = await crypto.subtle.importKey('raw', KEY_BYTES, 'AES-GCM', false, ['encrypt', 'decrypt']);
const enc = new TextEncoder();
const dec = new TextDecoder();
const cookieRe = new RegExp(`(?:^|;\\s*)${COOKIE_NAME}=([^;]*)`);

async function seal(data: SessionData): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, enc.encode(JSON.stringify(data)));
  return Buffer.concat([iv, new Uint8Array(ct)]).toString('base64url');
}

async function open(header: string | undefined): Promise<SessionData | undefined> {
  const value = header && cookieRe.exec(header)?.[1];
  if (!value) return undefined;
  const bytes = Buffer.from(value, 'base64url');
  try {
    const pt = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, 12) }, key, bytes.subarray(12));
    return JSON.parse(dec.decode(pt)) as SessionData;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: string, cookie?: string): void {
  const headers: Record<string, string | number> = { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) };
  if (cookie) headers['set-cookie'] = `${COOKIE_NAME}=${cookie}; Max-Age=${MAX_AGE}; Path=/; HttpOnly; SameSite=Lax`;
  res.writeHead(status, headers);
  res.end(body);
}

const server = createServer(async (req, res) => {
  if (req.url === '/login') return send(res, 200, 'logged in', await seal({ ...SESSION }));
  const session = await open(req.headers.cookie);
  if (!session) return send(res, 401, 'no session');
  if (req.url === '/count') {
    session.count += 1;
    return send(res, 200, `count: ${session.count}`, await seal(session));
  }
  send(res, 200, renderHello(session));
});
listenAndAnnounce(server);
