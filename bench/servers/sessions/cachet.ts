// cachet: createApp + a session store with its defaults, served by app.listen.
//   STORE=cookie (default)  CookieStore: sealed AES-256-GCM (CACHET_MODE=signed for HMAC), `__Host-`
//                           prefix, verified-value cache on (CACHET_CACHE=off to measure without it)
//   STORE=memory            MemoryStore
//   STORE=file              FileStore in $STORE_DIR (durable: fsync per write, the default)
//   STORE=redis             RedisStore on $REDIS_URL, through the `redis` client (the main package's dev dependency)
// A changed session commits itself before the headers go out (GET /count); an unchanged one
// sends no Set-Cookie (GET /).
import { loadCachet } from '../../lib/cachet.ts';
import { announce } from '../../lib/announce.ts';
import { SECRET_B64URL, SESSION, type SessionData, renderHello } from '../../lib/fixture.ts';

interface Ctx {
  text(body: string, status?: number): void;
}
interface Session {
  values: Partial<SessionData>;
}
interface StoreLike {
  get(ctx: Ctx, name: string): Promise<Session>;
}

const cachet = await loadCachet();
const keyring = await cachet['Keyring'].create([{ id: 'bench', secret: SECRET_B64URL }]);

async function makeStore(kind: string): Promise<StoreLike> {
  switch (kind) {
    case 'cookie':
      return new cachet['CookieStore']({
        keyring,
        mode: process.env['CACHET_MODE'] === 'signed' ? 'signed' : 'sealed',
        ...(process.env['CACHET_CACHE'] === 'off' ? { cache: false } : {}),
      });
    case 'memory':
      return new cachet['MemoryStore']({ keyring });
    case 'file':
      return new cachet['FileStore']({ keyring, dir: process.env['STORE_DIR'] });
    case 'redis': {
      const { createClient } = await import('redis');
      const client = createClient({ url: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', disableOfflineQueue: true });
      client.on('error', (err: Error) => console.error('redis:', err.message));
      await client.connect();
      return new cachet['RedisStore']({ keyring, client });
    }
    default:
      throw new Error(`unknown STORE ${kind}`);
  }
}

const store = await makeStore(process.env['STORE'] ?? 'cookie');
const session = (ctx: Ctx): Promise<Session> => store.get(ctx, 'session');

const app = cachet['createApp']({ accessLog: false });
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
