/**
 * The record a server-side store keeps for one session: its fields, how a session and its request
 * become one (with what it was seen from) and how one reads back as a {@link SessionInfo} for
 * "your active sessions", its JSON text, and the small backend interface that the memory, file and
 * Redis stores implement. Internal: app code sees `MemoryStore`, `FileStore` and
 * `RedisStore`, never a backend.
 *
 * A backend only stores and indexes records. Everything about sessions (cookies, timeouts, flashes,
 * regeneration) lives above it, once, so every store behaves the same.
 *
 * The per-subject index is a hint, the record is the truth: a backend verifies each index entry
 * against the record it points to before trusting it, and prunes entries whose record expired,
 * vanished or now belongs to another subject. That is what keeps "your active sessions" and
 * "log out everywhere" right even when two processes race or a record expires on its own.
 * @module
 */
import { SessionError } from '../../errors.js';
import type { SessionRecord } from '../core/session-record.js';
import type { SessionContext } from '../core/types.js';
import type { SessionInfo } from './server-store-options.js';

/** One stored session. Times are Unix milliseconds. */
export interface StoredRecord {
  /** The session id: 128 random bits, base64url (22 characters). */
  readonly id: string;
  /** The user the session belongs to, if any: the key of the per-subject index. */
  readonly subject: string | undefined;
  /** When the session was created (survives renewal; reset by `regenerate()`). */
  readonly createdAt: number;
  /** When the session was last written (renewals included). */
  readonly lastSeenAt: number;
  /** When the backend may forget the record (the earlier of the idle and absolute deadlines). */
  readonly expiresAt: number;
  /** The User-Agent the session was last seen with, for "your active sessions". */
  readonly userAgent: string | undefined;
  /** The client IP the session was last seen from, for "your active sessions". */
  readonly ip: string | undefined;
  /** The session payload (values, flashes, ...), any JSON value. */
  readonly data: unknown;
}

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

/** What a server-side store needs from its storage. Every method may throw `ERR_STORE_UNAVAILABLE`. */
export interface RecordBackend {
  /** The live record for `id`, or `undefined` when it is absent, expired or unreadable. */
  get(id: string): Promise<StoredRecord | undefined>;
  /**
   * Creates or replaces the record, and indexes it under its subject. With `onlyIfExists`, only
   * replaces: a record that was revoked or destroyed while a request was in flight stays gone.
   * Resolves to whether the record was written.
   */
  set(record: StoredRecord, onlyIfExists?: boolean): Promise<boolean>;
  /**
   * Removes the record and its index entry. Removing an absent record is not an error. Resolves to
   * whether a live record was removed: false when it was already gone (revoked, destroyed or
   * expired), which is how a `regenerate()` in flight learns that it must not go on.
   */
  delete(id: string): Promise<boolean>;
  /** The live records of one subject, in no particular order. */
  listBySubject(subject: string): Promise<StoredRecord[]>;
  /** Removes every record of `subject` whose id is not in `except`; returns how many went. */
  deleteBySubject(subject: string, except?: ReadonlySet<string>): Promise<number>;
  /** Stops timers and releases resources. The backend is unusable afterwards. */
  close(): Promise<void>;
}

/**
 * A session id as the session layer makes them: 16 random bytes in unpadded base64url.
 * Checked before an id reaches a file name or a Redis key, so `../x` or `a/b` never gets that far.
 */
const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;

/** True when `id` has the exact shape of a session id (22 base64url characters). */
export function isSessionId(id: unknown): id is string {
  return typeof id === 'string' && SESSION_ID.test(id);
}

/** Builds the `ERR_STORE_UNAVAILABLE` error every backend throws when its storage fails. */
export function storeUnavailable(store: string, cause: unknown): SessionError {
  const code = (cause as { code?: unknown } | null)?.code;
  const reason = typeof code === 'string' ? code : cause instanceof Error ? cause.message : String(cause);
  return new SessionError('ERR_STORE_UNAVAILABLE', 'internal', `${store}: session storage is unavailable`, {
    detail: reason,
    cause,
  });
}

/** Builds the `ERR_STORE_CORRUPT` error passed to a store's `onStoreError` hook. */
export function storeCorrupt(store: string, where: string, detail: string): SessionError {
  return new SessionError('ERR_STORE_CORRUPT', 'internal', `${store}: ignored an unreadable session record (${where})`, {
    detail,
  });
}

/** Wire form of a record: short keys, format version first. */
interface RecordJson {
  v: 1;
  id: string;
  sub: string | null;
  created: number;
  seen: number;
  exp: number;
  ua: string | null;
  ip: string | null;
  data: unknown;
}

/** Serializes a record to the JSON text the file and Redis backends store. */
export function serializeRecord(record: StoredRecord): string {
  const json: RecordJson = {
    v: 1,
    id: record.id,
    sub: record.subject ?? null,
    created: record.createdAt,
    seen: record.lastSeenAt,
    exp: record.expiresAt,
    ua: record.userAgent ?? null,
    ip: record.ip ?? null,
    data: record.data,
  };
  return JSON.stringify(json);
}

const isTime = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const isOptString = (x: unknown): x is string | null => x === null || typeof x === 'string';

/**
 * Parses stored JSON back into a record. Returns a reason string instead when the text is not a
 * complete, well-formed record for `expectedId`: a half-written or hand-edited file, or a record
 * copied under another id, is never taken for a session.
 */
export function parseRecord(text: string, expectedId: string): StoredRecord | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'not an object';
  const r = json as Partial<Record<keyof RecordJson, unknown>>;
  if (r.v !== 1) return 'unknown format version';
  if (r.id !== expectedId) return 'id does not match';
  if (!isOptString(r.sub) || !isOptString(r.ua) || !isOptString(r.ip)) return 'bad metadata';
  if (!isTime(r.created) || !isTime(r.seen) || !isTime(r.exp)) return 'bad times';
  if (!('data' in r)) return 'no data';
  return {
    id: r.id,
    subject: r.sub ?? undefined,
    createdAt: r.created,
    lastSeenAt: r.seen,
    expiresAt: r.exp,
    userAgent: r.ua ?? undefined,
    ip: r.ip ?? undefined,
    data: r.data,
  };
}
