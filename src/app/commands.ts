/**
 * How a message names another cachet command. The same server and tools run in two places, and a
 * hint is only useful if the command it names exists where it is printed:
 *
 * - in a clone of this repository, started through `npm start`, `node dist/server.js` or
 *   `npm run keys|users|inspect`: the npm scripts exist, the `cachet` binary is not on the path;
 * - in a project that installed the package, started through `npx cachet …`: only the binary
 *   exists, and `npm run users` would fail with "missing script";
 * - in a built copy without the sources, such as the container image of docs/deploy.md (`dist/`
 *   and `package.json` only): neither works, and `node dist/cli/cachet.js users …` does.
 *
 * The entries tell which from where they stand ({@link commandStyleAt}): under `node_modules/` it
 * is an installed package; beside `src/cli/` and an installed `tsx` it is a clone, whose npm
 * scripts run; anywhere else it is a built copy.
 * @module
 */
import { existsSync } from 'node:fs';

/** Which commands exist where a message is printed. */
export type CommandStyle = 'npm-run' | 'npx' | 'node';

/** A command that messages point to. */
export type CommandName = 'serve' | 'keys' | 'users' | 'inspect';

/**
 * The command line that runs `name` with `args` in the given style.
 *
 * @example
 * ```ts
 * commandLine('npm-run', 'users', 'add demo'); // 'npm run users -- add demo'
 * commandLine('npx', 'users', 'add demo');     // 'npx cachet users add demo'
 * commandLine('node', 'users', 'add demo');    // 'node dist/cli/cachet.js users add demo'
 * ```
 */
export function commandLine(style: CommandStyle, name: CommandName, args = ''): string {
  const tail = args === '' ? '' : ` ${args}`;
  if (style === 'npx') return `npx cachet ${name}${tail}`;
  if (name === 'serve') return `node dist/server.js${tail}`;
  if (style === 'node') return `node dist/cli/cachet.js ${name}${tail}`;
  return `npm run ${name}${args === '' ? '' : ` --${tail}`}`;
}

/**
 * The style for an entry whose package root (the folder holding `dist/`) is `root`: `npx` under
 * `node_modules/`, `npm-run` in a clone with its sources and `tsx` (what `npm run keys|users|
 * inspect` run), `node` in a built copy without them.
 *
 * @example
 * ```ts
 * // in dist/server.js:
 * const style = commandStyleAt(new URL('..', import.meta.url));
 * ```
 */
export function commandStyleAt(root: URL, exists: (path: URL) => boolean = existsSync): CommandStyle {
  if (root.pathname.includes('/node_modules/')) return 'npx';
  return exists(new URL('src/cli/users.ts', root)) && exists(new URL('node_modules/tsx/package.json', root)) ? 'npm-run' : 'node';
}
