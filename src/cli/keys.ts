/**
 * `npx cachet keys generate|add|promote ID|retire ID|rotate|list` (`npm run keys -- …` inside this
 * repository): manages the key file of the data directory, including the staged rotation
 * add → promote → retire that a fleet of instances needs (see src/app/key-states.ts).
 * Every write is atomic (temporary file, then rename) and the file stays mode 0600.
 * Secrets are never printed, except by `generate --print`, whose whole point is to print one.
 * @module
 */
import { commandLine, type CommandStyle } from '../app/commands.js';
import { existsSync } from 'node:fs';
import { dataDirFromEnv, dataFile, ensureDataDir, withFileLock } from '../app/data-dir.js';
import { readKeyFile, writeKeyFile } from '../app/key-file.js';
import { addKey, keyStatuses, KeyStepError, newStoredKey, promoteKey, retireKey, rotateKeys, type KeyStatus, type StoredKey } from '../app/key-states.js';
import { humanDuration } from './duration.js';
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
  const keys = (args: string): string => commandLine(style, 'keys', args);
  return `Usage: ${keys('<command>')}

Manages the cookie keys in $CACHET_DATA_DIR/keys.json (default .data/keys.json).
A key is "primary" (it seals new cookies), "pending" (it opens cookies but seals
none yet) or "old" (it was primary; it opens only). Every listed key opens the
cookies it sealed.

Commands:
  generate          create keys.json with one fresh key (refuses if it exists)
  generate --print  print a fresh "id:secret" pair for CACHET_KEYS; writes nothing
  add               append a fresh pending key (one pending key at a time)
  promote ID        make key ID the primary; the former primary becomes old.
                    ID is the pending key, or an old key to roll back to
  retire ID         remove key ID. Refused for the primary, and for an old key
                    until the absolute timeout has passed since the next key was
                    promoted; --force retires it anyway, logging out every session
                    still sealed with it. A pending key can always be retired
  rotate            make a fresh key the primary at once: for a single machine.
                    On a fleet it logs users out during a rolling restart, since
                    instances not yet reloaded cannot open the new key's cookies;
                    use add, promote, retire there
  list              show ids, dates, states and when old keys are safe to retire
                    (never secrets)

Staged rotation on a fleet (each step is safe while instances run different files):
  1. ${keys('add')}
     deploy keys.json to every instance and reload each
  2. once GET /healthz on every instance lists the new key as "pending":
     ${keys('promote ID')}
     deploy and reload again
  3. once the absolute timeout has passed since every instance reloaded:
     ${keys('retire OLD-ID')}
     deploy and reload again

After any change, send SIGHUP to the running server (kill -HUP PID) to reload
the file; sessions under an old key stay valid and are re-issued.

Options:
  --absolute-timeout S  (promote, retire, list) the server's session absolute
                        timeout in seconds, to tell when an old key is safe to
                        retire (default $CACHET_ABSOLUTE_TIMEOUT, else 86400)
  --force               (retire) retire an old key before that time

Environment:
  CACHET_DATA_DIR          data directory (default .data)
  CACHET_KEYS              if set, the server uses these keys instead of the file
  CACHET_ABSOLUTE_TIMEOUT  as --absolute-timeout

Every command refuses arguments it does not take (exit status 1).
`;
}

interface Parsed {
  id?: string;
  force: boolean;
  absoluteTimeout?: string;
}

// What each command accepts after its name; anything else is refused before the file is touched,
// so a mistyped "keys rotate extra" does not rotate.
const SHAPES: Readonly<Record<string, { id: boolean; flags: readonly string[] }>> = {
  generate: { id: false, flags: ['--print'] },
  add: { id: false, flags: [] },
  promote: { id: true, flags: ['--absolute-timeout'] },
  retire: { id: true, flags: ['--force', '--absolute-timeout'] },
  rotate: { id: false, flags: [] },
  list: { id: false, flags: ['--absolute-timeout'] },
};
const SYNOPSIS: Readonly<Record<string, string>> = {
  generate: 'generate [--print]',
  add: 'add',
  promote: 'promote ID [--absolute-timeout S]',
  retire: 'retire ID [--force] [--absolute-timeout S]',
  rotate: 'rotate',
  list: 'list [--absolute-timeout S]',
};

