/**
 * The data every scenario uses, so that every competitor does the same work: a logged-in
 * user's session of about 150 bytes of JSON, and fixed secrets (benchmark-only, never real).
 */

/** About 150 bytes as JSON (checked by `npm run bench:codec`, printed in its report). */
export const SESSION = {
  userId: 'usr_01JD8Z6Q4W2N7K',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  role: 'admin',
  csrf: 'k3Jx9vQ2mZ8pL4tR',
  count: 0,
  loginAt: 1764115200000,
} as const;

export type SessionData = { -readonly [K in keyof typeof SESSION]: (typeof SESSION)[K] extends number ? number : string };

export const COOKIE_NAME = 'session';
/** 32 bytes, base64url: the form cachet's generateKey() produces. */
export const SECRET_B64URL = 'q8Vt1Q2mF0yJx4d7nR9sLk3WcZp6bHe5uTa8gNiXo1E';
/** A 32-byte key as raw bytes, for the bare subtle floor, jose `dir` and libsodium. */
export const KEY_BYTES = new Uint8Array(Buffer.from(SECRET_B64URL, 'base64url'));
/** Iron-style passwords must be at least 32 characters. */
export const PASSWORD = 'bench-only-password-not-a-secret-0123456789';
/** Session lifetime used by every scenario, seconds. */
export const MAX_AGE = 14 * 24 * 3600;

export const SESSION_JSON_BYTES = new TextEncoder().encode(JSON.stringify(SESSION)).length;

/** What GET / renders from a session in the sessions scenario (a). */
export function renderHello(s: Pick<SessionData, 'name' | 'role'>): string {
  return `Hello, ${s.name} (${s.role})`;
}
