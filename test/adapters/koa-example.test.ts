// docs/adapters/koa.md's complete app, run as the page prints it: the `// app.ts` block is copied
// out with its imports pointed at src/ and at this checkout's Koa, served on 127.0.0.1, and
// walked through like a browser would (the token taken from each form).
import { test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type Koa from 'koa';
import { generateKey } from '../../src/keys/generate.js';
import { exampleSource, root, walkThrough } from './doc-example.js';
import { listening } from './express-harness.js';

test("the Koa page's app logs in, counts and logs out, with CSRF on", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cachet-koa-example-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'app.mts');
  writeFileSync(
    file,
    exampleSource('docs/adapters/koa.md', 'app.ts', {
      koa: import.meta.resolve('koa'),
      cachet: pathToFileURL(join(root, 'src/index.ts')).href,
      'cachet/koa': pathToFileURL(join(root, 'src/adapters/koa/index.ts')).href,
    }),
  );
  const { buildApp } = (await import(pathToFileURL(file).href)) as { buildApp: (secret: string) => Promise<Koa> };
  const app = await buildApp(generateKey('doc').secret);
  const mounted = await listening(createServer(app.callback()).listen(0, '127.0.0.1'));
  t.after(() => mounted.close());
  await walkThrough(mounted.url);
});
