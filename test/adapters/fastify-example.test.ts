// docs/adapters/fastify.md's complete app, run as the page prints it: the `// app.ts` block is
// copied out with its imports pointed at src/ and at this checkout's Fastify, served on
// 127.0.0.1, and walked through like a browser would (the token taken from each form).
import { test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { generateKey } from '../../src/keys/generate.js';
import { exampleSource, root, walkThrough } from './doc-example.js';

test("the Fastify page's app logs in, counts and logs out, with CSRF on", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cachet-fastify-example-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'app.mts');
  writeFileSync(
    file,
    exampleSource('docs/adapters/fastify.md', 'app.ts', {
      fastify: import.meta.resolve('fastify'),
      cachet: pathToFileURL(join(root, 'src/index.ts')).href,
      'cachet/fastify': pathToFileURL(join(root, 'src/adapters/fastify/index.ts')).href,
    }),
  );
  const { buildApp } = (await import(pathToFileURL(file).href)) as { buildApp: (secret: string) => Promise<FastifyInstance> };
  const app = await buildApp(generateKey('doc').secret);
  t.after(() => app.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  await walkThrough(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
});