function parse(shape: { id: boolean; flags: readonly string[] }, rest: readonly string[]): Parsed | undefined {
  const parsed: Parsed = { force: false };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (!arg.startsWith('-')) {
      if (!shape.id || parsed.id !== undefined) return undefined;
      parsed.id = arg;
    } else if (!shape.flags.includes(name)) {
      return undefined;
    } else if (name === '--absolute-timeout') {
      const value = eq === -1 ? rest[++i] : arg.slice(eq + 1);
      if (value === undefined) return undefined;
      parsed.absoluteTimeout = value;
    } else if (eq !== -1) {
      return undefined;
    } else if (name === '--force') {
      parsed.force = true;
    } // else --print, which generate reads from rest itself
  }
  if (shape.id && parsed.id === undefined) return undefined;
  return parsed;
}

// The server's own bounds for --absolute-timeout (src/app/config.ts).
function absoluteTimeoutOf(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return 86_400;
  const value = Number(text);
  return /^[0-9]{1,9}$/.test(text) && value >= 1 && value <= 31_536_000 ? value : undefined;
}

function retireNote(status: KeyStatus, now: number): string {
  if (status.state === 'primary') return 'seals new cookies';
  if (status.state === 'pending') return 'opens only; promote it once every instance lists it (GET /healthz)';
  const at = status.safeToRetireAt;
  if (at === undefined) return 'opens only; safe-retire time not recorded (retire it once the absolute timeout has passed since it stopped sealing)';
  if (at.getTime() <= now) return `opens only; safe to retire now (since ${at.toISOString()})`;
  return `opens only; safe to retire from ${at.toISOString()} (in ${humanDuration(at.getTime() - now)})`;
}

function listKeys(keys: readonly StoredKey[], absoluteTimeout: number, now: number, out: (text: string) => void): void {
  const statuses = keyStatuses(keys, absoluteTimeout);
  const width = Math.max(2, ...statuses.map((key) => key.id.length));
  out(`${'ID'.padEnd(width)}  ${'CREATED'.padEnd(24)}  ${'STATE'.padEnd(7)}  NOTE\n`);
  for (const key of statuses) {
    out(`${key.id.padEnd(width)}  ${(key.createdAt ?? '-').padEnd(24)}  ${key.state.padEnd(7)}  ${retireNote(key, now)}\n`);
  }
}

/**
 * The keys tool.
 *
 * @example
 * ```ts
 * await keysMain(['add'], processIo());
 * ```
 */
