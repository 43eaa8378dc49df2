// cachet, diagnostic row: the same app's request listener (app.handler) on a plain
// node:http server, without app.listen's hardening (timeouts, maxRequestsPerSocket, clientError).
// The gap to the "cachet createApp" row is the cost of the hardened server; the gap to raw
// node:http is the cost of the router, the context and the staged response.
import { createServer } from 'node:http';
import { loadCachet } from '../../lib/cachet.ts';
import { listenAndAnnounce } from '../../lib/announce.ts';

const { createApp } = await loadCachet();
const app = createApp({ accessLog: false });
app.get('/', (ctx: { text(body: string): void }) => ctx.text('Hello, world!'));
listenAndAnnounce(createServer(app.handler));
