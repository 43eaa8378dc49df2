/**
 * `MemoryStore`: server-side sessions in this process's memory. For tests, demos and
 * single-process apps; everything is lost when the process exits. See docs/stores.md.
 * @module
 */
import { MemoryRecords } from './memory-records.js';
import { ServerSideStore } from '../server-store.js';
import { type ServerStoreOptions, checkOption, resolveServerStoreOptions } from '../server-store-options.js';
import type { SessionValues } from '../../core/session-record.js';

/** Options for {@link MemoryStore}. */
export interface MemoryStoreOptions extends ServerStoreOptions {
  /** Most sessions kept; the least recently used is evicted first (its user is logged out). Default 10 000. */
  maxEntries?: number;
  /**
   * Most bytes the sessions may take, counted as their records' JSON in UTF-8; the least recently
   * used are evicted first. Default 67 108 864 (64 MiB). With `maxDataBytes` it bounds the memory
   * whatever the sessions hold: `maxEntries` alone let 10 000 large sessions take gigabytes.
   */
  maxBytes?: number;
}

/**
 * Sessions kept in memory, behind a signed session-id cookie. Bounded in number and in bytes (least
 * recently used evicted first) and TTL-aware. **Lost on restart** and not shared between processes.
 *
 * @example
 * ```ts
 * const store = new MemoryStore<{ userId?: string }>({ keyring, maxEntries: 10_000 });
 * app.get('/', async (ctx) => {
 *   const session = await store.get(ctx, 'session');
 *   ctx.text(session.values.userId ?? 'anonymous');
 * });
 * ```
 */
export class MemoryStore<T extends SessionValues = SessionValues> extends ServerSideStore<T> {
  constructor(options: MemoryStoreOptions) {
    const resolved = resolveServerStoreOptions(options, 'MemoryStore', { maxEntries: true, maxBytes: true });
    const maxEntries = options.maxEntries ?? 10_000;
    checkOption(Number.isSafeInteger(maxEntries) && maxEntries >= 1, `maxEntries must be a positive whole number (got ${String(maxEntries)}).`);
    const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    checkOption(Number.isSafeInteger(maxBytes) && maxBytes >= 1, `maxBytes must be a positive whole number of bytes (got ${String(maxBytes)}).`);
    super(new MemoryRecords({ maxEntries, maxBytes, now: resolved.now }), options, resolved);
  }
}
