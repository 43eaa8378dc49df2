// `cachet/core`: the Web-platform core, for runtimes that are not Node (Deno, Bun, Cloudflare's
// workerd, a browser): keys, the cookie codec, the cookie grammar, sessions, `CookieStore` and
// `MemoryStore`. Nothing here imports a `node:` module, directly or through another file
// (scripts/check-layers.mjs checks it), so a Worker needs no `nodejs_compat` flag to load it; the
// `cachet` entry point also holds the Node server and the Node-only stores, and loads `node:http`.
// Pair it with `cachet/fetch`. This file re-exports and does nothing else; docs/api.md lists the
// surface and test/exports.test.ts pins it. Every name here is also exported by `cachet`.
export { SessionError } from './errors.js';
export type { ErrorKind, SessionErrorCode, DecodeErrorCode, UsageErrorCode, InternalErrorCode, SessionErrorOptions } from './errors.js';

export { encodeBase64url, decodeBase64url } from './bytes/base64url.js';
export { utf8Encode, utf8Decode } from './bytes/utf8.js';
export { Keyring, RingKey } from './keys/keyring.js';
export type { KeyInput } from './keys/key.js';
export { generateKey } from './keys/generate.js';
export { CookieCodec } from './codec/cookie-codec.js';
export type { CodecMode, CookieCodecOptions, EncodeOptions, DecodedValue } from './codec/codec-options.js';
export { inspectValue } from './codec/inspect.js';
export type { InspectedValue, InspectedPart, InspectedPartLabel } from './codec/inspect.js';

export { findCookie, parseCookies } from './cookie/parse.js';
export type { ParseCookiesOptions } from './cookie/parse.js';
export { prepareCookie, serializeCookie, serializeCookieDeletion } from './cookie/serialize.js';
export type { CookieOptions, CookieDeletionOptions, SameSite, CookiePriority } from './cookie/serialize.js';

export { Session } from './session/core/session.js';
export type { JsonValue, SessionValues } from './session/core/session-record.js';
export type { SessionContext, SessionCookieAttributes, Store } from './session/core/types.js';
export type { SessionCookieOptions, SessionStoreOptions, RevocationInfo } from './session/core/store-options.js';
export { CookieStore } from './session/cookie-store/cookie-store.js';
export type { CookieStoreOptions } from './session/cookie-store/cookie-store.js';
export { SessionTooLargeError } from './session/core/session-too-large-error.js';
export { MemoryStore } from './session/server-store/memory/memory-store.js';
export type { MemoryStoreOptions } from './session/server-store/memory/memory-store.js';
export { ServerSideStore } from './session/server-store/server-store.js';
export type { ServerStoreOptions, SessionInfo } from './session/server-store/server-store-options.js';
