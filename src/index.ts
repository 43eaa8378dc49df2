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
export type { CodecMode, CookieCodecOptions, EncodeOptions, DecodedValue } from './codec/cookie-codec.js';
