// The keys layer: validation, HKDF subkeys, the keyring. Knows nothing about cookies.
export { type KeyInput, KEY_ID_PATTERN, MIN_SECRET_BYTES } from './key.js';
export { EPOCH_SECONDS } from './derive.js';
export { Keyring, RingKey, MAX_CACHED_EPOCHS } from './keyring.js';
export { generateKey } from './generate.js';
