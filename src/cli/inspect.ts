/**
 * `npm run inspect -- VALUE [--keys FILE] [--name NAME] [--now SECONDS]`: takes a cookie value
 * apart, part by part, and, given the keys, verifies it and explains the verdict.
 * @module
 */
import { SessionError } from '../errors.js';
import { CookieCodec } from '../codec/cookie-codec.js';
import { Keyring } from '../keys/keyring.js';
import { join } from 'node:path';
import { dataDirFromEnv, readJsonFile } from '../app/data-dir.js';
import { parseKeysEnv, type StoredKey } from '../app/key-file.js';
import { describeValue, VERDICTS } from '../app/value-parts.js';
import { runMain, type CliIo } from './io.js';

const HELP = `Usage: npm run inspect -- VALUE [--keys FILE] [--name NAME] [--now SECONDS]

Prints each part of a cachet cookie value with its meaning. With keys, it also
verifies and decodes the value and explains the verdict: valid, stale (made with
a key that is no longer primary), expired, tampered (and which check failed),
unknown key, or malformed.

Options:
  --keys FILE     a key file (such as .data/keys.json) to verify with; without it,
                  CACHET_KEYS or $CACHET_DATA_DIR/keys.json is used when set
  --name NAME     the cookie name the value was made for (default __Host-session;
                  the name is authenticated, so it must match)
  --now SECONDS   judge expiry at this Unix time instead of now
  --help          show this help

Environment:
  CACHET_KEYS       keys to verify with ("id:secret,..."), as the server reads them
  CACHET_DATA_DIR   verify with this data directory's keys.json

Exit status: 0 valid or stale, 1 any other verdict, 2 usage error.
`;

const MAX_AGE = 400 * 86_400;

function parse(args: string[]): { value?: string; keys?: string; name: string; now?: number; help: boolean } | string {
  const out: { value?: string; keys?: string; name: string; now?: number; help: boolean } = { name: '__Host-session', help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--help' || arg === '-h') out.help = true;
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
  if (typeof options === 'string' || options.help || options.value === undefined) {
    if (typeof options === 'string') io.err(`${options}\n\n`);
    io.out(HELP);
    return typeof options !== 'string' && options.help ? 0 : 2;
  }
  // A value pasted with its name ("__Host-session=1s...") is accepted too: values never hold '='.
  let value = options.value;
  const eq = value.indexOf('=');
  if (eq > 0) {
    if (!args.includes('--name')) options.name = value.slice(0, eq);
    value = value.slice(eq + 1);
  }
  const layout = describeValue(value);
  io.out(`value: ${value.length} characters, ${layout.mode === 'unknown' ? 'not a cachet value' : `${layout.mode} (format v1)`}\n\n`);
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
  // Keys, in order: --keys FILE, then CACHET_KEYS, then $CACHET_DATA_DIR/keys.json when that
  // variable is set (the same places the server looks), else no verification.
  const envKeys = io.env['CACHET_KEYS'];
  const dataDir = io.env['CACHET_DATA_DIR'];
  let keys: StoredKey[];
  if (options.keys === undefined && envKeys !== undefined && envKeys !== '') {
    keys = parseKeysEnv(envKeys);
    io.out('keys: from CACHET_KEYS\n');
  } else {
    const path = options.keys ?? (dataDir !== undefined && dataDir !== '' ? join(dataDirFromEnv(io.env), 'keys.json') : undefined);
    if (path === undefined) {
      io.out('verdict: not verified (pass --keys FILE, or set CACHET_DATA_DIR, to check it)\n');
      return layout.mode === 'unknown' ? 1 : 0;
    }
    const file = readJsonFile(path);
    if (file === undefined) {
      io.err(`no key file at ${path}\n`);
      return 2;
    }
    keys = parseKeysEnv(JSON.stringify(file));
    io.out(`keys: from ${path}\n`);
  }
  const keyring = await Keyring.create(keys.map(({ id, secret }) => ({ id, secret })));
  const mode = layout.mode === 'signed' ? 'signed' : 'sealed';
  const now = options.now;
  const codec = new CookieCodec({ keyring, mode, maxAge: MAX_AGE, ...(now === undefined ? {} : { now: () => now }) });
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
    if (err.detail !== undefined) io.out(`  failed check: ${err.detail}\n`);
    return 1;
  }
}

runMain(import.meta.url, inspectMain);
