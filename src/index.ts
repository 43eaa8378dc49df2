// The public API of cachet. This file re-exports and does nothing else.
export { SessionError } from './errors.js';
export type { ErrorKind, SessionErrorCode, DecodeErrorCode, UsageErrorCode, InternalErrorCode, SessionErrorOptions } from './errors.js';

// --- codec ---
export { encodeBase64url, decodeBase64url } from './bytes/base64url.js';
export { utf8Encode, utf8Decode } from './bytes/utf8.js';
export { concatBytes } from './bytes/concat.js';
export { Keyring, RingKey, MAX_CACHED_EPOCHS } from './keys/keyring.js';
export type { KeyInput } from './keys/key.js';
export { generateKey } from './keys/generate.js';
export { EPOCH_SECONDS } from './keys/derive.js';
export { CookieCodec } from './codec/cookie-codec.js';
export type { CodecMode, CookieCodecOptions, EncodeOptions, DecodedValue } from './codec/codec-options.js';
export { inspectValue } from './codec/inspect.js';
export type { InspectedValue, InspectedPart, InspectedPartLabel } from './codec/inspect.js';

// --- router ---
export { Router } from './http/router/radix.js';
export { LinearRouter } from './http/router/linear.js';
export { ALL, STANDARD_METHODS } from './http/router/types.js';
export type { LookupResult, Params, RouterLike, RouterOptions } from './http/router/types.js';

// --- cookie ---
export { findCookie, parseCookies } from './cookie/parse.js';
export type { ParseCookiesOptions } from './cookie/parse.js';
export { prepareCookie, serializeCookie, serializeCookieDeletion, MAX_COOKIE_AGE } from './cookie/serialize.js';
export type { CookieOptions, CookieDeletionOptions, SameSite, CookiePriority } from './cookie/serialize.js';
export { isCookieName, isCookieValue } from './cookie/grammar.js';
export { cookieByteLength, fitsInCookie, utf8ByteLength, MAX_COOKIE_BYTES, MAX_ATTRIBUTE_BYTES } from './cookie/size.js';
export { splitCookieValue, joinCookieChunks, staleChunkNames, chunkCookieName } from './cookie/chunk.js';
export type { ChunkOptions } from './cookie/chunk.js';

// --- session ---
// What an app builder needs. The machinery the stores are built from (registry, shared-option
// arithmetic, verified cache, record types) is in ./store-kit.ts, the `cachet/store-kit` subpath.
export { Session } from './session/core/session.js';
export type { JsonValue, SessionValues } from './session/core/session-record.js';
export type { SessionContext, SessionCookieAttributes, Store } from './session/core/types.js';
export type { VerifiedCacheOptions } from './session/core/verified-cache.js';
export type { SessionCookieOptions, SessionStoreOptions, RevocationInfo } from './session/core/store-options.js';
export { CookieStore } from './session/cookie-store/cookie-store.js';
export type { CookieStoreOptions } from './session/cookie-store/cookie-store.js';
export { SessionTooLargeError } from './session/core/session-too-large-error.js';
export { csrf } from './http/csrf.js';
export type { CsrfOptions } from './http/csrf.js';

// --- http ---
export { createApp } from './http/app.js';
export type { App, AppOptions, Route } from './http/app.js';
export { Context } from './http/context.js';
export type { BeforeSendHook } from './http/context.js';
export { HttpError } from './http/http-error.js';
export type { HttpErrorOptions } from './http/http-error.js';
export { BODY_DEFAULTS } from './http/body.js';
export type { BodyOptions } from './http/body.js';
export { createServer, SERVER_DEFAULTS } from './http/server.js';
export type { ServerOptions } from './http/server.js';
export { shutdown } from './http/shutdown.js';
export type { ShutdownOptions } from './http/shutdown.js';
export type { ListenOptions, ClusterListenOptions } from './http/listen.js';
export type { Cluster } from './http/cluster.js';
export { securityHeaders, noStore } from './http/security-headers.js';
export type { SecurityHeadersOptions } from './http/security-headers.js';
export type { Middleware, Handler, Next, AccessLogEntry, AppLogger } from './http/types.js';

// --- stores ---
export { MemoryStore } from './session/server-store/memory/memory-store.js';
export type { MemoryStoreOptions } from './session/server-store/memory/memory-store.js';
export { FileStore } from './session/server-store/file/file-store.js';
export type { FileStoreOptions } from './session/server-store/file/file-store.js';
export { RedisStore } from './session/server-store/redis/redis-store.js';
export type { RedisStoreOptions } from './session/server-store/redis/redis-store.js';
export type { RedisClientLike } from './session/server-store/redis/redis-records.js';
export { ServerSideStore } from './session/server-store/server-store.js';
export type { ServerStoreOptions, SessionInfo } from './session/server-store/server-store-options.js';
