// docs/adapters/express.md's complete app, run as the page prints it: the `// app.ts` block is
// copied out with its imports pointed at src/ and at this checkout's Express 5, served on
// 127.0.0.1, and walked through like a browser would (the token taken from each form).
import { test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type express from 'express';
import { generateKey } from '../../src/keys/generate.js';
import { exampleSource, root, walkThrough } from './doc-example.js';
import { listening } from './express-harness.js';

test("the Express page's app logs in, counts and logs out, with CSRF on", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cachet-express-example-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'app.mts');
  writeFileSync(
    file,
    exampleSource('docs/adapters/express.md', 'app.ts', {
      express: import.meta.resolve('express'),
      cachet: pathToFileURL(join(root, 'src/index.ts')).href,
      'cachet/express': pathToFileURL(join(root, 'src/adapters/express/index.ts')).href,
    }),
  );
  const { buildApp } = (await import(pathToFileURL(file).href)) as { buildApp: (secret: string) => Promise<ReturnType<typeof express>> };
  const app = await buildApp(generateKey('doc').secret);
  app.set('env', 'test'); // the walk's planned CSRF refusal still gets its 403; it is only not printed
  const mounted = await listening(app.listen(0, '127.0.0.1'));
  t.after(() => mounted.close());
  await walkThrough(mounted.url);
});
