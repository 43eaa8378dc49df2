#!/usr/bin/env node
// Fails when a relative link in the Markdown docs points nowhere: a file that does not exist, or a
// `#fragment` that no heading of the target file makes. Learners follow these links from page to
// page; a heading renamed in one file used to leave a dead link in another (README.md pointed at
// "#two-ways-to-run-the-commands" after the section became "Three ways to run the commands").
//
// Fragments are compared with GitHub's heading ids: the heading's text lower-cased, every character
// that is not a letter, a digit, a space, `-` or `_` dropped, each space made `-`, and `-1`, `-2`…
// added to a repeated id. Explicit `<a id="…">` / `<a name="…">` anchors count too. Links inside
// fenced code blocks and inline code are examples, not links, and are skipped; so are absolute URLs.
// A doc path alone in inline code (`docs/stores.md`) is checked from the root: that file must exist.
//
// Usage: node scripts/check-doc-links.mjs [--root DIR]   (default: this checkout)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

// Folders that hold no docs of this project: installed packages, build output, reports.
const SKIPPED = new Set(['node_modules', 'dist', 'coverage', '.git', '.data', 'reports', 'results', '.stryker-tmp', '.runtimes', '.node-versions', 'test-output']);
const FENCE = /^\s*(```|~~~)/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const LINK = /\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g;

function markdownFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    if (SKIPPED.has(name)) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...markdownFiles(full));
    else if (name.endsWith('.md')) out.push(full);
  }
  return out;
}

/** The lines of `text` outside fenced code blocks, with their 1-based numbers. */
function* prose(text) {
  let fenced = false;
  let number = 0;
  for (const line of text.split('\n')) {
    number++;
    if (FENCE.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (!fenced) yield [number, line];
  }
}

/** GitHub's id for a heading's text (see the comment at the top). */
export function headingId(text) {
  return text
    .replace(/<[^>]+>/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .trim()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(text) {
  const ids = new Set();
  const seen = new Map();
  for (const [, line] of prose(text)) {
    const heading = HEADING.exec(line);
    if (heading === null) continue;
    const id = headingId(heading[2]);
    const count = seen.get(id) ?? 0;
    seen.set(id, count + 1);
    ids.add(count === 0 ? id : `${id}-${count}`);
  }
  for (const match of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) ids.add(match[1]);
  return ids;
}

/** Every dead relative link under `root`, as `file:line: why href`. */
export function deadLinks(root) {
  const anchors = new Map();
  const anchorsAt = (file) => {
    if (!anchors.has(file)) anchors.set(file, anchorsOf(readFileSync(file, 'utf8')));
    return anchors.get(file);
  };
  const dead = [];
  for (const file of markdownFiles(root)) {
    for (const [number, line] of prose(readFileSync(file, 'utf8'))) {
      for (const match of line.replace(/`[^`]*`/g, '').matchAll(LINK)) {
        const href = match[1];
        if (/^[a-z][a-z0-9+.-]*:/i.test(href)) continue; // https:, mailto:…
        const hash = href.indexOf('#');
        const path = hash === -1 ? href : href.slice(0, hash);
        const fragment = hash === -1 ? undefined : href.slice(hash + 1);
        const target = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
        const where = `${relative(root, file)}:${number}`;
        if (!existsSync(target)) dead.push(`${where}: no such file: ${href}`);
        else if (fragment !== undefined && target.endsWith('.md') && !anchorsAt(target).has(fragment)) dead.push(`${where}: no such heading: ${href}`);
      }
      // A doc named in inline code (`docs/keys.md`) is a reference a reader follows by hand: it
      // is read from the checkout's root, and must exist too.
      for (const match of line.matchAll(/`(docs\/[\w./-]+\.md)`/g)) {
        if (!existsSync(join(root, match[1]))) dead.push(`${relative(root, file)}:${number}: no such file: ${match[1]}`);
      }
    }
  }
  return dead;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const rootArg = process.argv.indexOf('--root');
  const root = rootArg === -1 ? resolve(new URL('..', import.meta.url).pathname) : resolve(process.argv[rootArg + 1] ?? '.');
  const dead = deadLinks(root);
  for (const line of dead) console.error(line);
  if (dead.length > 0) {
    console.error(`check-doc-links: ${dead.length} dead link${dead.length === 1 ? '' : 's'}`);
    process.exit(1);
  }
  console.log('check-doc-links: every relative link in the docs points somewhere');
}
