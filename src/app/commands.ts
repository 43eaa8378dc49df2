/**
 * How a message names another cachet command. The same server and tools run in two places, and a
 * hint is only useful if the command it names exists where it is printed:
 *
 * - in a clone of this repository, started through `npm start`, `node dist/server.js` or
 *   `npm run keys|users|inspect`: the npm scripts exist, the `cachet` binary is not on the path;
 * - in a project that installed the package, started through `npx cachet …`: only the binary
 *   exists, and `npm run users` would fail with "missing script".
 *
 * The process knows which by the entry it was started through: `dist/cli/cachet.js` (the package's
 * `bin`) says `npx`, every other entry says `npm-run`.
 * @module
 */

/** Which commands exist where a message is printed. */
export type CommandStyle = 'npm-run' | 'npx';

/** A command that messages point to. */
export type CommandName = 'serve' | 'keys' | 'users' | 'inspect';

/**
 * The command line that runs `name` with `args` in the given style.
 *
 * @example
 * ```ts
 * commandLine('npm-run', 'users', 'add demo'); // 'npm run users -- add demo'
 * commandLine('npx', 'users', 'add demo');     // 'npx cachet users add demo'
 * ```
 */
export function commandLine(style: CommandStyle, name: CommandName, args = ''): string {
  const tail = args === '' ? '' : ` ${args}`;
  if (style === 'npx') return `npx cachet ${name}${tail}`;
  if (name === 'serve') return `node dist/server.js${tail}`;
  return `npm run ${name}${args === '' ? '' : ` --${tail}`}`;
}
