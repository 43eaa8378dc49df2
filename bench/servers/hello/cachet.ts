// cachet: createApp + one route + ctx.text, served by app.listen (the hardened server users get).
// The access log is off, as in every other server here (it writes a line per request).
import { loadCachet } from '../../lib/cachet.ts';
import { announce } from '../../lib/announce.ts';

const { createApp } = await loadCachet();
const app = createApp({ accessLog: false });
app.get('/', (ctx: { text(body: string): void }) => ctx.text('Hello, world!'));
announce(await app.listen({ port: Number(process.env['PORT'] ?? 0), host: '127.0.0.1' }));
