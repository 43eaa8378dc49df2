#!/usr/bin/env node
/**
 * The `cachet` command, the package's `bin`: `npx cachet serve|keys|users|inspect …` in a project
 * that installed cachet. It replaces what this repository runs as `node dist/server.js` and
 * `npm run keys|users|inspect`, which do not exist in such a project; started through this
 * entry, every message names `npx cachet …` there, and the commands that exist elsewhere (a clone,
 * a built copy without sources: src/app/commands.ts).
 * @module
 */
import { readFileSync } from 'node:fs';
import { commandStyleAt, type CommandStyle } from '../app/commands.js';
import { batchLines } from '../app/line-batch.js';
import { startServer } from '../app/main.js';
import { inspectMain } from './inspect.js';
import { runMain, type CliIo, type CliMain } from './io.js';
import { keysMain } from './keys.js';
import { usersMain } from './users.js';

/**
 * The `cachet --help` text, naming the command as it is run in `style`: `npx cachet` in a project
 * that installed the package, `node dist/cli/cachet.js` in a clone or a built copy.
 *
 * @example
 * ```ts
 * io.out(cachetHelp('npx')); // "Usage: npx cachet <command> [arguments] ..."
 * ```
 */
export function cachetHelp(style: CommandStyle): string {
  const cachet = style === 'npx' ? 'npx cachet' : 'node dist/cli/cachet.js';
  return `Usage: ${cachet} <command> [arguments]

Commands:
  serve [options]              run the reference app (${cachet} serve --help)
  keys <command>               manage the cookie keys (${cachet} keys --help)
  users <command>              manage the users (${cachet} users --help)
  inspect VALUE [options]      take a cookie value apart and verify it
  help                         show this help
  --version                    print the installed cachet's version

Each command works on the data directory $CACHET_DATA_DIR (default .data).
`;
}

/** The version in the package.json two folders up: the package root, from dist/cli/ and from src/cli/ alike. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return String(pkg.version);
}

const TOOLS: Readonly<Record<string, CliMain>> = { keys: keysMain, users: usersMain, inspect: inspectMain };

/**
 * Runs one `cachet` command; resolves with the exit status (the server's status is the one it
 * sets on `process.exitCode` when it cannot start, 0 while it runs).
 *
 * @example
 * ```ts
 * process.exitCode = await cachetMain(['keys', 'list'], processIo('npx'));
 * ```
 */
export async function cachetMain(args: string[], io: CliIo): Promise<number> {
  // The binary's own style unless the entry found itself elsewhere (commandStyleAt below).
  const style = io.commands ?? 'npx';
  const [command, ...rest] = args;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.out(cachetHelp(style));
    return command === undefined ? 1 : 0;
  }
  // What a bug report asks for first; `npm ls cachet` answers it too, but not from npx.
  if (command === '--version' || command === '-v' || command === 'version') {
    io.out(`${packageVersion()}\n`);
    return 0;
  }
  if (command === 'serve') {
    // The access log goes out one write per event-loop turn, not one per request (app/line-batch.ts).
    const out = batchLines(io.out);
    const err = (line: string): void => {
      out.flush();
      io.err(`${line}\n`);
    };
    await startServer(rest, { env: io.env, out: out.line, err, commands: style });
    out.flush(); // the start-up lines (or --help) now, not a turn later
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  }
  const tool = TOOLS[command];
  if (tool === undefined) {
    io.err(`cachet: unknown command "${command}"\n\n${cachetHelp(style)}`);
    return 2;
  }
  return tool(rest, { ...io, commands: style });
}

// dist/cli/cachet.js: the package root is two folders up.
runMain(import.meta.url, cachetMain, commandStyleAt(new URL('../..', import.meta.url)));
