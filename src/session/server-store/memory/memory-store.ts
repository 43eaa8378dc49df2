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
}

/**
 * Sessions kept in memory, behind a signed session-id cookie. Bounded (least recently used evicted
 * first) and TTL-aware. **Lost on restart** and not shared between processes.
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
    const resolved = resolveServerStoreOptions(options, 'MemoryStore', { maxEntries: true });
    const maxEntries = options.maxEntries ?? 10_000;
    checkOption(Number.isSafeInteger(maxEntries) && maxEntries >= 1, `maxEntries must be a positive whole number (got ${String(maxEntries)}).`);
    super(new MemoryRecords({ maxEntries, now: resolved.now }), options, resolved);
  }
}
