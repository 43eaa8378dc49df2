/**
 * Password hashing for the reference app: PBKDF2-SHA256 through `crypto.subtle`.
 *
 * The stored form describes itself, so the work factor can be raised later without a migration:
 *
 *     pbkdf2-sha256$600000$<salt, base64url>$<hash, base64url>
 *
 * - 600,000 iterations is OWASP's 2023 floor for PBKDF2-HMAC-SHA256 (Password Storage Cheat Sheet).
 * - A fresh 16-byte salt per user (NIST SP 800-132 asks for at least 128 bits).
 * - A 32-byte derived key (one SHA-256 block: asking for more only makes the defender pay more).
 * - The comparison looks at every byte whatever the input, so its time says nothing about how
 *   many leading bytes matched.
 * @module
 */
import { checkOptionKeys, type OptionKeys } from '../errors.js';

/**
 * The longest password accepted, in UTF-16 code units (JavaScript `length`). One limit for the
 * login form and for `npm run users -- add`: a password the CLI could store but the login route
 * cut short could never log in. OWASP asks for at least 64 characters; 1024 leaves passphrases
 * room and keeps a login request small.
 *
 * @example
 * ```ts
 * if (password.length > MAX_PASSWORD_LENGTH) throw new Error('password too long');
 * ```
 */
export const MAX_PASSWORD_LENGTH = 1024;

/** The work factor used when none is given: OWASP's 2023 recommendation for PBKDF2-SHA256. */
export const DEFAULT_PASSWORD_ITERATIONS = 600_000;

const ALGORITHM = 'pbkdf2-sha256';
const SALT_BYTES = 16;
const HASH_BYTES = 32;
// A hash stored with absurd parameters would be an easy denial of service on every login.
const MAX_ITERATIONS = 10_000_000;

/** Options for {@link hashPassword} and {@link createDummyHash}. */
export interface PasswordHashOptions {
  /** PBKDF2 iterations. Default {@link DEFAULT_PASSWORD_ITERATIONS}; lower values are refused. */
  iterations?: number;
  /**
   * Test-only escape hatch: accept an iteration count below the default so that test suites stay
   * fast. Never set it in production code. Default `false`.
   */
  unsafeAllowWeakIterationsForTests?: boolean;
}

/** The parts of a stored password hash. */
export interface ParsedPasswordHash {
  algorithm: typeof ALGORITHM;
  iterations: number;
  salt: Uint8Array<ArrayBuffer>;
  hash: Uint8Array;
}

function toBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

const OPTION_KEYS: OptionKeys<PasswordHashOptions> = { iterations: true, unsafeAllowWeakIterationsForTests: true };

function checkIterations(options: PasswordHashOptions): number {
  checkOptionKeys('password hashing', options, OPTION_KEYS);
  const iterations = options.iterations ?? DEFAULT_PASSWORD_ITERATIONS;
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
    throw new TypeError(`password iterations must be an integer from 1 to ${MAX_ITERATIONS}, got ${iterations}`);
  }
  if (iterations < DEFAULT_PASSWORD_ITERATIONS && options.unsafeAllowWeakIterationsForTests !== true) {
    throw new TypeError(
      `password iterations must be at least ${DEFAULT_PASSWORD_ITERATIONS} (OWASP 2023 for PBKDF2-SHA256), got ${iterations}`,
    );
  }
  return iterations;
}

/**
 * Derives the PBKDF2-SHA256 key for a password and salt (the raw primitive, exported for the
 * known-answer test).
 *
 * @example
 * ```ts
 * const bytes = await pbkdf2Sha256('password', new TextEncoder().encode('salt'), 1, 32);
 * ```
 */
export async function pbkdf2Sha256(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number, length: number): Promise<Uint8Array> {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, material, length * 8);
  return new Uint8Array(bits);
}

/**
 * Hashes a password for storage with a fresh random salt.
 *
 * @example
 * ```ts
 * const stored = await hashPassword('correct horse battery staple');
 * // 'pbkdf2-sha256$600000$...$...'
 * ```
 */
export async function hashPassword(password: string, options: PasswordHashOptions = {}): Promise<string> {
  const iterations = checkIterations(options);
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await pbkdf2Sha256(password, salt, iterations, HASH_BYTES);
  return `${ALGORITHM}$${iterations}$${toBase64url(salt)}$${toBase64url(hash)}`;
}

/**
 * Splits a stored hash into its parts, or returns `undefined` when it is not one this module wrote.
 *
 * @example
 * ```ts
 * parsePasswordHash(stored)?.iterations; // 600000
 * ```
 */
export function parsePasswordHash(stored: string): ParsedPasswordHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 4 || parts[0] !== ALGORITHM) return undefined;
  const [, iterationText = '', saltText = '', hashText = ''] = parts;
  if (!/^[1-9][0-9]{0,7}$/.test(iterationText)) return undefined;
  const iterations = Number(iterationText);
  const salt = fromBase64url(saltText);
  const hash = fromBase64url(hashText);
  if (iterations > MAX_ITERATIONS || salt === undefined || hash === undefined || salt.length < 8 || hash.length !== HASH_BYTES) {
    return undefined;
  }
  return { algorithm: ALGORITHM, iterations, salt, hash };
}

/**
 * Compares two byte strings in time that depends only on their lengths.
 *
 * @example
 * ```ts
 * timingSafeEqual(a, b); // true when every byte matches
 * ```
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  // Lengths are public here (both sides are fixed-size hashes); only the contents are secret.
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/**
 * Checks a password against a stored hash. A malformed stored hash never matches.
 *
 * @example
 * ```ts
 * if (await verifyPassword(form.password, user.passwordHash)) { ... }
 * ```
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parsePasswordHash(stored);
  if (parsed === undefined) return false;
  const candidate = await pbkdf2Sha256(password, parsed.salt, parsed.iterations, parsed.hash.length);
  return timingSafeEqual(candidate, parsed.hash);
}

/**
 * True when a stored hash was made with fewer iterations than wanted now (rehash on next login).
 *
 * @example
 * ```ts
 * if (needsRehash(user.passwordHash)) user.passwordHash = await hashPassword(password);
 * ```
 */
export function needsRehash(stored: string, iterations: number = DEFAULT_PASSWORD_ITERATIONS): boolean {
  const parsed = parsePasswordHash(stored);
  return parsed === undefined || parsed.iterations < iterations;
}

/**
 * A stored-hash string for users that do not exist: a random salt and random "hash" bytes with the
 * real work factor. Verifying against it costs exactly one PBKDF2 run, like a real user, and it
 * matches no password (that would take a 256-bit collision), so an unknown user and a wrong
 * password cannot be told apart by time. Nothing is derived, so it costs nothing at startup.
 *
 * @example
 * ```ts
 * const dummy = createDummyHash();
 * const ok = (await verifyPassword(password, user?.passwordHash ?? dummy)) && user !== undefined;
 * ```
 */
export function createDummyHash(options: PasswordHashOptions = {}): string {
  const iterations = checkIterations(options);
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = crypto.getRandomValues(new Uint8Array(HASH_BYTES));
  return `${ALGORITHM}$${iterations}$${toBase64url(salt)}$${toBase64url(hash)}`;
}
