/**
 * What a server-side store keeps about a session beside its data (when, from which user agent and
 * IP) and how that reads back as a {@link SessionInfo} for "your active sessions".
 *
 * Its own file because it is bookkeeping about the record, both ways, not session logic: the
 * store reads as load, save and revoke, and the fields shown to the user are set in one place.
 * @module
 */
import type { StoredRecord } from './stored-record.js';
import type { SessionInfo } from './server-store-options.js';
import type { SessionRecord } from '../core/session-record.js';
import type { SessionContext } from '../core/types.js';

// A User-Agent is attacker-controlled; it is metadata for a listing, so cap what is stored.
const MAX_USER_AGENT = 512;

/**
 * The record to store for session `data` written at `now` (ms) by this request, living `life` seconds.
 *
 * @example
 * ```ts
 * await backend.set(toStoredRecord(session.toRecord(), ctx, now, 1800));
 * ```
 */
export function toStoredRecord(data: SessionRecord, ctx: SessionContext, now: number, life: number): StoredRecord {
  const userAgent = header(ctx, 'user-agent');
  return {
    id: data.i,
    subject: data.s,
    createdAt: data.c,
    lastSeenAt: now,
    expiresAt: now + life * 1000,
    userAgent: userAgent?.slice(0, MAX_USER_AGENT),
    ip: ctx.ip,
    data,
  };
}

/**
 * One entry of `store.list(subject)`; `current` is the id of the session to mark, if any.
 *
 * @example
 * ```ts
 * const infos = records.map((r) => toSessionInfo(r, subject, session.id));
 * ```
 */
export function toSessionInfo(record: StoredRecord, subject: string, current: string | undefined): SessionInfo {
  return {
    id: record.id,
    subject,
    createdAt: record.createdAt,
    lastSeenAt: record.lastSeenAt,
    expiresAt: record.expiresAt,
    userAgent: record.userAgent,
    ip: record.ip,
    current: record.id === current,
  };
}

function header(ctx: SessionContext, name: string): string | undefined {
  const value = ctx.headers?.[name];
  return typeof value === 'string' ? value : value?.[0];
}
