// Deno: `deno run --allow-net=127.0.0.1 --allow-env=CACHET_DEMO_KEY deno.js`. Port 0: Deno picks
// a free one, and the line below tells the test runner which.
import { createDemo } from './demo.js';

declare const Deno: {
  env: { get(name: string): string | undefined };
  version: { deno: string };
  serve(options: { hostname: string; port: number; onListen(address: { port: number }): void }, handler: (request: Request) => Promise<Response>): unknown;
};

const handler = await createDemo({ secret: Deno.env.get('CACHET_DEMO_KEY') ?? '', runtime: `Deno ${Deno.version.deno}` });
Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}`) }, handler);
