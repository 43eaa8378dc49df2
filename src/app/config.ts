/**
 * Configuration of `node dist/server.js`: flags override environment variables, which override
 * the defaults. Every setting is listed by `--help` and in docs/app.md.
 * @module
 */
import { commandLine, type CommandStyle } from './commands.js';
import { dataDirFromEnv } from './data-dir.js';
import { isRedisPrefix } from './redis/client.js';
import { resolve } from 'node:path';

/** The resolved server configuration. */
export interface ServerConfig {
  /** TCP port. `PORT` / `--port`, default 8080. */
  port: number;
  /** Interface to listen on. `HOST` / `--host`, default 127.0.0.1 (use 0.0.0.0 in a container). */
  host: string;
  /** Absolute path of the data directory. `CACHET_DATA_DIR` / `--data-dir`, default `.data`. */
  dataDir: string;
  /** Worker processes; 1 = a single process. `CACHET_WORKERS` / `--workers`, default 1. */
  workers: number;
  /** Whether `GET /explain` is served. Default on; off under `NODE_ENV=production` or with `--no-explain`. */
  explain: boolean;
  /** Cookies without `Secure` and without the `__Host-` prefix, for plain-HTTP development off localhost. */
  insecureCookies: boolean;
  /** Proxies in front of the app that append to X-Forwarded-For. `CACHET_TRUST_PROXY` / `--trust-proxy`, default 0. */
  trustProxy: number;
  /** Session idle timeout, seconds. `CACHET_IDLE_TIMEOUT` / `--idle-timeout`, default 1800. */
  idleTimeout: number;
  /** Session absolute timeout, seconds. `CACHET_ABSOLUTE_TIMEOUT` / `--absolute-timeout`, default 86400. */
  absoluteTimeout: number;
  /** Open connections per process (per worker); 0 = no cap. `CACHET_MAX_CONNECTIONS` / `--max-connections`, default 4096. */
  maxConnections: number;
  /** Entries of the session store's verified-value cache (0: no cache). */
  sessionCache: number;
  /** Where sessions live: `cookie` (sealed cookie) or `redis`. `CACHET_SESSION_STORE` / `--session-store`, default `cookie`. */
  sessionStore: 'cookie' | 'redis';
  /**
   * Redis for the revocations and the failed-login counters, shared by every instance
   * (`redis://` or `rediss://`). `CACHET_REDIS_URL` / `--redis`, default none (the data directory
   * and process memory).
   */
  redisUrl: string | undefined;
  /**
   * The prefix of every Redis key and channel of this app (sessions, revocations, login counts),
   * so that several apps can share one Redis. `CACHET_REDIS_PREFIX` / `--redis-prefix`, default
   * `cachet:`. Needs `--redis`.
   */
  redisPrefix: string | undefined;
  /** `--help` was given. */
  help: boolean;
}

/**
 * The text `--help` prints, naming the commands that exist where it is printed.
 *
 * @example
 * ```ts
 * io.out(serverHelp('npx')); // "Usage: npx cachet serve [options] ..."
 * ```
 */
