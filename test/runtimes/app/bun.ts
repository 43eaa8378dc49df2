// Bun: `bun bun.js`. Port 0: Bun picks a free one, and the line below tells the test runner which.
import { createDemo } from './demo.js';

declare const Bun: {
  env: Record<string, string | undefined>;
  version: string;
  serve(options: { hostname: string; port: number; fetch(request: Request): Promise<Response> }): { port: number };
};

const handler = await createDemo({ secret: Bun.env['CACHET_DEMO_KEY'] ?? '', runtime: `Bun ${Bun.version}` });
const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: handler });
console.log(`listening on http://127.0.0.1:${server.port}`);
