/**
 * cachet as the benchmarks see it: the built package in ../dist, exactly what users run.
 * When src/ is newer than dist/, it is rebuilt first so a run never measures stale code.
 * A cachet row appears only when the export it needs exists, so the bench works on any
 * checkout while the areas land one by one. CACHET_ROOT points the bench at another checkout
 * (with its own node_modules) to compare two versions with the same competitors.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.env['CACHET_ROOT'] ?? fileURLToPath(new URL('../../', import.meta.url));
const entry = join(root, 'dist/index.js');

function newestMtime(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newestMtime(p) : s.mtimeMs);
  }
  return t;
}

let built: boolean | undefined;
function ensureBuilt(): boolean {
  if (built !== undefined) return built;
  const stale = !existsSync(entry) || statSync(entry).mtimeMs < newestMtime(join(root, 'src'));
  if (stale) {
    console.error('cachet: building dist/ (src is newer) ...');
    try {
      execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
    } catch {
      console.error('cachet: build failed; cachet rows are left out of this run');
      return (built = false);
    }
  }
  return (built = existsSync(entry));
}

/** Which cachet was measured: $CACHET_LABEL, else the checkout's branch and commit (and whether src/ had uncommitted changes). */
export function cachetLabel(): string {
  const label = process.env['CACHET_LABEL'];
  if (label) return label;
  try {
    const git = (...args: string[]): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: 'pipe' }).trim();
    const dirty = git('status', '--porcelain', '--', 'src') ? ', with uncommitted changes in src/' : '';
    return `${git('rev-parse', '--abbrev-ref', 'HEAD')} @ ${git('rev-parse', '--short', 'HEAD')}${dirty}`;
  } catch {
    return root;
  }
}

/** The checkout being measured, after making sure its dist/ is current (undefined if the build failed). */
export function cachetRoot(): string | undefined {
  return ensureBuilt() ? root : undefined;
}

/** The cachet module (dist/index.js), typed loosely: the bench must run on any checkout. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function loadCachet(): Promise<Record<string, any>> {
  if (!ensureBuilt()) throw new Error('cachet: dist/index.js unavailable');
  return import(entry);
}

/** True when dist exports every name given (e.g. 'CookieCodec', 'Keyring'). */
export async function cachetAvailable(...names: string[]): Promise<boolean> {
  if (!ensureBuilt()) return false;
  const mod = await import(entry);
  const missing = names.filter((n) => !(n in mod));
  if (missing.length) console.error(`cachet: ${missing.join(', ')} not exported yet; cachet rows left out`);
  return missing.length === 0;
}

/** A framework adapter's entry point in dist/ (`cachet/fastify` is dist/adapters/fastify/index.js). */
function adapterEntry(name: string): string {
  return join(root, 'dist/adapters', name, 'index.js');
}

/** True when dist/ has the adapter `name` (fastify, hono, express, koa, fetch): its rows appear only then. */
export function adapterAvailable(name: string): boolean {
  if (!ensureBuilt()) return false;
  const ok = existsSync(adapterEntry(name));
  if (!ok) console.error(`cachet: cachet/${name} not built yet; its rows left out`);
  return ok;
}

/** The adapter module `cachet/<name>`, from the built package, typed loosely like {@link loadCachet}. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function loadAdapter(name: string): Promise<Record<string, any>> {
  if (!ensureBuilt()) throw new Error('cachet: dist/ unavailable');
  return import(adapterEntry(name));
}
