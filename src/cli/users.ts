/**
 * `npx cachet users add NAME|remove NAME|list` (`npm run users -- …` inside this repository): manages `users.json` in the data directory.
 * The password is read from stdin when stdin is not a terminal (scripts, CI), otherwise from a
 * prompt that does not echo; it never appears in the process arguments or the shell history.
 * @module
 */
import { commandLine, type CommandStyle } from '../app/commands.js';
import { dataDirFromEnv } from '../app/data-dir.js';
import { MAX_PASSWORD_LENGTH } from '../app/passwords.js';
import { addUser, readUsers, removeUser } from '../app/user-file.js';
import { RevocationList } from '../app/revocations.js';
import { runMain, type CliIo } from './io.js';

// The largest --absolute-timeout the server accepts (src/app/config.ts), in seconds.
const MAX_ABSOLUTE_TIMEOUT = 31_536_000;

/**
 * The `users --help` text, naming the commands that exist where it is printed.
 *
 * @example
 * ```ts
 * io.out(usersHelp('npx')); // "Usage: npx cachet users <command> ..."
 * ```
 */
export function usersHelp(style: CommandStyle): string {
  return `Usage: ${commandLine(style, 'users', '<command>')}

Manages the users in $CACHET_DATA_DIR/users.json (default .data/users.json).
Passwords are 8 to 1024 characters, stored as PBKDF2-SHA256 hashes
(600,000 iterations, per-user salt).

Commands:
  add NAME      add NAME, or set a new password for an existing NAME and end every
                session NAME has open; the password is read from stdin when it is not
                a terminal, else prompted without echo
                  echo 'a long passphrase' | ${commandLine(style, 'users', 'add alice')}
  remove NAME   remove NAME and end every session NAME has open (ASVS 5.0 7.4.2):
                a "not valid before" record in revocations.jsonl, honoured by a
                running server within 1 s
  list          list user names and creation dates

Environment:
  CACHET_DATA_DIR   data directory (default .data)

Every command refuses arguments it does not take (exit status 1).
`;
}

/**
 * Ends every session `name` has open: a "not valid before" record in revocations.jsonl. It is
 * kept for the longest absolute timeout the server accepts; the server prunes it sooner.
 */
function revokeAll(dir: string, name: string): void {
  const list = new RevocationList({ dir, retainSeconds: MAX_ABSOLUTE_TIMEOUT, watch: false });
  list.revokeSubject(name);
}

// How many arguments each command takes after its name (a name, or nothing).
const ARITY: Readonly<Record<string, number>> = { add: 1, remove: 1, list: 0 };

/**
 * The users tool.
 *
 * @example
 * ```ts
 * await usersMain(['add', 'alice'], processIo());
 * ```
 */
export async function usersMain(args: string[], io: CliIo): Promise<number> {
  const [command, name, ...rest] = args;
  const style = io.commands ?? 'npm-run';
  const HELP = usersHelp(style);
  if (command === undefined || command === '--help' || command === '-h' || name === '--help' || rest.includes('--help')) {
    io.out(HELP);
    return command === undefined ? 1 : 0;
  }
  const arity = ARITY[command];
  // A name that looks like an option is a typo for one, not a user to create.
  if (arity !== undefined && (args.length - 1 > arity || name?.startsWith('-') === true)) {
    const usage = arity === 0 ? command : `${command} NAME`;
    io.err(`users ${command}: unexpected arguments "${args.slice(1 + (name?.startsWith('-') === true ? 0 : arity)).join(' ')}"; usage: ${commandLine(style, 'users', usage)}\n`);
    return 1;
  }
  const dir = dataDirFromEnv(io.env);
  switch (command) {
    case 'add': {
      if (name === undefined) {
        io.err(`usage: ${commandLine(style, 'users', 'add NAME')}\n`);
        return 1;
      }
      const password = await io.readSecret(`Password for ${name}: `);
      if (password.length < 8) {
        io.err('the password must be at least 8 characters\n');
        return 1;
      }
      if (password.length > MAX_PASSWORD_LENGTH) {
        // The login form refuses anything longer, so such a password could never be used.
        io.err(`the password must be at most ${MAX_PASSWORD_LENGTH} characters (the login form accepts no more)\n`);
        return 1;
      }
      const result = await addUser(dir, name, password);
      if (result === 'updated') {
        // A new password ends every session opened with the old one (OWASP Session Management:
        // a password change invalidates the user's other sessions; from the CLI none is the
        // caller's own). Written after users.json, so a login still hashing the old password
        // either finds the new hash when it re-reads the user or opened its session before this.
        revokeAll(dir, name);
        io.out(`updated user ${name} and ended their sessions\n`);
      } else {
        io.out(`added user ${name}\n`);
      }
      return 0;
    }
    case 'remove': {
      if (name === undefined) {
        io.err(`usage: ${commandLine(style, 'users', 'remove NAME')}\n`);
        return 1;
      }
      if (!removeUser(dir, name)) {
        io.err(`no user named ${name}\n`);
        return 1;
      }
      // A removed account must not stay signed in through a cookie it already holds.
      revokeAll(dir, name);
      io.out(`removed user ${name} and ended their sessions\n`);
      return 0;
    }
    case 'list': {
      for (const user of readUsers(dir)) io.out(`${user.name}\t${user.createdAt}\n`);
      return 0;
    }
    default:
      io.err(`unknown command "${command}"\n\n${HELP}`);
      return 1;
  }
}

runMain(import.meta.url, usersMain);