export function serverHelp(style: CommandStyle): string {
  return `Usage: ${commandLine(style, 'serve', '[options]')}

The cachet reference app: log in, a visit counter in a sealed cookie session,
log out, log out everywhere, /explain, which takes your own cookie apart, and
/explain/lab, which shows the server checking it step by step.

Options (each overrides its environment variable):
  --port N               PORT                     port (default 8080)
  --host ADDR            HOST                     address to listen on (default 127.0.0.1;
                                                  0.0.0.0 to accept outside connections)
  --data-dir DIR         CACHET_DATA_DIR          data directory (default .data): keys.json,
                                                  users.json, revocations.jsonl
  --workers N            CACHET_WORKERS           worker processes (default 1)
  --trust-proxy N        CACHET_TRUST_PROXY       proxies that append X-Forwarded-For (default 0)
  --idle-timeout S       CACHET_IDLE_TIMEOUT      session idle timeout, seconds (default 1800)
  --absolute-timeout S   CACHET_ABSOLUTE_TIMEOUT  session lifetime, seconds (default 86400)
  --max-connections N    CACHET_MAX_CONNECTIONS   open connections per process (per worker);
                                                  more are closed unanswered (default 4096;
                                                  0 = no cap)
  --session-cache N      CACHET_SESSION_CACHE     verified session cookies kept per process, so a
                                                  repeat request costs no decrypt (default 5000,
                                                  ~1.2 KB each; 0 = decrypt every request)
  --session-store S      CACHET_SESSION_STORE     where sessions live: "cookie" (default: all in
                                                  the sealed cookie) or "redis" (in Redis, the
                                                  cookie holding a signed id; the home page lists
                                                  your sessions and can end them; needs --redis)
  --redis URL            CACHET_REDIS_URL         keep revocations and failed-login counts in
                                                  Redis (redis:// or rediss://), shared by every
                                                  instance behind a load balancer; needs the
                                                  redis package: npm install redis
  --redis-prefix P       CACHET_REDIS_PREFIX      prefix of every Redis key and channel of this
                                                  app (default "cachet:"), for apps sharing one
                                                  Redis; every instance of one app uses the same
  --insecure-cookies     CACHET_INSECURE_COOKIES=1  drop Secure and the __Host- prefix, for
                                                  plain HTTP on a LAN address (never in production)
  --explain / --no-explain                        serve /explain and /explain/lab (default
                                                  on; off when NODE_ENV=production)
  --help                                          show this help

Other environment:
  CACHET_KEYS   cookie keys, overriding keys.json: "id:secret,id:secret" (primary
                first) or the keys.json JSON. A third field sets a state:
                "id:secret:pending" opens cookies but seals none (a staged
                rotation), "id:secret:primary" seals wherever it stands
  NODE_ENV      "production" turns /explain off

Signals:
  SIGHUP            reload the key file (after "${commandLine(style, 'keys', 'add')}", promote,
                    retire or rotate); GET /healthz then lists the keys and states
  SIGTERM, SIGINT   finish in-flight requests, then exit

On first start the data directory is created (0700, with a .gitignore of "*" so
that git never picks up the key file) with a fresh key and a user "demo" whose
random password is printed once.

Start-up problems (port in use, a --host that does not resolve, a data directory
that is a file, malformed keys) print one "cachet:" line saying what to do, and
exit with status 1 (2 for a bad option).
`;
}

/** The `--help` text inside this repository (`node dist/server.js`). */
export const SERVER_HELP = serverHelp('npm-run');

const INTEGER = /^[0-9]{1,9}$/;

function integer(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!INTEGER.test(text) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  return value;
}

const VALUE_FLAGS = new Set(['--port', '--host', '--data-dir', '--workers', '--trust-proxy', '--idle-timeout', '--absolute-timeout', '--max-connections', '--session-cache', '--session-store', '--redis', '--redis-prefix']);

const SESSION_STORES = ['cookie', 'redis'] as const;

function sessionStore(text: string | undefined): ServerConfig['sessionStore'] {
  if (text === undefined || text === '') return 'cookie';
  const found = SESSION_STORES.find((kind) => kind === text);
  if (found === undefined) throw new Error(`session store must be "cookie" or "redis", got "${text}"`);
  return found;
}

/** A key prefix, as the Redis state accepts it (isRedisPrefix). */
function redisPrefix(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  if (!isRedisPrefix(text)) throw new Error(`--redis-prefix (or CACHET_REDIS_PREFIX) must be 1 to 64 printable ASCII characters without spaces, such as "shop:"`);
  return text;
}

/**
 * A Redis URL, checked for shape only (the connection is tried at start). The message never
 * repeats the URL: it may carry a password.
 */
function redisUrl(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  const name = '--redis (or CACHET_REDIS_URL)';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${name} must be a URL such as redis://127.0.0.1:6379`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new Error(`${name} must start with redis:// or rediss:// (rediss for TLS)`);
  }
  if (url.hostname === '') throw new Error(`${name} needs a host: redis://HOST:PORT`);
  return text;
}

