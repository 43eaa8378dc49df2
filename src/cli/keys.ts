/**
 * `npx cachet keys generate|rotate|retire ID|list` (`npm run keys -- …` inside this repository): manages the key file of the data directory.
 * Every write is atomic (temporary file, then rename) and the file stays mode 0600.
 * Secrets are never printed, except by `generate --print`, whose whole point is to print one.
 * @module
 */
import { commandLine, type CommandStyle } from '../app/commands.js';
import { dataDirFromEnv } from '../app/data-dir.js';
import { newStoredKey, readKeyFile, retireKey, rotateKeys, writeKeyFile } from '../app/key-file.js';
import { runMain, type CliIo } from './io.js';

/**
 * The `keys --help` text, naming the commands that exist where it is printed.
 *
 * @example
 * ```ts
 * io.out(keysHelp('npx')); // "Usage: npx cachet keys <command> ..."
 * ```
 */
export function keysHelp(style: CommandStyle): string {
  return `Usage: ${commandLine(style, 'keys', '<command>')}

Manages the cookie keys in $CACHET_DATA_DIR/keys.json (default .data/keys.json).
The first key is the primary: it seals new cookies. Every listed key still opens
the cookies it sealed.

Commands:
  generate          create keys.json with one fresh key (refuses if it exists)
  generate --print  print a fresh "id:secret" pair for CACHET_KEYS; writes nothing
  rotate            add a fresh primary key; keep the others for opening old cookies
  retire ID         remove a non-primary key (cookies sealed with it stop working)
  list              show ids, creation dates and which key is primary (never secrets)

After rotate or retire, send SIGHUP to the running server (kill -HUP PID) to
reload the file; sessions under the old primary stay valid and are re-issued.

Environment:
  CACHET_DATA_DIR   data directory (default .data)
  CACHET_KEYS       if set, the server uses these keys instead of the file

Every command refuses arguments it does not take (exit status 1).
`;
}

// What each command accepts after its name; anything else is refused before the file is touched,
// so a mistyped "keys rotate extra" does not rotate.
const ARGUMENTS: Readonly<Record<string, (rest: readonly string[]) => boolean>> = {
  generate: (rest) => rest.length === 0 || (rest.length === 1 && rest[0] === '--print'),
  rotate: (rest) => rest.length === 0,
  retire: (rest) => rest.length === 1 && !(rest[0] as string).startsWith('-'),
  list: (rest) => rest.length === 0,
};
const SYNOPSIS: Readonly<Record<string, string>> = { generate: 'generate [--print]', rotate: 'rotate', retire: 'retire ID', list: 'list' };

/**
 * The keys tool.
 *
 * @example
 * ```ts
 * await keysMain(['rotate'], processIo());
 * ```
 */
export async function keysMain(args: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = args;
  const style = io.commands ?? 'npm-run';
  const HELP = keysHelp(style);
  if (command === undefined || command === '--help' || command === '-h' || rest.includes('--help')) {
    io.out(HELP);
    return command === undefined ? 1 : 0;
  }
  const accepts = ARGUMENTS[command];
  if (accepts !== undefined && !accepts(rest)) {
    io.err(`keys ${command}: unexpected arguments "${rest.join(' ')}"; usage: ${commandLine(style, 'keys', SYNOPSIS[command])}\n`);
    return 1;
  }
  const dir = dataDirFromEnv(io.env);
  const existing = readKeyFile(dir);
  if (io.env['CACHET_KEYS'] !== undefined && io.env['CACHET_KEYS'] !== '' && command !== 'list') {
    io.err('note: CACHET_KEYS is set, so the server ignores keys.json until it is unset\n');
  }
  switch (command) {
    case 'generate': {
      if (rest[0] === '--print') {
        const key = newStoredKey();
        io.out(`${key.id}:${key.secret}\n`);
        return 0;
      }
      if (existing !== undefined) {
        io.err(`${dir}/keys.json already exists; use "${commandLine(style, 'keys', 'rotate')}" to add a new primary key\n`);
        return 1;
      }
      const key = newStoredKey();
      writeKeyFile(dir, [key]);
      io.out(`created ${dir}/keys.json with primary key ${key.id}\n`);
      return 0;
    }
    case 'rotate': {
      const keys = rotateKeys(existing ?? []);
      writeKeyFile(dir, keys);
      io.out(`new primary key ${keys[0]?.id}; ${keys.length - 1} older key(s) kept for opening existing cookies\n`);
      io.out('reload a running server with: kill -HUP <pid>\n');
      return 0;
    }
    case 'retire': {
      const id = rest[0];
      if (id === undefined) {
        io.err(`usage: ${commandLine(style, 'keys', 'retire ID')}\n`);
        return 1;
      }
      if (existing === undefined) {
        io.err(`no key file in ${dir}\n`);
        return 1;
      }
      writeKeyFile(dir, retireKey(existing, id));
      io.out(`retired key ${id}; cookies sealed with it are no longer accepted after a reload\n`);
      return 0;
    }
    case 'list': {
      if (existing === undefined) {
        io.err(`no key file in ${dir} (the server creates one on first start, or run "${commandLine(style, 'keys', 'generate')}")\n`);
        return 1;
      }
      const width = Math.max(2, ...existing.map((key) => key.id.length));
      io.out(`${'ID'.padEnd(width)}  ${'CREATED'.padEnd(24)}  ROLE\n`);
      existing.forEach((key, index) => {
        io.out(`${key.id.padEnd(width)}  ${(key.createdAt ?? '-').padEnd(24)}  ${index === 0 ? 'primary' : 'decode only'}\n`);
      });
      return 0;
    }
    default:
      io.err(`unknown command "${command}"\n\n${HELP}`);
      return 1;
  }
}

runMain(import.meta.url, keysMain);
