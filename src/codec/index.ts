// The codec layer: the v1 wire format, sealed and signed. Knows nothing about cookie headers or sessions.
export { CookieCodec, type CodecMode, type CookieCodecOptions, type EncodeOptions, type DecodedValue } from './cookie-codec.js';
