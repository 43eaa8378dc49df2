/**
 * The cookies one `CookieStore` session occupies on a request: one cookie (`__Host-session`), or,
 * when chunking is on and the value does not fit, its chunks (`name.0 … name.N-1`). Reading them
 * back as one value, staging a new value in whichever form fits, and deleting every one of them.
 * What was written in this response is tracked on the session's state (`WrittenCookies`), so a
 * later write or a delete in the same response replaces exactly what an earlier one staged.
 * @module
 */
import { chunkCookieName, joinCookieChunks, splitCookieValue } from '../../cookie/chunk.js';
import { MAX_COOKIE_BYTES } from '../../cookie/size.js';
import { SessionCookieWriter } from '../core/cookie-writer.js';
import { writeAttributes, type ResolvedStoreOptions } from '../core/store-options.js';
import { requestCookie, type SessionContext } from '../core/types.js';
import { ChunkCookies } from './cookie-chunks.js';
import { SessionTooLargeError } from '../core/session-too-large-error.js';

/** What this response has written of one session's cookies so far. */
export interface WrittenCookies {
  /** The single cookie was staged (so a switch to chunks, or a delete, must remove it). */
  plainWritten: boolean;
  /** How many chunks were staged (so fewer chunks, or a delete, must remove the rest). */
  chunksWritten: number;
}

/** Why the request's chunks are not a value this store wrote (a refusal: a fresh session). */
export interface ChunksRefused {
  readonly refused: string;
}

const CHUNKS_BROKEN: ChunksRefused = { refused: 'chunks missing, too many, or not in the layout this store writes' };
// The store chunks a value only when it does not fit one cookie: chunks holding one that does
// were not written by it.
const CHUNKS_NEEDLESS: ChunksRefused = { refused: 'chunks holding a value that fits one cookie' };

/**
 * Reads, stages and deletes a store's session cookies.
 *
 * @example
 * ```ts
 * const cookies = new SessionCookies(resolveStoreOptions({}), 4); // up to 4 chunks
 * const written = { plainWritten: false, chunksWritten: 0 };
 * cookies.stage(ctx, '__Host-session', written, sealedValue, 1800); // one cookie, or chunks
 * cookies.deleteAll(ctx, '__Host-session', written);                 // every one of them goes
 * ```
 */
export class SessionCookies {
  readonly #options: ResolvedStoreOptions;
  readonly #writer: SessionCookieWriter;
  readonly #chunks = new ChunkCookies();
  /** Chunks allowed, or `undefined` when chunking is off. */
  readonly maxChunks: number | undefined;
  /** Largest name + value accepted: one cookie, or all chunks. */
  readonly limit: number;

  constructor(options: ResolvedStoreOptions, maxChunks: number | undefined) {
    this.#options = options;
    this.#writer = new SessionCookieWriter(options);
    this.maxChunks = maxChunks;
    this.limit = (maxChunks ?? 1) * MAX_COOKIE_BYTES;
  }

  /**
   * The session's value as the request carries it: the cookie, else its chunks joined; `undefined`
   * when there is neither; a {@link ChunksRefused} when chunks are there but this store did not
   * write them so.
   */
  read(ctx: SessionContext, cookieName: string): string | undefined | ChunksRefused {
    const raw = requestCookie(ctx, cookieName);
    const maxChunks = this.maxChunks;
    if (raw !== undefined || maxChunks === undefined) return raw;
    const joined = joinCookieChunks(ctx.cookies, cookieName, { maxChunks });
    if (joined === undefined) return this.#chunks.stale(ctx, cookieName, 0).length > 0 ? CHUNKS_BROKEN : undefined;
    return cookieName.length + joined.length <= MAX_COOKIE_BYTES ? CHUNKS_NEEDLESS : joined;
  }

  /** Stages `value` as the cookie, or as chunks when it is too large for one; removes what it replaces. */
  stage(ctx: SessionContext, cookieName: string, written: WrittenCookies, value: string, maxAge: number): void {
    const size = cookieName.length + value.length; // ASCII: the name is a token, the value base64url
    let chunks: string[] | undefined;
    if (size > MAX_COOKIE_BYTES) {
      if (this.maxChunks === undefined) throw new SessionTooLargeError(cookieName, size, MAX_COOKIE_BYTES, 'cookie');
      try {
        chunks = splitCookieValue(cookieName, value, { maxChunks: this.maxChunks });
      } catch {
        throw new SessionTooLargeError(cookieName, size, this.limit, 'chunks');
      }
    }
    const deletion = this.#options.attributes;
    if (chunks === undefined) {
      this.#writer.write(ctx, cookieName, value, maxAge);
      this.#chunks.delete(ctx, cookieName, 0, written.chunksWritten, deletion);
      written.chunksWritten = 0;
      written.plainWritten = true;
    } else {
      const attributes = writeAttributes(this.#options, maxAge);
      chunks.forEach((part, i) => ctx.setCookie(chunkCookieName(cookieName, i), part, attributes));
      this.#chunks.delete(ctx, cookieName, chunks.length, written.chunksWritten, deletion);
      if (requestCookie(ctx, cookieName) !== undefined || written.plainWritten) ctx.deleteCookie(cookieName, deletion);
      written.chunksWritten = chunks.length;
      written.plainWritten = false;
    }
  }

  /** Deletes the cookie and every chunk: those the request carried and those written in this response. */
  deleteAll(ctx: SessionContext, cookieName: string, written: WrittenCookies): void {
    const attributes = this.#options.attributes;
    if (requestCookie(ctx, cookieName) !== undefined || written.plainWritten) ctx.deleteCookie(cookieName, attributes);
    this.#chunks.delete(ctx, cookieName, 0, written.chunksWritten, attributes);
    written.plainWritten = false;
    written.chunksWritten = 0;
  }
}
