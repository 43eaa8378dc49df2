/**
 * Start-up failures as one line that says what to do. Node's own errors for these cases come out
 * as a stack trace (`getaddrinfo ENOTFOUND`, `listen EADDRINUSE`) or as a bare system message
 * (`EEXIST: file already exists, mkdir '.data'`), which tell an operator what broke inside Node
 * but not which flag to change.
 * @module
 */
import { commandLine, type CommandStyle } from './commands.js';
import type { ServerConfig } from './config.js';

/** Where the server was going to listen and keep its data, for the hints. */
export type StartupTarget = Pick<ServerConfig, 'host' | 'port' | 'dataDir'>;

/**
 * The one-line message (without the `cachet: ` prefix) for an error thrown while preparing the
 * data directory, loading the keys or listening.
 *
 * @example
 * ```ts
 * startupMessage(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' }), config, 'npx');
 * // 'port 8080 on 127.0.0.1 is already in use: stop what holds it, or choose another port with --port N (or PORT)'
 * ```
 */
export function startupMessage(err: unknown, target: StartupTarget, style: CommandStyle): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case 'EADDRINUSE':
      return `port ${target.port} on ${target.host} is already in use: stop what holds it, or choose another port with --port N (or PORT)`;
    case 'EACCES':
      // 'bind' in a cluster worker: the primary binds the shared handle and passes its error on.
      if ((err as { syscall?: unknown }).syscall === 'listen' || (err as { syscall?: unknown }).syscall === 'bind') {
        return `no permission to listen on port ${target.port}: ports below 1024 need privileges; choose --port 1024 or above (the default is 8080)`;
      }
      return `no permission: ${message}; check the owner and mode of the data directory ${target.dataDir}, or choose another with --data-dir DIR`;
    case 'EROFS':
      return `the data directory ${target.dataDir} is on a read-only file system, and without --redis each logout is written there: mount it writable, or choose another directory with --data-dir DIR (or CACHET_DATA_DIR)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return `cannot resolve --host "${target.host}" (or HOST): give an IP address such as 127.0.0.1, ::1 or 0.0.0.0 (every interface), or a name that resolves`;
    case 'EADDRNOTAVAIL':
      return `${target.host} is not an address of this machine: use --host 127.0.0.1, or --host 0.0.0.0 to accept outside connections`;
    case 'EEXIST':
    case 'ENOTDIR':
      return `the data directory ${target.dataDir} cannot be created, because it or a parent is a file: move that file away, or choose another directory with --data-dir DIR (or CACHET_DATA_DIR)`;
    default:
      break;
  }
  if (code === 'ERR_REDIS_MISSING') {
    return '--redis needs the redis package, which is not installed: run npm install redis where the server runs (or start without --redis / CACHET_REDIS_URL)';
  }
  if (code === 'ERR_REDIS_UNREACHABLE') {
    // Serving without the revocations would accept every logged-out cookie: no start.
    return `${message}: start Redis or fix --redis URL (or CACHET_REDIS_URL); the server does not start without the revocations it would have to refuse`;
  }
  if (code === 'ERR_KEY_DUPLICATE') {
    // Keyring's own message ends with a library call (generateKey()); an operator edits a file or
    // a variable, and needs to know which. The ids only: never the secret.
    const ids = /^keys ("[^"]*" and "[^"]*") have the same secret/.exec(message)?.[1];
    if (ids !== undefined) {
      return `keys ${ids} have the same secret, a rotation that rotates nothing (in CACHET_KEYS, or ${target.dataDir}/keys.json when it is unset): give each key a secret of its own; a fresh pair comes from: ${commandLine(style, 'keys', 'generate --print')}`;
    }
  }
  if (message.startsWith('CACHET_KEYS')) {
    return `${message}. Fix or unset CACHET_KEYS; a fresh pair comes from: ${commandLine(style, 'keys', 'generate --print')}`;
  }
  return message;
}
