/**
 * What a command-line tool needs from the outside world, so each tool is a plain function that
 * tests can call in-process, and the entry guard ({@link runMain}) wires it to the real process.
 * @module
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CommandStyle } from '../app/commands.js';
import { readSecret } from './prompt.js';

/** The environment of one CLI run. */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
  /** Reads a secret: all of stdin when it is not a terminal, otherwise a prompt without echo. */
  readSecret(prompt: string): Promise<string>;
  /**
   * Which commands exist where the messages are printed: `'npx'` under the installed package's
   * `cachet` binary, `'npm-run'` (the default) for `npm run keys|users|inspect` inside this
   * repository, `'node'` in a built copy without sources (src/app/commands.ts).
   */
  commands?: CommandStyle;
  /** Whether `out` may use ANSI colour: stdout is a terminal and NO_COLOR is unset. Default false. */
  colour?: boolean;
  /** The clock, ms (when a key was promoted, whether it is safe to retire). Default `Date.now`. */
  now?: () => number;
}

/** A CLI's main function: arguments after the script name in, exit code out. */
export type CliMain = (args: string[], io: CliIo) => Promise<number>;

/** The standard streams whose reader has gone (`keys list | head -1`): written to no more. */
const closedPipes = new Set<NodeJS.WriteStream>();

/**
 * A reader that closes the pipe early is the reader's choice, not a failure of the command: without
 * a listener the write's EPIPE was an unhandled 'error' event, a stack trace and exit status 1,
 * after `keys add` or `keys rotate` had already changed the key file. The command finishes, and its
 * own exit code stands.
 */
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    closedPipes.add(stream);
  });
}

/**
 * The real process's io; `commands` says how messages name the other commands (default `'npm-run'`).
 *
 * @example
 * ```ts
 * const code = await main(process.argv.slice(2), processIo());
 * ```
 */
export function processIo(commands: CommandStyle = 'npm-run'): CliIo {
  return {
    commands,
    env: process.env,
    colour: process.stdout.isTTY === true && (process.env['NO_COLOR'] ?? '') === '',
    out: (text) => void (closedPipes.has(process.stdout) || process.stdout.write(text)),
    err: (text) => void (closedPipes.has(process.stderr) || process.stderr.write(text)),
    readSecret: (prompt) => readSecret(prompt, process.stdin, process.stderr),
  };
}

/**
 * Runs `main` when `moduleUrl` is the script node was started with (and not when a test imports it),
 * its messages naming commands in the `commands` style (src/app/commands.ts).
 *
 * @example
 * ```ts
 * runMain(import.meta.url, main);
 * ```
 */
export function runMain(moduleUrl: string, main: CliMain, commands: CommandStyle = 'npm-run'): void {
  const script = process.argv[1];
  if (script === undefined) return;
  let started: string;
  try {
    started = realpathSync(script);
  } catch {
    return;
  }
  if (started !== realpathSync(fileURLToPath(moduleUrl))) return;
  // The tools only: `cachet serve` is a server, whose access log must not go quiet unnoticed when
  // its reader goes (it fails as `node dist/server.js` does).
  if (process.argv[2] !== 'serve') {
    quietOnClosedPipe(process.stdout);
    quietOnClosedPipe(process.stderr);
  }
  main(process.argv.slice(2), processIo(commands)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
