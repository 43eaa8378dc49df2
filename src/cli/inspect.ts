/**
 * `npx cachet inspect VALUE [--keys FILE] [--name NAME] [--now SECONDS] [--steps]` (`npm run inspect -- …`
 * inside this repository): takes a cookie value apart, part by part, and verifies it with the
 * same keys the server uses, explaining the verdict.
 * @module
 */
import { SessionError } from '../errors.js';
import { CookieCodec } from '../codec/cookie-codec.js';
import { Keyring } from '../keys/keyring.js';
import { join } from 'node:path';
import { commandLine, type CommandStyle } from '../app/commands.js';
import { dataDirFromEnv, readJsonFile } from '../app/data-dir.js';
import { parseKeysEnv, type StoredKey } from '../app/key-file.js';
import { describeValue, VERDICTS } from '../app/value-parts.js';
import { humanDuration } from './duration.js';
import { formatTrace } from './steps.js';
import { traceDecode } from '../codec/trace.js';
import { inspectValue } from '../codec/inspect.js';
import { cookieByteLength, MAX_COOKIE_BYTES } from '../cookie/size.js';
import { runMain, type CliIo } from './io.js';

/**
 * The `inspect --help` text, naming the commands that exist where it is printed.
 *
 * @example
 * ```ts
 * io.out(inspectHelp('npx')); // "Usage: npx cachet inspect VALUE ..."
 * ```
 */
export function inspectHelp(style: CommandStyle): string {
  return `Usage: ${commandLine(style, 'inspect', 'VALUE [--keys FILE] [--name NAME] [--now SECONDS] [--steps]')}

Prints each part of a cachet cookie value with its meaning, then verifies and
decodes it and explains the verdict: valid, stale (made with a key that is no
longer primary), expired (and how long ago), tampered (and which check failed),
unknown key, malformed, or unsupported version (a tag such as 2s). A value
without the shape of a cachet value at all is reported as "not a cachet value".

Options:
  --keys FILE     the key file to verify with (default: CACHET_KEYS when set, else
                  keys.json in $CACHET_DATA_DIR, default .data, as the server does);
                  a FILE (or a CACHET_DATA_DIR) without keys is an error, reported
                  before anything else; a missing .data/keys.json leaves it unverified
  --name NAME     the cookie name the value was made for (default __Host-session;
                  the name is authenticated, so it must match); for a session split
                  over chunk cookies NAME.0, NAME.1 …, pass their values joined in
                  index order, and NAME without the index
  --now SECONDS   judge expiry at this Unix time instead of now
  --steps         also print the check as the server runs it: nine numbered steps,
                  each with pass or FAIL and the parts it read, up to the first
                  failure (as the app's /explain/lab shows it; needs the keys)
  --help          show this help

Environment:
  CACHET_KEYS       keys to verify with ("id:secret,..."), as the server reads them
  CACHET_DATA_DIR   data directory whose keys.json is used (default .data)

Exit status: 0 valid or stale (or not verified: no key file in the default place),
1 any other verdict, 2 usage error or unreadable keys.
`;
}

const MAX_AGE = 400 * 86_400;
/**
 * The size a `CookieStore`'s codec accepts: with chunking, one value is joined from several
 * cookies (`name.0`, `name.1` …), so the codec's own limit is 50 cookies, not one.
 */
const MAX_JOINED_BYTES = 50 * MAX_COOKIE_BYTES;

interface InspectArgs {
  value?: string;
  keys?: string;
  name: string;
  now?: number;
  steps: boolean;
  help: boolean;
}

function parse(args: string[]): InspectArgs | string {
  const out: InspectArgs = { name: '__Host-session', steps: false, help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--help' || arg === '-h') out.help = true;
    else if (arg === '--steps') out.steps = true;
    else if (arg === '--keys' || arg === '--name' || arg === '--now') {
      const next = args[++i];
      if (next === undefined) return `${arg} needs a value`;
      if (arg === '--keys') out.keys = next;
      else if (arg === '--name') out.name = next;
      else if (/^[0-9]{1,11}$/.test(next)) out.now = Number(next) * 1000;
      else return '--now takes Unix seconds';
    } else if (arg.startsWith('--')) return `unknown option ${arg}`;
    else if (out.value === undefined) out.value = arg;
    else return 'give one value';
  }
  return out;
}

/**
 * The inspect tool.
 *
 * @example
 * ```ts
 * await inspectMain([value, '--keys', '.data/keys.json'], processIo());
 * ```
 */
