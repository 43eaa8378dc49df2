/**
 * Revocation records for stateless cookie sessions (`revocations.json` in the data directory).
 *
 * A sealed cookie carries all its data, so deleting it in the browser does not stop an attacker
 * who copied it from replaying it until it expires. Two records close that gap (ASVS 5.0 7.4.1):
 * - a revoked session id, kept until the moment that session would have expired anyway ("log out");
 * - a per-subject "not valid before" time: every session of that user created at or before it is
 *   refused ("log out everywhere", account disablement).
 *
 * The file is rewritten atomically on each change and re-read when another process (a worker, or
 * a restart) changed it, so a logout in one worker is honoured by the others on the next request.
 * @module
 */
import { statSync } from 'node:fs';
import { dataFile, ensureDataDir, readJsonFile, writeFileAtomic } from './data-dir.js';

/** What a revocation check needs to know about a session. */
export interface RevocationSubject {
  /** The session id. */
  id: string;
  /** The user the session belongs to, if any. */
  subject?: string | undefined;
  /** When the session was created, in milliseconds since the epoch. */
  createdAt: number;
}

/** Options for {@link RevocationList}. */
export interface RevocationListOptions {
  /** The data directory holding `revocations.json`. */
  dir: string;
  /** How long a "not valid before" record is kept, in seconds: the session absolute timeout. */
  retainSeconds: number;
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number;
}

interface RevocationFile {
  sessions: { id: string; until: number }[];
  subjects: { subject: string; notValidBefore: number }[];
}

/**
 * The revocation records of one data directory.
 *
 * @example
 * ```ts
 * const revocations = new RevocationList({ dir: '.data', retainSeconds: 86400 });
 * revocations.revokeSession(session.id, expiresAtMs);      // log out
 * revocations.revokeSubject('demo');                        // log out everywhere
 * revocations.isRevoked({ id, subject: 'demo', createdAt }); // true afterwards
 * ```
 */
export class RevocationList {
  readonly #path: string;
  readonly #dir: string;
  readonly #retainMs: number;
  readonly #now: () => number;
  #sessions = new Map<string, number>();
  #subjects = new Map<string, number>();
  #stamp = '';

  constructor(options: RevocationListOptions) {
    this.#dir = options.dir;
    this.#path = dataFile(options.dir, 'revocations.json');
    this.#retainMs = options.retainSeconds * 1000;
    this.#now = options.now ?? Date.now;
    this.#reloadIfChanged();
  }

  /** True when the session was logged out, or its user logged out everywhere after it was created. */
  isRevoked(session: RevocationSubject): boolean {
    this.#reloadIfChanged();
    const until = this.#sessions.get(session.id);
    if (until !== undefined && until > this.#now()) return true;
    if (session.subject === undefined) return false;
    const notValidBefore = this.#subjects.get(session.subject);
    return notValidBefore !== undefined && session.createdAt <= notValidBefore;
  }

  /** Refuses one session id until `until` (ms), when the session would have expired anyway. */
  revokeSession(id: string, until: number): void {
    this.#update(() => this.#sessions.set(id, Math.max(until, this.#sessions.get(id) ?? 0)));
  }

  /** Refuses every session of `subject` created up to now. */
  revokeSubject(subject: string): void {
    this.#update(() => this.#subjects.set(subject, this.#now()));
  }

  /** Number of records held (for tests and the health page). */
  get size(): number {
    return this.#sessions.size + this.#subjects.size;
  }

  #update(change: () => void): void {
    // Re-read first so a record written by another worker since our last look is not lost.
    this.#reloadIfChanged();
    change();
    this.#prune();
    const file: RevocationFile = {
      sessions: [...this.#sessions].map(([id, until]) => ({ id, until })),
      subjects: [...this.#subjects].map(([subject, notValidBefore]) => ({ subject, notValidBefore })),
    };
    ensureDataDir(this.#dir);
    writeFileAtomic(this.#path, `${JSON.stringify(file)}\n`);
    this.#stamp = this.#statStamp();
  }

  #prune(): void {
    const now = this.#now();
    for (const [id, until] of this.#sessions) if (until <= now) this.#sessions.delete(id);
    // Once the absolute timeout has passed, no session older than the record can still be alive.
    for (const [subject, at] of this.#subjects) if (at + this.#retainMs <= now) this.#subjects.delete(subject);
  }

  #statStamp(): string {
    try {
      const stat = statSync(this.#path);
      return `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    } catch {
      return '';
    }
  }

  #reloadIfChanged(): void {
    const stamp = this.#statStamp();
    if (stamp === this.#stamp) return;
    this.#stamp = stamp;
    const value = readJsonFile(this.#path) as Partial<RevocationFile> | undefined;
    this.#sessions = new Map();
    this.#subjects = new Map();
    for (const entry of Array.isArray(value?.sessions) ? value.sessions : []) {
      if (typeof entry?.id === 'string' && typeof entry.until === 'number') this.#sessions.set(entry.id, entry.until);
    }
    for (const entry of Array.isArray(value?.subjects) ? value.subjects : []) {
      if (typeof entry?.subject === 'string' && typeof entry.notValidBefore === 'number') {
        this.#subjects.set(entry.subject, entry.notValidBefore);
      }
    }
  }
}
