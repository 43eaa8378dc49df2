// docs/adapters/fetch.md's complete app, run as the page prints it: the `// app.ts` block is
// copied out with its `cachet` imports pointed at src/, served on Node by @hono/node-server, and
// walked through like a browser would (the token taken from each form).
import { test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { generateKey } from '../../src/keys/generate.js';
import { exampleSource, root, walkThrough } from './doc-example.js';

test('the fetch page\'s app logs in, counts and logs out, with CSRF on', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cachet-fetch-example-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'app.mts');
  writeFileSync(
    file,
    exampleSource('docs/adapters/fetch.md', 'app.ts', {
      'cachet/core': pathToFileURL(join(root, 'src/core.ts')).href,
      'cachet/fetch': pathToFileURL(join(root, 'src/adapters/fetch/index.ts')).href,
    }),
  );
  const { createHandler } = (await import(pathToFileURL(file).href)) as { createHandler: (secret: string) => Promise<(r: Request) => Promise<Response>> };
  const handler = await createHandler(generateKey('doc').secret);
  const server = await new Promise<ReturnType<typeof serve>>((done) => {
    const s = serve({ fetch: handler, port: 0, hostname: '127.0.0.1', overrideGlobalObjects: false }, () => done(s));
  });
  t.after(() => new Promise<void>((done) => server.close(() => done())));
  await walkThrough(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
