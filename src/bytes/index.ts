// The bytes layer: base64url, UTF-8 and concatenation. Knows nothing about keys or cookies.
export { encodeBase64url, decodeBase64url, decodeBase64urlInto, base64urlDecodedLength } from './base64url.js';
export { utf8Encode, utf8Decode } from './utf8.js';
export { concatBytes } from './concat.js';