export async function keysMain(args: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = args;
  const style = io.commands ?? 'npm-run';
  const HELP = keysHelp(style);
  const keysCommand = (tail: string): string => commandLine(style, 'keys', tail);
  if (command === undefined || command === '--help' || command === '-h' || rest.includes('--help')) {
    io.out(HELP);
    return command === undefined ? 1 : 0;
  }
  const shape = SHAPES[command];
  if (shape === undefined) {
    io.err(`unknown command "${command}"\n\n${HELP}`);
    return 1;
  }
  const parsed = parse(shape, rest);
  if (parsed === undefined) {
    io.err(`keys ${command}: unexpected arguments "${rest.join(' ')}"; usage: ${keysCommand(SYNOPSIS[command] as string)}\n`);
    return 1;
  }
  const absoluteTimeout = absoluteTimeoutOf(parsed.absoluteTimeout ?? io.env['CACHET_ABSOLUTE_TIMEOUT']);
  if (absoluteTimeout === undefined) {
    io.err(`keys ${command}: the absolute timeout must be a whole number of seconds from 1 to 31536000, as the server's\n`);
    return 1;
  }
  const nowMs = (io.now ?? Date.now)();
  const now = new Date(nowMs);
  const dir = dataDirFromEnv(io.env);
  if (io.env['CACHET_KEYS'] !== undefined && io.env['CACHET_KEYS'] !== '') {
    // On stderr, so a script reading the list is not disturbed; an operator comparing this list with
    // /healthz during a rollout must know the server runs with other keys.
    io.err(command === 'list'
      ? 'note: CACHET_KEYS is set, so the server runs with the keys it holds, not with the keys.json listed here\n'
      : 'note: CACHET_KEYS is set, so the server ignores keys.json until it is unset\n');
  }
  if (command === 'generate' && rest[0] === '--print') {
    const key = newStoredKey(now);
    io.out(`${key.id}:${key.secret}\n`);
    return 0;
  }
  if (command === 'list') {
    const existing = readKeyFile(dir);
    if (existing === undefined) {
      io.err(`no key file in ${dir} (the server creates one on first start, or run "${keysCommand('generate')}")\n`);
      return 1;
    }
    listKeys(existing, absoluteTimeout, nowMs, io.out);
    return 0;
  }
  // The commands that write read the file, change it and write it back under keys.json.lock, as
  // users.json is changed: two commands run at the same moment (two operators, a deploy script and
  // a person) otherwise both start from the same file, and the second write silently drops the
  // first one's key; a server reloaded in between may already seal cookies with the dropped key.
  if (command === 'generate' || command === 'rotate') ensureDataDir(dir);
  const change = (): number => {
    const existing = readKeyFile(dir);
    if (command === 'generate') {
      if (existing !== undefined) {
        io.err(`${dir}/keys.json already exists; use "${keysCommand('add')}" to start a key rotation\n`);
        return 1;
      }
      const key: StoredKey = { ...newStoredKey(now), state: 'primary' };
      writeKeyFile(dir, [key]);
      io.out(`created ${dir}/keys.json with primary key ${key.id}\n`);
      return 0;
    }
    if (command === 'rotate') {
      const keys = rotateKeys(existing ?? [], now);
      writeKeyFile(dir, keys);
      io.out(`new primary key ${keys[0]?.id}; ${keys.length - 1} older key(s) kept for opening existing cookies\n`);
      io.out('reload a running server with: kill -HUP <pid>\n');
      io.out(`note: on several instances this logs users out during a rolling restart (those not yet reloaded cannot open the new key's cookies); use "${keysCommand('add')}", then promote, then retire, instead\n`);
      return 0;
    }
    if (existing === undefined) {
      io.err(`no key file in ${dir} (the server creates one on first start, or run "${keysCommand('generate')}")\n`);
      return 1;
    }
    const step = (name: string, { id = '', force }: Parsed, keys: StoredKey[]): number => {
      const reload = 'deploy this keys.json to every instance and reload each (kill -HUP <pid>)';
      if (name === 'add') {
        const next = addKey(keys, now);
        const added = next[next.length - 1] as StoredKey;
        writeKeyFile(dir, next);
        io.out(`added pending key ${added.id}: it opens cookies but seals none yet\n`);
        io.out(`next: ${reload}; once GET /healthz on every instance lists ${added.id} as "pending", run: ${keysCommand(`promote ${added.id}`)}\n`);
        return 0;
      }
      if (name === 'promote') {
        const before = keyStatuses(keys, absoluteTimeout);
        const next = promoteKey(keys, id, now);
        writeKeyFile(dir, next);
        const former = before[0] as KeyStatus;
        const rollback = before.find((key) => key.id === id)?.state === 'old';
        io.out(`promoted ${id} to primary${rollback ? ' (a rollback: it was an old key)' : ''}; ${former.id} is now old and opens only\n`);
        io.out(`next: ${reload}; instances still on the previous file open ${id}'s cookies, since they list it\n`);
        const safe = keyStatuses(next, absoluteTimeout).find((key) => key.id === former.id)?.safeToRetireAt;
        if (safe !== undefined) io.out(`${former.id} is safe to retire from ${safe.toISOString()}, the absolute timeout (${absoluteTimeout} s) after this promotion; count from when the last instance reloaded if that was later: ${keysCommand(`retire ${former.id}`)}\n`);
        return 0;
      }
      // retire
      const status = keyStatuses(keys, absoluteTimeout).find((key) => key.id === id);
      const next = retireKey(keys, id, { now, absoluteTimeout, force });
      writeKeyFile(dir, next);
      const at = status?.safeToRetireAt;
      if (status?.state === 'pending') {
        io.out(`retired pending key ${id}; it never sealed a cookie, so no session is lost\n`);
      } else if (at === undefined) {
        io.out(`retired key ${id}; keys.json does not record when it stopped sealing, so sessions it sealed less than the absolute timeout ago are logged out once instances reload\n`);
      } else if (at.getTime() > nowMs) {
        io.out(`retired key ${id} before ${at.toISOString()} (--force): sessions still sealed with it are logged out once instances reload\n`);
      } else {
        io.out(`retired key ${id}; every session it sealed has passed the absolute timeout, so no session is lost\n`);
      }
      io.out(`next: ${reload}\n`);
      return 0;
    };
    try {
      return step(command, parsed, existing);
    } catch (err) {
      if (!(err instanceof KeyStepError)) throw err;
      io.err(`keys ${command}: ${err.message}\n`);
      return 1;
    }
  };
  return existsSync(dir) ? withFileLock(dataFile(dir, 'keys.json'), change) : change();
}

runMain(import.meta.url, keysMain);
