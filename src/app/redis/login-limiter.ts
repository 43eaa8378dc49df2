/**
 * The failed-login limits in Redis, shared by every instance and every worker: 5 guesses per user
 * name and 20 per client IP across the whole fleet, not per process.
 *
 *     cachet:login:user:<name>   hash { n: failures, r: window end (ms, the app's clock) }
 *     cachet:login:ip:<address>  the same, per client IP
 *
 * Check and count are ONE Lua script over both counters. Redis runs a script alone, so however
 * the parallel requests of every instance interleave, no two can both pass the check for the
 * last free guess: the fifth is counted before the sixth is checked (the rule of issue #13, now
 * across machines). Each counter expires in Redis when its window ends, so the keys left by a
 * flood of user names or addresses go away by themselves.
 *
 * The window is judged by the clock of the instance that asks (passed to the script), so tests
 * can move it, and a counter behaves like {@link RateLimiter}'s. Between machines, NTP keeps that
 * clock within milliseconds; a skew of S seconds moves a window's end by at most S.
 *
 * A Redis that does not answer makes `take` throw: the route answers 503 (fail closed). If the
 * script runs after all, late, the failure it counted is taken back.
 * @module
 */
import { checkOptionKeys, type OptionKeys } from '../../errors.js';
import type { LoginLimiter, LoginVerdict } from '../login-limiter.js';
import { checkPrefix, DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_REDIS_PREFIX, type RedisScriptClient, withTimeout } from './client.js';

// KEYS[1] user counter, KEYS[2] IP counter; ARGV: user limit, IP limit, window ms, now ms.
// Answers 0 when counted, else the ms until the later of the full windows ends (counting nothing).
const TAKE = `
local now, window = tonumber(ARGV[4]), tonumber(ARGV[3])
local function live(key)
  local v = redis.call('HMGET', key, 'n', 'r')
  local n, r = tonumber(v[1]), tonumber(v[2])
  if n == nil or r == nil or r <= now then return 0, 0 end
  return n, r
end
local un, ur = live(KEYS[1])
local ipn, ipr = live(KEYS[2])
local wait = 0
if un >= tonumber(ARGV[1]) then wait = ur - now end
if ipn >= tonumber(ARGV[2]) and ipr - now > wait then wait = ipr - now end
if wait > 0 then return wait end
local function count(key, n)
  if n == 0 then
    redis.call('HSET', key, 'n', 1, 'r', ARGV[4] + window)
    redis.call('PEXPIRE', key, window)
  else
    redis.call('HINCRBY', key, 'n', 1)
  end
end
count(KEYS[1], un)
count(KEYS[2], ipn)
return 0
`;

// KEYS[1] user counter, KEYS[2] IP counter; ARGV: now ms, '1' to forget the user (a success).
// Takes one failure back from each live counter (never below zero; an ended window is dropped).
const GIVE_BACK = `
local now = tonumber(ARGV[1])
local function refund(key)
  local v = redis.call('HMGET', key, 'n', 'r')
  local n, r = tonumber(v[1]), tonumber(v[2])
  if n == nil or r == nil or r <= now or n <= 1 then
    redis.call('DEL', key)
  else
    redis.call('HINCRBY', key, 'n', -1)
  end
end
if ARGV[2] == '1' then redis.call('DEL', KEYS[1]) else refund(KEYS[1]) end
refund(KEYS[2])
return 0
`;

/** Options for {@link RedisLoginLimiter}. */
export interface RedisLoginLimiterOptions {
  /** The command connection. */
  client: RedisScriptClient;
  /** Failures per user name per window, over every instance. */
  perUser: number;
  /** Failures per client IP per window, over every instance. */
  perIp: number;
  /** Window length in seconds. */
  windowSeconds: number;
  /** Key prefix. Default `cachet:`. */
  prefix?: string;
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number;
  /** A script that has not answered after this many ms counts as Redis being away. Default 2000. */
  commandTimeoutMs?: number;
}

const OPTION_KEYS: OptionKeys<RedisLoginLimiterOptions> = {
  client: true, perUser: true, perIp: true, windowSeconds: true, prefix: true, now: true, commandTimeoutMs: true,
};

function positiveInteger(where: string, name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`${where}: ${name} must be a positive integer`);
}

/**
 * Failed-login limits in Redis, one script per check-and-count.
 *
 * @example
 * ```ts
 * const limiter = new RedisLoginLimiter({ client: redis.client, perUser: 5, perIp: 20, windowSeconds: 900 });
 * const verdict = await limiter.take('demo', ip); // throws while Redis is away
 * ```
 */
export class RedisLoginLimiter implements LoginLimiter {
  readonly #client: RedisScriptClient;
  readonly #perUser: string;
  readonly #perIp: string;
  readonly #windowMs: string;
  readonly #prefix: string;
  readonly #now: () => number;
  readonly #timeout: number;

  constructor(options: RedisLoginLimiterOptions) {
    const where = 'RedisLoginLimiter';
    checkOptionKeys(where, options, OPTION_KEYS);
    positiveInteger(where, 'perUser', options.perUser);
    positiveInteger(where, 'perIp', options.perIp);
    if (!(options.windowSeconds > 0)) throw new TypeError(`${where}: windowSeconds must be positive`);
    this.#prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    checkPrefix(where, this.#prefix);
    this.#client = options.client;
    this.#perUser = String(options.perUser);
    this.#perIp = String(options.perIp);
    this.#windowMs = String(Math.ceil(options.windowSeconds * 1000));
    this.#now = options.now ?? Date.now;
    this.#timeout = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  }

  async take(user: string, ip: string): Promise<LoginVerdict> {
    const args = [this.#perUser, this.#perIp, this.#windowMs, String(this.#now())];
    const script = this.#client.eval(TAKE, { keys: this.#keys(user, ip), arguments: args });
    let reply: unknown;
    try {
      reply = await withTimeout(script, this.#timeout);
    } catch (err) {
      // The route answers 503 and tries no password. A Redis that hung rather than died still runs
      // the script once it wakes, and counts an attempt that was never made: five such 503s and the
      // user's right password got 429 for the whole window. A late count is taken back.
      script.then((late) => (Number(late) === 0 ? this.#giveBack(user, ip, false) : undefined)).catch(() => undefined);
      throw err;
    }
    const wait = Number(reply);
    if (!Number.isFinite(wait)) throw new Error('unexpected reply from the login limit script');
    return wait > 0 ? { ok: false, retryAfter: Math.max(1, Math.ceil(wait / 1000)) } : { ok: true };
  }

  async refund(user: string, ip: string): Promise<void> {
    await this.#giveBack(user, ip, false);
  }

  async reset(user: string, ip: string): Promise<void> {
    await this.#giveBack(user, ip, true);
  }

  async #giveBack(user: string, ip: string, forgetUser: boolean): Promise<void> {
    const args = [String(this.#now()), forgetUser ? '1' : '0'];
    await withTimeout(this.#client.eval(GIVE_BACK, { keys: this.#keys(user, ip), arguments: args }), this.#timeout);
  }

  #keys(user: string, ip: string): string[] {
    return [`${this.#prefix}login:user:${user}`, `${this.#prefix}login:ip:${ip}`];
  }
}
