// scripts/check-doc-links.mjs keeps the links between the docs alive. These tests plant small doc
// trees with one dead link each and check that the script names it, so a rule that stopped biting
// would show here, and run it on this checkout, whose docs must have no dead link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tempDir } from '../helpers/temp-dir.js';
// @ts-expect-error: a plain ES module script without type declarations
import { deadLinks, headingId } from '../../scripts/check-doc-links.mjs';

const root = resolve(new URL('../..', import.meta.url).pathname);
const script = join(root, 'scripts', 'check-doc-links.mjs');
const dead = deadLinks as (root: string) => string[];
const id = headingId as (text: string) => string;

function tree(files: Record<string, string>): string {
  const dir = tempDir('cachet-links-');
  for (const [path, text] of Object.entries(files)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return dir;
}

const TARGET = [
  '# Guide',
  '## Three ways to run the commands',
  '## `__Host-` cookies: why the prefix?',
  '## Example',
  '## Example',
  '<a id="explicit"></a>',
  '```md',
  '## Not a heading (inside a fence)',
  '```',
  '',
].join('\n');

test('the docs of this checkout have no dead relative link', () => {
  assert.deepEqual(dead(root), []);
});

test('the script exits 0 on this checkout and 1 on a tree with a dead link, naming it', () => {
  const ok = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  const dir = tree({ 'README.md': 'See [the guide](docs/guide.md#four-ways).\n', 'docs/guide.md': TARGET });
  const bad = spawnSync(process.execPath, [script, '--root', dir], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /README\.md:1: no such heading: docs\/guide\.md#four-ways/);
});

test('a link to a heading that exists, a repeated heading or an explicit anchor is alive', () => {
  const dir = tree({
    'README.md': [
      '[a](docs/guide.md#three-ways-to-run-the-commands) [b](docs/guide.md#__host--cookies-why-the-prefix)',
      '[c](docs/guide.md#example) [d](docs/guide.md#example-1) [e](docs/guide.md#explicit) [f](docs/guide.md) [g](#readme)',
      '# Readme',
    ].join('\n'),
    'docs/guide.md': TARGET,
  });
  assert.deepEqual(dead(dir), []);
});

test('a link to a file that does not exist is dead', () => {
  const dir = tree({ 'docs/a.md': 'Read [b](b.md) and [c](../src/c.ts).\n' });
  assert.deepEqual(dead(dir), ['docs/a.md:1: no such file: b.md', 'docs/a.md:1: no such file: ../src/c.ts']);
});

test('a fragment no heading makes is dead, in another file or in the same one', () => {
  const dir = tree({
    'docs/guide.md': TARGET,
    'docs/a.md': '# A\n\n[x](guide.md#example-2)\n[y](#b)\n[z](guide.md#not-a-heading-inside-a-fence)\n',
  });
  assert.deepEqual(dead(dir), [
    'docs/a.md:3: no such heading: guide.md#example-2',
    'docs/a.md:4: no such heading: #b',
    'docs/a.md:5: no such heading: guide.md#not-a-heading-inside-a-fence',
  ]);
});

test('links in code blocks and inline code, and absolute URLs, are not checked', () => {
  const dir = tree({
    'docs/a.md': ['```md', '[x](missing.md)', '```', 'Write `[y](missing.md)` to link.', '[z](https://example.com/missing.md#nowhere)', ''].join('\n'),
  });
  assert.deepEqual(dead(dir), []);
});

test('a doc named in inline code is read from the root and must exist', () => {
  const dir = tree({ 'docs/stores.md': '# Stores\n', 'docs/a.md': 'See `docs/stores.md` and `docs/keys.md`; `stores.md` alone is not a path.\n' });
  assert.deepEqual(dead(dir), ['docs/a.md:1: no such file: docs/keys.md']);
});

test('installed packages and build output are not read', () => {
  const dir = tree({ 'node_modules/pkg/README.md': '[x](missing.md)\n', 'dist/notes.md': '[y](missing.md)\n', 'docs/a.md': '# A\n' });
  assert.deepEqual(dead(dir), []);
});

test('heading ids follow GitHub: lower case, punctuation dropped, each space a hyphen', () => {
  assert.equal(id('Three ways to run the commands'), 'three-ways-to-run-the-commands');
  assert.equal(id('`__Host-` cookies: why the prefix?'), '__host--cookies-why-the-prefix');
  assert.equal(id('Keys in `CACHET_KEYS` instead of a file'), 'keys-in-cachet_keys-instead-of-a-file');
  assert.equal(id('[Linked](x.md) heading'), 'linked-heading');
  assert.equal(id('Größe & Ünïcode'), 'größe--ünïcode');
});
