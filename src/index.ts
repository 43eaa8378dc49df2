// The public API of cachet. This file re-exports and does nothing else.
export { SessionError } from './errors.js';
export type { ErrorKind, SessionErrorCode, DecodeErrorCode, UsageErrorCode, InternalErrorCode, SessionErrorOptions } from './errors.js';

// --- session ---
export { Session, randomId } from './session/session.js';
export type { JsonValue, SessionValues, SessionRecord, SessionInit } from './session/session.js';
export type { SessionContext, SessionCookieAttributes, BeforeSendHook, Store } from './session/types.js';
export { VerifiedCache } from './session/verified-cache.js';
export type { VerifiedCacheOptions } from './session/verified-cache.js';
export { SessionRegistry } from './session/registry.js';
export { resolveStoreOptions, timeoutReason, renewalDue, lifetime, revocationReason } from './session/store-options.js';
export type { SessionCookieOptions, SessionStoreOptions, ResolvedStoreOptions, RevocationInfo } from './session/store-options.js';

// --- codec ---
export { encodeBase64url, decodeBase64url, utf8Encode, utf8Decode, concatBytes } from './bytes/index.js';
export { Keyring, RingKey, generateKey, EPOCH_SECONDS, MAX_CACHED_EPOCHS } from './keys/index.js';
export type { KeyInput } from './keys/index.js';
export { CookieCodec } from './codec/index.js';
export type { CodecMode, CookieCodecOptions, EncodeOptions, DecodedValue } from './codec/index.js';

// --- stores ---
export { MemoryStore } from './session/memory-store.js';
export type { MemoryStoreOptions } from './session/memory-store.js';
export { FileStore } from './session/file-store.js';
export type { FileStoreOptions } from './session/file-store.js';
export { RedisStore } from './session/redis-store.js';
export type { RedisStoreOptions } from './session/redis-store.js';
export type { RedisClientLike } from './session/redis-records.js';
export { ServerSideStore } from './session/server-store.js';
export type { ServerStoreOptions, SessionInfo } from './session/server-store.js';
