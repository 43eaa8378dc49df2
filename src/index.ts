// The public API of cachet. This file re-exports and does nothing else.
export { SessionError } from './errors.js';
export type { ErrorKind, SessionErrorCode, DecodeErrorCode, UsageErrorCode, InternalErrorCode, SessionErrorOptions } from './errors.js';

// --- codec ---
export { encodeBase64url, decodeBase64url, utf8Encode, utf8Decode, concatBytes } from './bytes/index.js';
export { Keyring, RingKey, generateKey, EPOCH_SECONDS, MAX_CACHED_EPOCHS } from './keys/index.js';
export type { KeyInput } from './keys/index.js';
export { CookieCodec } from './codec/index.js';
export type { CodecMode, CookieCodecOptions, EncodeOptions, DecodedValue } from './codec/index.js';
