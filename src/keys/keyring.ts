/**
 * The keyring: ordered keys, the first seals and signs, any of them opens by id.
 * @module
 */
import { SessionError } from '../errors.js';
import { validateKey, type KeyInput } from './key.js';
import { importSecret, deriveSigningKey, deriveSealingKey } from './derive.js';

/**
 * Upper bound on cached sealing keys per ring key. The codec already refuses epochs outside
 * `maxAge + clockSkew` before deriving (so a forged header cannot ask for arbitrary epochs);
 * this cap bounds memory even for the longest allowed maxAge (400 days = 9600 epochs).
 *
 * @example
 * ```ts
 * keyring.primary.cachedEpochs <= MAX_CACHED_EPOCHS; // always true
 * ```
 */
export const MAX_CACHED_EPOCHS = 1024;

/**
 * One key of a ring with its derived subkeys. The signing key is derived once, at
 * {@link Keyring.create}; sealing keys once per epoch, on first use, then cached.
 *
 * @example
 * ```ts
 * const key = keyring.get('2026-10'); // RingKey | undefined
 * key?.id; // '2026-10'
 * ```
 */
export class RingKey {
  /** The key id, as written into every value this key makes. */
  readonly id: string;
  /** HMAC-SHA256 key for signed values (non-extractable). */
  readonly signingKey: CryptoKey;
  readonly #base: CryptoKey;
  // Resolved keys are stored as such so the hot path needs no extra await; a pending
  // derivation is stored as its promise so concurrent requests share one derivation.
  readonly #sealing = new Map<number, CryptoKey | Promise<CryptoKey>>();

  /** @internal Use {@link Keyring.create}. */
  constructor(id: string, base: CryptoKey, signingKey: CryptoKey) {
    this.id = id;
    this.#base = base;
    this.signingKey = signingKey;
  }

  /**
   * The AES-256-GCM key of `epoch`: a `CryptoKey` when cached, else a promise of it.
   *
   * @example
   * ```ts
   * const key = await keyring.get('2026-11')!.sealingKey(Math.floor(Date.now() / 3_600_000));
   * ```
   */
  sealingKey(epoch: number): CryptoKey | Promise<CryptoKey> {
    const cached = this.#sealing.get(epoch);
    if (cached !== undefined) return cached;
    if (this.#sealing.size >= MAX_CACHED_EPOCHS) {
      // Evict the oldest insertion (Map iterates in insertion order).
      for (const old of this.#sealing.keys()) {
        this.#sealing.delete(old);
        break;
      }
    }
    const pending = deriveSealingKey(this.#base, epoch).then(
      (key) => {
        if (this.#sealing.get(epoch) === pending) this.#sealing.set(epoch, key);
        return key;
      },
      (err: unknown) => {
        this.#sealing.delete(epoch); // a failed derivation is retried by the next request
        throw err;
      },
    );
    this.#sealing.set(epoch, pending);
    return pending;
  }

  /**
   * Starts deriving the key of `epoch` in the background if it is not cached, so that no
   * request waits for it (the codec warms the current epoch and, near its end, the next one).
   * A failure is forgotten here; the request that needs the key will retry and report it.
   *
   * @example
   * ```ts
   * keyring.primary.warm(Math.floor(Date.now() / 3_600_000) + 1);
   * ```
   */
  warm(epoch: number): void {
    if (this.#sealing.has(epoch)) return;
    Promise.resolve(this.sealingKey(epoch)).catch(() => undefined);
  }

  /** How many sealing keys are cached (for tests and the state bound in the docs). */
  get cachedEpochs(): number {
    return this.#sealing.size;
  }
}

/**
 * An ordered set of keys. The first is the primary: it makes every new value. The others
 * only open values they made, which then decode as `stale` so the caller can re-issue them.
 *
 * @example
 * ```ts
 * const keyring = await Keyring.create([
 *   { id: '2026-11', secret: process.env.KEY_2026_11! }, // primary
 *   { id: '2026-10', secret: process.env.KEY_2026_10! }, // still opens older cookies
 * ]);
 * keyring.primaryId; // '2026-11'
 * ```
 */
export class Keyring {
  /** Key ids in ring order; the first is the primary. */
  readonly ids: readonly string[];
  /** The key that makes new values. */
  readonly primary: RingKey;
  readonly #byId: ReadonlyMap<string, RingKey>;

  private constructor(keys: readonly RingKey[]) {
    this.primary = keys[0]!;
    this.ids = Object.freeze(keys.map((k) => k.id));
    this.#byId = new Map(keys.map((k) => [k.id, k]));
  }

  /**
   * Validates the keys and derives their subkeys. Throws a usage `SessionError`
   * (`ERR_KEYRING_EMPTY`, `ERR_KEY_ID_INVALID`, `ERR_KEY_SECRET_INVALID`,
   * `ERR_KEY_SECRET_SHORT`, `ERR_KEY_DUPLICATE` (a repeated id, or the same
   * secret under two ids)) before deriving anything.
   *
   * @example
   * ```ts
   * const keyring = await Keyring.create([generateKey('2026-11')]);
   * ```
   */
  static async create(keys: readonly KeyInput[]): Promise<Keyring> {
    if (!Array.isArray(keys) || keys.length === 0) {
      throw new SessionError('ERR_KEYRING_EMPTY', 'usage', 'a keyring needs at least one key { id, secret }');
    }
    const valid = keys.map((key, i) => validateKey(key, i));
    const seen = new Set<string>();
    for (const { id } of valid) {
      if (seen.has(id)) throw new SessionError('ERR_KEY_DUPLICATE', 'usage', `key "${id}" appears twice in the keyring`);
      seen.add(id);
    }
    // The same secret under two ids is a rotation that rotated nothing (a copy-paste): the "new"
    // key opens every cookie the "old" one sealed, and retiring the old id ends no session.
    for (let i = 1; i < valid.length; i++) {
      for (let j = 0; j < i; j++) {
        if (sameBytes(valid[i]!.secret, valid[j]!.secret)) {
          for (const key of valid) key.secret.fill(0);
          throw new SessionError('ERR_KEY_DUPLICATE', 'usage', `keys "${valid[j]!.id}" and "${valid[i]!.id}" have the same secret; give each key its own (generateKey())`);
        }
      }
    }
    const ring = await Promise.all(
      valid.map(async ({ id, secret }) => {
        try {
          const base = await importSecret(secret);
          return new RingKey(id, base, await deriveSigningKey(base));
        } finally {
          secret.fill(0); // our private copy; the CryptoKey holds the only other one
        }
      }),
    );
    return new Keyring(ring);
  }

  /** The id of the primary key. */
  get primaryId(): string {
    return this.primary.id;
  }

  /** True when a key with this id is in the ring. */
  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /** The key with this id, or `undefined`. A lookup by id: there is no trial decryption. */
  get(id: string): RingKey | undefined {
    return this.#byId.get(id);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  // Not constant-time: both are the operator's own secrets, compared once at start-up.
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
