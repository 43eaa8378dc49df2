// docs/adapters/hono.md's complete app, run as the page prints it: the `// app.ts` block is
// copied out with its imports pointed at src/ and at this checkout's Hono, served on Node by
// @hono/node-server, and walked through like a browser would (the token taken from each form).
import { test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Hono } from 'hono';
import { generateKey } from '../../src/keys/generate.js';
import { exampleSource, root, walkThrough } from './doc-example.js';
import { listen, type Env } from './hono-harness.js';

test("the Hono page's app logs in, counts and logs out, with CSRF on", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cachet-hono-example-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'app.mts');
  writeFileSync(
    file,
    exampleSource('docs/adapters/hono.md', 'app.ts', {
      hono: import.meta.resolve('hono'),
      'cachet/core': pathToFileURL(join(root, 'src/core.ts')).href,
      'cachet/hono': pathToFileURL(join(root, 'src/adapters/hono/index.ts')).href,
    }),
  );
  const { buildApp } = (await import(pathToFileURL(file).href)) as { buildApp: (secret: string) => Promise<Hono<Env>> };
  const mounted = await listen(await buildApp(generateKey('doc').secret));
  t.after(() => mounted.close());
  await walkThrough(mounted.url);
});
