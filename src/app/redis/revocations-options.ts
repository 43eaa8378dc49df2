/**
 * What a {@link RedisRevocations} takes and what it reports: its options, their keys for the check
 * at construction, and the events `onEvent` receives. Their own file so that revocations.ts reads
 * as one mechanism, how this process's memory stays current with Redis.
 * @module
 */
import type { OptionKeys } from '../../errors.js';
import type { RedisScriptClient, RedisSubscriberClient } from './client.js';
import type { RevocationRecord } from './revocation-scripts.js';
import type { Schedule } from './write-queue.js';

/** What a {@link RedisRevocations} reports, for logs and for tests that wait on it. */
export type RevocationEvent =
  /** A pub/sub message was applied. */
  | { type: 'message'; version: number; record: RevocationRecord }
  /** A sync finished: `full` when both sets were read (after a lost message or a reconnect). */
  | { type: 'synced'; full: boolean; version: number; reason: 'start' | 'reconnect' | 'resync' }
  /** A sync failed (Redis away); the last synced records stay in use. */
  | { type: 'sync-failed'; error: unknown }
  /**
   * Queued records were written (`written`; Redis's `version` after them), or a write failed
   * (`error`, the `attempt`-th in a row) and `waiting` records wait.
   */
  | { type: 'write'; written: number; waiting: number; version?: number; error?: unknown; attempt: number }
  /** Redis came back empty: this instance wrote back the `count` live records it holds. */
  | { type: 'reseeded'; count: number };

/** Options for {@link RedisRevocations.open}. */
export interface RedisRevocationsOptions {
  /** The command connection. */
  client: RedisScriptClient;
  /** The subscriber connection. */
  subscriber: RedisSubscriberClient;
  /** How long a "not valid before" record is kept, in seconds: the session absolute timeout. */
  retainSeconds: number;
  /** Key and channel prefix. Default `cachet:`. */
  prefix?: string;
  /** The clock, ms. Default `Date.now`. */
  now?: () => number;
  /** How often the version is compared with Redis's, ms: the bound for a lost message. Default 5000. */
  resyncMs?: number;
  /** A script that has not answered after this many ms counts as Redis being away. Default 2000. */
  commandTimeoutMs?: number;
  /** Timers (resync, write retries). Default: real timers that do not keep the process alive. */
  schedule?: Schedule;
  /** Told about messages, syncs and writes. */
  onEvent?: (event: RevocationEvent) => void;
}

/** The keys of {@link RedisRevocationsOptions}, for `checkOptionKeys` at construction. */
export const REDIS_REVOCATIONS_OPTION_KEYS: OptionKeys<RedisRevocationsOptions> = {
  client: true, subscriber: true, retainSeconds: true, prefix: true, now: true, resyncMs: true, commandTimeoutMs: true, schedule: true, onEvent: true,
};
