// cachet: createApp + CookieStore with its defaults (sealed, AES-256-GCM; `__Host-` prefix;
// verified-value cache on), served by app.listen. The session commits itself before the
// headers go out when it changed (GET /count); an unchanged one sends no Set-Cookie (GET /).
import { loadCachet } from '../../lib/cachet.ts';
import { announce } from '../../lib/announce.ts';
import { SECRET_B64URL, SESSION, type SessionData, renderHello } from '../../lib/fixture.ts';

interface Ctx {
  text(body: string, status?: number): void;
}
interface Session {
  values: Partial<SessionData>;
}

const { createApp, CookieStore, Keyring } = await loadCachet();
const keyring = await Keyring.create([{ id: 'bench', secret: SECRET_B64URL }]);
const mode = process.env['CACHET_MODE'] === 'signed' ? 'signed' : 'sealed';
const store = new CookieStore({ keyring, mode });
const session = (ctx: Ctx): Promise<Session> => store.get(ctx, 'session');

const app = createApp({ accessLog: false });
app.get('/login', async (ctx: Ctx) => {
  Object.assign((await session(ctx)).values, SESSION);
  ctx.text('logged in');
});
app.get('/', async (ctx: Ctx) => {
  const s = await session(ctx);
  if (!s.values.name) return ctx.text('no session', 401);
  ctx.text(renderHello(s.values as SessionData));
});
app.get('/count', async (ctx: Ctx) => {
  const s = await session(ctx);
  if (!s.values.name) return ctx.text('no session', 401);
  s.values.count = (s.values.count ?? 0) + 1;
  ctx.text(`count: ${s.values.count}`);
});
announce(await app.listen({ port: Number(process.env['PORT'] ?? 0), host: '127.0.0.1' }));
