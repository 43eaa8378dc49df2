/**
 * The user file (`users.json` in the data directory): names and PBKDF2 password hashes.
 *
 *     { "users": [ { "name": "demo", "passwordHash": "pbkdf2-sha256$600000$...$...", "createdAt": "..." } ] }
 *
 * The server reads it on every login attempt (a login already costs a PBKDF2 run, so the read is
 * noise), which means `npm run users -- add NAME` takes effect without a restart and every worker
 * process sees the same users.
 * @module
 */
import { dataFile, ensureDataDir, readJsonFile, withFileLock, writeFileAtomic } from './data-dir.js';
import { hashPassword, MAX_PASSWORD_LENGTH, type PasswordHashOptions } from './passwords.js';

/** One user as stored. */
export interface StoredUser {
  name: string;
  passwordHash: string;
  createdAt: string;
}

/** Allowed user names: short, printable, and safe to show in HTML and logs. */
export const USER_NAME_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;

function checkUsers(value: unknown, origin: string): StoredUser[] {
  const list = (value as { users?: unknown } | null)?.users;
  if (!Array.isArray(list)) throw new Error(`${origin}: expected a "users" list`);
  return list.map((entry: unknown, index) => {
    const { name, passwordHash, createdAt } = (entry ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || !USER_NAME_PATTERN.test(name) || typeof passwordHash !== 'string') {
      throw new Error(`${origin}: user ${index} needs a valid "name" and a "passwordHash"`);
    }
    return { name, passwordHash, createdAt: typeof createdAt === 'string' ? createdAt : '' };
  });
}

/**
 * Reads the users of a data directory (an empty list when the file does not exist).
 *
 * @example
 * ```ts
 * const users = readUsers('.data');
 * ```
 */
export function readUsers(dir: string): StoredUser[] {
  const path = dataFile(dir, 'users.json');
  const value = readJsonFile(path);
  return value === undefined ? [] : checkUsers(value, path);
}

/**
 * Finds one user by exact name.
 *
 * @example
 * ```ts
 * const user = findUser('.data', 'demo');
 * ```
 */
export function findUser(dir: string, name: string): StoredUser | undefined {
  return readUsers(dir).find((user) => user.name === name);
}

/**
 * Writes the user file atomically with mode 0600.
 *
 * @example
 * ```ts
 * writeUsers('.data', users);
 * ```
 */
export function writeUsers(dir: string, users: readonly StoredUser[]): void {
  ensureDataDir(dir);
  writeFileAtomic(dataFile(dir, 'users.json'), `${JSON.stringify({ users }, null, 2)}\n`);
}

/**
 * Adds a user, or replaces the password of an existing one.
 *
 * @example
 * ```ts
 * await addUser('.data', 'alice', password);
 * ```
 */
export async function addUser(dir: string, name: string, password: string, options: PasswordHashOptions = {}, now: Date = new Date()): Promise<'added' | 'updated'> {
  if (!USER_NAME_PATTERN.test(name)) throw new Error(`invalid user name "${name}" (1-64 of A-Z a-z 0-9 . _ @ -)`);
  if (password.length === 0) throw new Error('the password is empty');
  // The login form refuses longer passwords, so storing one would lock the user out for good.
  if (password.length > MAX_PASSWORD_LENGTH) throw new Error(`the password is longer than ${MAX_PASSWORD_LENGTH} characters`);
  const passwordHash = await hashPassword(password, options);
  ensureDataDir(dir);
  // The server rewrites a user on login (work-factor upgrade) while a CLI may add another.
  return withFileLock(dataFile(dir, 'users.json'), () => {
    const users = readUsers(dir);
    const existing = users.find((user) => user.name === name);
    if (existing !== undefined) existing.passwordHash = passwordHash;
    else users.push({ name, passwordHash, createdAt: now.toISOString() });
    writeUsers(dir, users);
    return existing === undefined ? 'added' : 'updated';
  });
}

/**
 * Upgrades the stored hash of `name` to today's work factor, only if it is still `seen`: the hash
 * the caller has just verified `password` against. Returns the new stored hash, or `undefined`
 * (and writes nothing) when the user was removed or given another password since. An
 * unconditional {@link addUser} here added a user removed while the login hashed back, or put the
 * old password back over a new one.
 *
 * @example
 * ```ts
 * const upgraded = await rehashUser('.data', 'alice', password, user.passwordHash);
 * if (upgraded === undefined) return failed();
 * ```
 */
export async function rehashUser(dir: string, name: string, password: string, seen: string, options: PasswordHashOptions = {}): Promise<string | undefined> {
  const passwordHash = await hashPassword(password, options);
  return withFileLock(dataFile(dir, 'users.json'), () => {
    const users = readUsers(dir);
    const user = users.find((entry) => entry.name === name);
    if (user === undefined || user.passwordHash !== seen) return undefined;
    user.passwordHash = passwordHash;
    writeUsers(dir, users);
    return passwordHash;
  });
}

/**
 * Removes a user; returns false if there was none of that name.
 *
 * @example
 * ```ts
 * removeUser('.data', 'alice');
 * ```
 */
export function removeUser(dir: string, name: string): boolean {
  ensureDataDir(dir);
  return withFileLock(dataFile(dir, 'users.json'), () => {
    const users = readUsers(dir);
    const kept = users.filter((user) => user.name !== name);
    if (kept.length === users.length) return false;
    writeUsers(dir, kept);
    return true;
  });
}

/**
 * On first start (no user file), creates the user `demo` with a random password and returns that
 * password so the caller can print it once. Returns `undefined` when the file already exists.
 *
 * @example
 * ```ts
 * const password = await ensureDemoUser('.data');
 * if (password) console.log(`user demo, password ${password}`);
 * ```
 */
export async function ensureDemoUser(dir: string, options: PasswordHashOptions = {}): Promise<string | undefined> {
  if (readJsonFile(dataFile(dir, 'users.json')) !== undefined) return undefined;
  const password = Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString('base64url');
  await addUser(dir, 'demo', password, options);
  return password;
}
