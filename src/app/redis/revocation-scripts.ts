/**
 * The revocations' layout in Redis, the scripts that read and write it, and the pub/sub message.
 *
 *     cachet:revoked:sessions   sorted set: revoked session id, scored by `until` (ms)
 *     cachet:revoked:subjects   sorted set: user name, scored by its "not valid before" time (ms)
 *     cachet:revoked:version    counter: one more per record that changed anything
 *     cachet:revoked:epoch      random id, set once: a new one means Redis lost its data
 *     cachet:revoked            pub/sub channel: "<version> <s|u> <time> <id or name>"
 *
 * Both sets keep the largest time written for a member (a record only ever widens), so writing a
 * record twice, late, or from two instances at once gives the same set, and a set read in pieces
 * (ZSCAN) can be merged into memory in any order. Subjects are a sorted set rather than a hash so
 * that expired ones go with one ZREMRANGEBYSCORE, like the ids: every write first drops the ids
 * whose session has ended and the subjects older than the absolute timeout, so the sets follow
 * the live records.
 * @module
 */

/** Key and channel names under one prefix. */
export interface RevocationKeys {
  sessions: string;
  subjects: string;
  version: string;
  epoch: string;
  channel: string;
}

/**
 * The names used under `prefix`.
 *
 * @example
 * ```ts
 * revocationKeys('cachet:').sessions; // 'cachet:revoked:sessions'
 * ```
 */
export function revocationKeys(prefix: string): RevocationKeys {
  return {
    sessions: `${prefix}revoked:sessions`,
    subjects: `${prefix}revoked:subjects`,
    version: `${prefix}revoked:version`,
    epoch: `${prefix}revoked:epoch`,
    channel: `${prefix}revoked`,
  };
}

/** `s`: a session id and the time it is refused until; `u`: a user name and its "not valid before". */
export type RecordKind = 's' | 'u';

/** One revocation record. */
export interface RevocationRecord {
  kind: RecordKind;
  /** The session id (`s`) or the user name (`u`). */
  member: string;
  /** `until` (`s`) or `notValidBefore` (`u`), ms since the epoch. */
  time: number;
}

// KEYS: sessions, subjects, version, epoch. ARGV: now, retain ms, channel, epoch candidate, then
// (kind, time, member) triples. Answers { epoch, version }.
export const WRITE = `
local now, retain = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('SET', KEYS[4], ARGV[4], 'NX')
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - retain)
for i = 5, #ARGV, 3 do
  local kind, time, member = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local key = KEYS[2]
  if kind == 's' then key = KEYS[1] end
  local old = redis.call('ZSCORE', key, member)
  if not old or tonumber(old) < tonumber(time) then
    redis.call('ZADD', key, time, member)
    local version = redis.call('INCR', KEYS[3])
    redis.call('PUBLISH', ARGV[3], version .. ' ' .. kind .. ' ' .. time .. ' ' .. member)
  end
end
return { redis.call('GET', KEYS[4]), tonumber(redis.call('GET', KEYS[3]) or '0') }
`;

// KEYS: version, epoch. ARGV: epoch candidate. Answers { epoch, version }: one O(1) round trip.
export const STATE = `
redis.call('SET', KEYS[2], ARGV[1], 'NX')
return { redis.call('GET', KEYS[2]), tonumber(redis.call('GET', KEYS[1]) or '0') }
`;

// KEYS: a sorted set. ARGV: cursor, count. Answers { next cursor, { member, score, ... } }.
export const SCAN = `return redis.call('ZSCAN', KEYS[1], ARGV[1], 'COUNT', ARGV[2])`;

/** What {@link WRITE} and {@link STATE} answer. */
export interface RevocationState {
  epoch: string;
  version: number;
}

/**
 * Reads a `{ epoch, version }` reply; throws on anything else.
 *
 * @example
 * ```ts
 * parseState(['3f9a…', 12]); // { epoch: '3f9a…', version: 12 }
 * ```
 */
export function parseState(reply: unknown): RevocationState {
  if (Array.isArray(reply) && typeof reply[0] === 'string' && Number.isSafeInteger(Number(reply[1]))) {
    return { epoch: reply[0], version: Number(reply[1]) };
  }
  throw new Error('unexpected reply from the revocation script');
}

/**
 * Reads a ZSCAN reply: the next cursor and the (member, time) pairs.
 *
 * @example
 * ```ts
 * parseScan(['0', ['s1', '1767225600000']]); // { cursor: '0', pairs: [['s1', 1767225600000]] }
 * ```
 */
export function parseScan(reply: unknown): { cursor: string; pairs: [string, number][] } {
  if (!Array.isArray(reply) || typeof reply[0] !== 'string' || !Array.isArray(reply[1])) {
    throw new Error('unexpected reply from ZSCAN');
  }
  const flat = reply[1] as unknown[];
  const pairs: [string, number][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const time = Number(flat[i + 1]);
    if (typeof flat[i] === 'string' && Number.isFinite(time)) pairs.push([flat[i] as string, time]);
  }
  return { cursor: reply[0], pairs };
}

/**
 * The arguments of {@link WRITE} after the fixed four, for `records`.
 *
 * @example
 * ```ts
 * writeArguments([{ kind: 's', member: 'Zx9…', time: 1767225600000 }]); // ['s', '1767225600000', 'Zx9…']
 * ```
 */
export function writeArguments(records: Iterable<RevocationRecord>): string[] {
  const out: string[] = [];
  for (const r of records) out.push(r.kind, String(r.time), r.member);
  return out;
}

/**
 * Reads a pub/sub message; `undefined` for anything malformed (a message on our channel from
 * something else is dropped, never thrown: the periodic resync repairs what it should have said).
 *
 * @example
 * ```ts
 * parseMessage('7 s 1767225600000 Zx9…'); // { version: 7, kind: 's', time: 1767225600000, member: 'Zx9…' }
 * ```
 */
export function parseMessage(text: string): (RevocationRecord & { version: number }) | undefined {
  const match = /^([0-9]{1,15}) ([su]) ([0-9]{1,16}) (.+)$/s.exec(text);
  if (match === null) return undefined;
  return { version: Number(match[1]), kind: match[2] as RecordKind, time: Number(match[3]), member: match[4] as string };
}