/**
 * `CACHET_INSECURE_COOKIES`: `1` turns it on; unset, empty or `0` leave it off. Anything else
 * (`yes`, `true`) is refused rather than read as off, which left an operator believing the
 * cookies were insecure on purpose while they were not, or the other way round in a later version.
 */
function insecureCookiesVariable(text: string | undefined): boolean {
  if (text === undefined || text === '' || text === '0') return false;
  if (text === '1') return true;
  throw new Error(`CACHET_INSECURE_COOKIES must be 1 (on) or 0 (off), got ${JSON.stringify(text.slice(0, 20))}`);
}

/**
 * Reads the configuration from the command-line arguments and the environment.
 * Throws an `Error` whose message names the bad flag or variable.
 *
 * @example
 * ```ts
 * const config = parseServerConfig(process.argv.slice(2), process.env);
 * ```
 */
export function parseServerConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ServerConfig {
  const flags = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (VALUE_FLAGS.has(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new Error(`${name} needs a value`);
      flags.set(name, value);
    } else if (['--help', '-h', '--explain', '--no-explain', '--insecure-cookies'].includes(arg)) {
      switches.add(arg === '-h' ? '--help' : arg);
    } else {
      throw new Error(`unknown option "${arg}" (see --help)`);
    }
  }
  const pick = (flag: string, variable: string): string | undefined => flags.get(flag) ?? env[variable];
  const production = env['NODE_ENV'] === 'production';
  const dataDirFlag = flags.get('--data-dir');
  const idleTimeout = integer('idle timeout', pick('--idle-timeout', 'CACHET_IDLE_TIMEOUT'), 1800, 1, 31_536_000);
  const absoluteTimeout = integer('absolute timeout', pick('--absolute-timeout', 'CACHET_ABSOLUTE_TIMEOUT'), 86_400, 1, 31_536_000);
  if (absoluteTimeout < idleTimeout) throw new Error('the absolute timeout must not be shorter than the idle timeout');
  const host = pick('--host', 'HOST');
  const store = sessionStore(pick('--session-store', 'CACHET_SESSION_STORE'));
  const redis = redisUrl(pick('--redis', 'CACHET_REDIS_URL'));
  if (store === 'redis' && redis === undefined) throw new Error('--session-store redis needs --redis URL (or CACHET_REDIS_URL): the Redis that holds the sessions');
  const prefix = redisPrefix(pick('--redis-prefix', 'CACHET_REDIS_PREFIX'));
  if (prefix !== undefined && redis === undefined) throw new Error('--redis-prefix needs --redis URL (or CACHET_REDIS_URL): without Redis nothing is stored under a prefix');
  return {
    port: integer('port', pick('--port', 'PORT'), 8080, 0, 65_535),
    host: host === undefined || host === '' ? '127.0.0.1' : host,
    dataDir: dataDirFlag !== undefined ? resolve(dataDirFlag) : dataDirFromEnv(env),
    workers: integer('workers', pick('--workers', 'CACHET_WORKERS'), 1, 1, 64),
    explain: switches.has('--no-explain') ? false : switches.has('--explain') ? true : !production,
    insecureCookies: insecureCookiesVariable(env['CACHET_INSECURE_COOKIES']) || switches.has('--insecure-cookies'),
    trustProxy: integer('trust proxy', pick('--trust-proxy', 'CACHET_TRUST_PROXY'), 0, 0, 10),
    idleTimeout,
    absoluteTimeout,
    maxConnections: integer('max connections', pick('--max-connections', 'CACHET_MAX_CONNECTIONS'), 4096, 0, 1_000_000),
    sessionCache: integer('session cache', pick('--session-cache', 'CACHET_SESSION_CACHE'), 5000, 0, 1_000_000),
    sessionStore: store,
    redisUrl: redis,
    redisPrefix: prefix,
    help: switches.has('--help'),
  };
}
