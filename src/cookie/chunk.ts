/**
 * Splitting one long cookie value over several cookies, and joining it back.
 *
 * A browser drops a cookie whose name + value exceeds 4096 bytes (RFC 6265bis §5.6). A value
 * that needs more is cut into `name.0`, `name.1` … `name.N-1`, each within the limit. Reading
 * accepts exactly the layout {@link splitCookieValue} writes for the same options: the chunks
 * `0 … N-1` with no gap and nothing past `maxChunks`, every chunk but the last holding exactly
 * the per-chunk room, and the last holding 1 … room characters (0 only when it is the only
 * chunk: the empty value). Any other shape (a missing chunk, a stray one, the whole value in `.0`
 * and an empty `.1`, a short chunk in the middle) gives `undefined`, never a throw. Such a value
 * would fail authentication anyway; refusing the shape first keeps one accepted encoding per
 * value and spares the crypto. The joined value is authenticated as one piece by the codec, so a
 * spliced or reordered chunk is caught there too.
 *
 * Suffixes are canonical decimal indices ("0", "1", … never "01"), so `session.01` is not mistaken
 * for a chunk and each chunk has exactly one name.
 * @module
 */
import { SessionError, checkOptionKeys, type OptionKeys } from '../errors.js';
import { isCookieName, isCookieValue } from './grammar.js';
import { MAX_COOKIE_BYTES } from './size.js';

/** Options shared by {@link splitCookieValue}, {@link joinCookieChunks} and {@link staleChunkNames}. */
export interface ChunkOptions {
  /**
   * The most chunks a value may use. Default 3: three full cookies are about 12 KiB, which still
   * fits with room to spare under Node's default 16 KiB `maxHeaderSize` for the whole request head.
   */
  maxChunks?: number;
  /** The most bytes of name + value per chunk cookie. Default 4096, the browser limit (RFC 6265bis §5.6). */
  maxCookieBytes?: number;
}

const DEFAULT_MAX_CHUNKS = 3;
const MAX_MAX_CHUNKS = 50; // RFC 6265bis §6.1 only promises 50 cookies per domain

const OPTION_KEYS: OptionKeys<ChunkOptions> = { maxChunks: true, maxCookieBytes: true };

function limits(options: ChunkOptions | undefined): { maxChunks: number; maxCookieBytes: number } {
  if (options !== undefined) checkOptionKeys('chunking', options, OPTION_KEYS);
  const maxChunks = options?.maxChunks ?? DEFAULT_MAX_CHUNKS;
  const maxCookieBytes = options?.maxCookieBytes ?? MAX_COOKIE_BYTES;
  if (!Number.isSafeInteger(maxChunks) || maxChunks < 1 || maxChunks > MAX_MAX_CHUNKS) {
    throw new SessionError('ERR_OPTIONS_INVALID', 'usage', `chunking: maxChunks must be an integer from 1 to ${MAX_MAX_CHUNKS}, got ${String(maxChunks)}`);
  }
  if (!Number.isSafeInteger(maxCookieBytes) || maxCookieBytes < 64 || maxCookieBytes > MAX_COOKIE_BYTES) {
    throw new SessionError(
      'ERR_OPTIONS_INVALID',
      'usage',
      `chunking: maxCookieBytes must be an integer from 64 to ${MAX_COOKIE_BYTES}, got ${String(maxCookieBytes)}`,
    );
  }
  return { maxChunks, maxCookieBytes };
}

/**
 * Characters of value per chunk. Every chunk gets the same room: that of the longest chunk name,
 * so the layout depends only on the options and the name. Values are ASCII, 1 byte a char.
 */
function chunkRoom(name: string, maxChunks: number, maxCookieBytes: number): number {
  return maxCookieBytes - chunkCookieName(name, maxChunks - 1).length;
}

/**
 * The name of chunk `index` of cookie `name`: `${name}.${index}`.
 *
 * @example
 * ```ts
 * chunkCookieName('__Host-session', 1); // '__Host-session.1'
 * ```
 */
export function chunkCookieName(name: string, index: number): string {
  return `${name}.${index}`;
}

/**
 * Cuts `value` into chunk values; chunk `i` is to be set as cookie `chunkCookieName(name, i)`.
 * Every chunk but the last is full. An empty value gives one empty chunk, so "absent" and "empty"
 * stay distinct. Names keep their prefix (`__Host-s.0`), so chunks get the same protection.
 *
 * Throws `ERR_COOKIE_NAME_INVALID` / `ERR_COOKIE_VALUE_INVALID` for a name or value a cookie
 * cannot carry (a quoted value cannot be split), and `ERR_COOKIE_TOO_LARGE` when the value needs
 * more than `maxChunks` chunks.
 *
 * @example
 * ```ts
 * const chunks = splitCookieValue('__Host-session', sealed, { maxChunks: 4 });
 * chunks.forEach((part, i) => ctx.setCookie(chunkCookieName('__Host-session', i), part, options));
 * ```
 */
