/**
 * The failed-login limits as one policy: a per-user-name and a per-client-IP limit, checked and
 * counted in one call. Two implementations: {@link MemoryLoginLimiter} (this process's memory, the
 * default) and `RedisLoginLimiter` (src/app/redis/login-limiter.ts, shared by every instance).
 *
 * Why check-and-count is one call: an attempt must be counted *before* the password hash it
 * limits, and no other attempt may pass the check between this one's check and its count (issue
 * #13: counting after the hash let 40 parallel guesses for one user all reach it). In memory that
 * is one synchronous step; in Redis it is one Lua script over both counters.
 * @module
 */
import { RateLimiter } from './rate-limit.js';

/** The answer of {@link LoginLimiter.take}. */
export type LoginVerdict = { readonly ok: true } | { readonly ok: false; /** Seconds to wait, at least 1. */ readonly retryAfter: number };

/**
 * Failed-login limits per user name and per client IP.
 *
 * @example
 * ```ts
 * const verdict = await limiter.take('demo', '203.0.113.9'); // counted as a failure already
 * if (!verdict.ok) return tooManyRequests(verdict.retryAfter);
 * if (await checkPassword()) await limiter.reset('demo', '203.0.113.9');
 * ```
 */
export interface LoginLimiter {
  /**
   * When neither the user's nor the IP's limit is reached, counts this attempt as a failure
   * against both and answers `{ ok: true }`; otherwise counts nothing and answers how long to
   * wait. Check and count are one step. A limiter whose backend cannot answer throws (the route
   * then refuses the login: a guess beyond the limit is never let through).
   */
  take(user: string, ip: string): LoginVerdict | Promise<LoginVerdict>;
  /** Takes back the failure `take` counted (the attempt was refused before any work). */
  refund(user: string, ip: string): void | Promise<void>;
  /** A successful login: forgets the user's failures and takes back this attempt's count for the IP. */
  reset(user: string, ip: string): void | Promise<void>;
}

/** Options for {@link MemoryLoginLimiter}. */
export interface MemoryLoginLimiterOptions {
  /** Failures per user name per window. */
  perUser: number;
  /** Failures per client IP per window. */
  perIp: number;
  /** Window length in seconds. */
  windowSeconds: number;
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number;
}

/**
 * The limits in this process's memory: two {@link RateLimiter}s, answered synchronously (no
 * `await` between the check and the count). With N workers or N machines, each has its own.
 *
 * @example
 * ```ts
 * const limiter = new MemoryLoginLimiter({ perUser: 5, perIp: 20, windowSeconds: 900 });
 * limiter.take('demo', '203.0.113.9'); // { ok: true }, and counted
 * ```
 */
export class MemoryLoginLimiter implements LoginLimiter {
  /** The per-user-name counters. */
  readonly perUser: RateLimiter;
  /** The per-IP counters. */
  readonly perIp: RateLimiter;

  constructor(options: MemoryLoginLimiterOptions) {
    const now = options.now ?? Date.now;
    this.perUser = new RateLimiter({ limit: options.perUser, windowSeconds: options.windowSeconds, now });
    this.perIp = new RateLimiter({ limit: options.perIp, windowSeconds: options.windowSeconds, now });
  }

  take(user: string, ip: string): LoginVerdict {
    const wait = Math.max(this.perIp.retryAfter(ip), this.perUser.retryAfter(user));
    if (wait > 0) return { ok: false, retryAfter: wait };
    this.perIp.fail(ip);
    this.perUser.fail(user);
    return { ok: true };
  }

  refund(user: string, ip: string): void {
    this.perIp.refund(ip);
    this.perUser.refund(user);
  }

  reset(user: string, ip: string): void {
    this.perUser.reset(user);
    this.perIp.refund(ip);
  }
}