export async function inspectMain(args: string[], io: CliIo): Promise<number> {
  const options = parse(args);
  const style = io.commands ?? 'npm-run';
  if (typeof options === 'string' || options.help || options.value === undefined) {
    if (typeof options === 'string') io.err(`${options}\n\n`);
    io.out(inspectHelp(style));
    return typeof options !== 'string' && options.help ? 0 : 2;
  }
  // A value pasted with its name ("__Host-session=1s...") is accepted too: values never hold '='.
  let value = options.value;
  const eq = value.indexOf('=');
  if (eq > 0) {
    if (!args.includes('--name')) options.name = value.slice(0, eq);
    value = value.slice(eq + 1);
  }
  // Keys first, so that a bad --keys is reported before a screenful of breakdown. In order:
  // --keys FILE, then CACHET_KEYS, then keys.json in the data directory ($CACHET_DATA_DIR,
  // default .data): the same places, in the same order, as the server and the keys tool.
  const envKeys = io.env['CACHET_KEYS'];
  let keys: StoredKey[] | undefined;
  let keySource: string;
  try {
    if (options.keys === undefined && envKeys !== undefined && envKeys !== '') {
      keys = parseKeysEnv(envKeys);
      keySource = 'CACHET_KEYS';
    } else {
      const path = options.keys ?? join(dataDirFromEnv(io.env), 'keys.json');
      keySource = path;
      const file = readJsonFile(path);
      // A place the user named (--keys, CACHET_DATA_DIR) must hold keys; only the implicit
      // .data/keys.json may be absent, for taking apart a value from elsewhere without keys.
      const named = options.keys !== undefined || (io.env['CACHET_DATA_DIR'] ?? '') !== '';
      if (file === undefined && named) {
        io.err(`no key file at ${path}\n`);
        return 2;
      }
      if (file !== undefined) keys = parseKeysEnv(JSON.stringify(file));
    }
  } catch (err) {
    io.err(`cannot read the keys: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const layout = describeValue(value);
  const tag = value.split('.', 1)[0]!;
  const otherVersion = layout.mode === 'unknown' && inspectValue(value).version !== null;
  const kind = layout.mode !== 'unknown' ? `${layout.mode} (format v1)` : otherVersion ? `version tag "${tag}", not one this build reads` : 'not a cachet value';
  io.out(`value: ${value.length} characters, ${kind}\n\n`);
  const width = Math.max(...layout.parts.map((p) => p.label.length));
  for (const part of layout.parts) {
    const text = part.text.length > 60 ? `${part.text.slice(0, 56)}… (${part.text.length})` : part.text;
    io.out(`  ${part.label.padEnd(width)}  ${text}\n  ${''.padEnd(width)}  ${part.meaning}\n`);
  }
  if (layout.boundText !== undefined) {
    io.out(`\n  bound into the authentication: ${layout.boundText.replace('<cookie name>', options.name)}\n`);
    io.out('  (the cookie name is not part of the value, but a value made for another name fails)\n');
  }
  io.out('\n');
  if (layout.mode === 'unknown') {
    if (otherVersion) {
      // A version tag of another version or mode ("2s"): what the codec says for it, ERR_COOKIE_VERSION
      // (docs/cookie-format.md, "Versioning plan"); the parts after it follow a layout this build does not know.
      const [verdict, meaning] = VERDICTS['ERR_COOKIE_VERSION']!;
      io.out(`verdict: ${verdict} (ERR_COOKIE_VERSION)\n  ${meaning}\n  failed check: tag "${tag}"; this build reads 1s (sealed) and 1m (signed)\n`);
      return 1;
    }
    // No version tag, no key id: nothing here was made by cachet, so "tampered" would mislead.
    io.out('verdict: not a cachet value\n  It does not start with a cachet version tag (1s. sealed, 1m. signed); no key can open it.\n');
    return 1;
  }
  if (keys === undefined) {
    if (options.steps) io.out('steps: not run; they need the keys (the key id, tag and expiry steps use them)\n');
    io.out(`verdict: not verified (no key file at ${keySource}; pass --keys FILE, or set CACHET_DATA_DIR or CACHET_KEYS)\n`);
    return 0;
  }
  io.out(`keys: from ${keySource}\n`);
  const keyring = await Keyring.create(keys.map(({ id, secret }) => ({ id, secret })));
  const mode = layout.mode === 'signed' ? 'signed' : 'sealed';
  const now = options.now;
  const clock = now === undefined ? Date.now : () => now;
  const codec = new CookieCodec({ keyring, mode, maxAge: MAX_AGE, now: clock, maxBytes: MAX_JOINED_BYTES });
  const bytes = cookieByteLength(options.name, value);
  if (bytes > MAX_COOKIE_BYTES) {
    io.out(`size: ${bytes} bytes with the name, more than one cookie holds (${MAX_COOKIE_BYTES}): read as the joined value of chunk cookies ${options.name}.0, ${options.name}.1 …, checked as a CookieStore with chunking checks it\n`);
  }
  if (options.steps) io.out(`\n${formatTrace(value, await traceDecode(codec, options.name, value, { now: clock }), { colour: io.colour === true })}\n`);
  try {
    const decoded = await codec.decode(options.name, value);
    const verdict = decoded.stale ? 'stale' : 'valid';
    io.out(`verdict: ${verdict}\n`);
    io.out(
      decoded.stale
        ? `  authentic and unexpired, but key ${decoded.keyId} is not the primary (${keyring.primaryId}); the app re-issues it on the next response\n`
        : `  authentic, unexpired, made with the primary key ${decoded.keyId}\n`,
    );
    io.out(`  expires ${new Date(decoded.expiresAt).toISOString()}\n\npayload:\n${JSON.stringify(decoded.data, null, 2)}\n`);
    return 0;
  } catch (err) {
    if (!SessionError.isDecode(err)) throw err;
    const [verdict, meaning] = VERDICTS[err.code] ?? ['rejected', ''];
    io.out(`verdict: ${verdict} (${err.code})\n  ${meaning}\n`);
    // The precise reason is for the operator at this terminal; the app never tells a client.
    if (err.code === 'ERR_COOKIE_EXPIRED' && layout.expiresAt !== undefined && layout.issuedAt !== undefined) {
      // The codec ends a value at the earlier of its expires-at and issued-at + maxAge (a header
      // edited to an old issue time fails here too), so the reason names whichever came first.
      const capped = layout.issuedAt + MAX_AGE < layout.expiresAt;
      const at = Math.min(layout.expiresAt, layout.issuedAt + MAX_AGE) * 1000;
      const why = capped ? `: issued-at plus the ${MAX_AGE / 86_400}-day limit, before the claimed expires-at` : '';
      io.out(`  failed check: expired ${humanDuration((now ?? Date.now()) - at)} ago (at ${new Date(at).toISOString()}${why})\n`);
    } else if (err.detail !== undefined) io.out(`  failed check: ${err.detail}\n`);
    return 1;
  }
}

runMain(import.meta.url, inspectMain);