export function splitCookieValue(name: string, value: string, options?: ChunkOptions): string[] {
  const { maxChunks, maxCookieBytes } = limits(options);
  if (typeof name !== 'string' || !isCookieName(name)) {
    throw new SessionError('ERR_COOKIE_NAME_INVALID', 'usage', `chunking: cookie name ${JSON.stringify(name)} is not an RFC 9110 token`);
  }
  if (typeof value !== 'string' || !isCookieValue(value) || value.charCodeAt(0) === 0x22) {
    throw new SessionError(
      'ERR_COOKIE_VALUE_INVALID',
      'usage',
      `chunking: cookie "${name}": only an unquoted value of cookie-octets can be split; encode it first, e.g. as base64url`,
    );
  }
  const room = chunkRoom(name, maxChunks, maxCookieBytes);
  if (room < 1) {
    throw new SessionError('ERR_OPTIONS_INVALID', 'usage', `chunking: cookie name "${name}" leaves no room for a value in ${maxCookieBytes} bytes`);
  }
  const count = Math.max(1, Math.ceil(value.length / room));
  if (count > maxChunks) {
    throw new SessionError(
      'ERR_COOKIE_TOO_LARGE',
      'usage',
      `chunking: cookie "${name}": a value of ${value.length} bytes needs ${count} chunks of at most ${room} bytes, ` +
        `over maxChunks ${maxChunks}: store less, or raise maxChunks`,
    );
  }
  const chunks: string[] = [];
  for (let i = 0; i < count; i++) chunks.push(value.slice(i * room, (i + 1) * room));
  return chunks;
}

/**
 * The chunk indices present in `cookies` for `name`, in no particular order. Only canonical
 * decimal suffixes below 1000 count.
 */
function chunkIndices(cookies: Readonly<Record<string, string>>, name: string): number[] {
  const prefix = `${name}.`;
  const found: number[] = [];
  for (const key in cookies) {
    if (key.length <= prefix.length || key.length > prefix.length + 3 || !key.startsWith(prefix)) continue;
    let index = 0;
    let ok = true;
    for (let i = prefix.length; i < key.length; i++) {
      const d = key.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9 || (d === 0 && i === prefix.length && key.length > prefix.length + 1)) {
        ok = false;
        break;
      }
      index = index * 10 + d;
    }
    if (ok) found.push(index);
  }
  return found;
}

/**
 * Joins the chunks `name.0 … name.N-1` found in a parsed cookie map. Returns `undefined` when
 * there is no chunk, when one is missing, when there are more than `maxChunks`, or when the
 * layout is not the one {@link splitCookieValue} writes with the same options (every chunk but
 * the last full, the last not empty unless it is the only one); never throws on any map (only on
 * invalid options). Pass the options the writer used.
 *
 * @example
 * ```ts
 * const cookies = parseCookies(req.headers.cookie);
 * const sealed = joinCookieChunks(cookies, '__Host-session'); // string | undefined
 * ```
 */
export function joinCookieChunks(cookies: Readonly<Record<string, string>>, name: string, options?: ChunkOptions): string | undefined {
  const { maxChunks, maxCookieBytes } = limits(options);
  const indices = chunkIndices(cookies, name);
  const count = indices.length;
  if (count === 0 || count > maxChunks) return undefined;
  const room = chunkRoom(name, maxChunks, maxCookieBytes);
  let value = '';
  for (let i = 0; i < count; i++) {
    const part = cookies[chunkCookieName(name, i)];
    if (part === undefined) return undefined; // a gap: some index ≥ count is present instead
    // The writer's layout: full chunks, then a last one of 1 … room (the empty value is one empty chunk).
    const last = i === count - 1;
    if (last ? part.length > room || (part.length === 0 && count > 1) : part.length !== room) return undefined;
    value += part;
  }
  return value;
}

/**
 * The names of chunk cookies of `name` present in `cookies` with an index ≥ `keep`: the ones to
 * delete after writing `keep` chunks (pass 0 when the value is no longer chunked or is destroyed).
 * Sorted by index. Only indices below 50 (the most chunks any configuration writes) are listed:
 * a request forging `name.0 … name.178` in 4 KB of Cookie header made a response with 180
 * deletions, a 22 KB head that clients and proxies refuse, for cookies no one had written.
 *
 * @example
 * ```ts
 * const chunks = splitCookieValue(name, sealed);
 * for (const stale of staleChunkNames(ctx.cookies, name, chunks.length)) ctx.deleteCookie(stale, options);
 * ```
 */
export function staleChunkNames(cookies: Readonly<Record<string, string>>, name: string, keep: number): string[] {
  return chunkIndices(cookies, name)
    .filter((index) => index >= keep && index < MAX_MAX_CHUNKS)
    .sort((a, b) => a - b)
    .map((index) => chunkCookieName(name, index));
}
