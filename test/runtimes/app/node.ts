// Node: the fetch handler served through @hono/node-server (node:http <-> Request/Response).
// Port 0: Node picks a free one, and the line below tells the test runner which.
import { serve } from '@hono/node-server';
import { createDemo } from './demo.js';

const handler = await createDemo({ secret: process.env['CACHET_DEMO_KEY'] ?? '', runtime: `Node ${process.version}` });
serve({ fetch: handler, hostname: '127.0.0.1', port: 0 }, ({ port }) => console.log(`listening on http://127.0.0.1:${port}`));
