// Peer: jose compact JWE, alg "dir", enc "A256GCM", with a cached CryptoKey.
import { CompactEncrypt, compactDecrypt } from 'jose';
import { KEY_BYTES } from '../lib/fixture.ts';
import { textCodecOps, type CodecAdapter } from './adapter.ts';

const adapter: CodecAdapter = {
  name: 'jose compact JWE dir/A256GCM',
  role: 'peer',
  async setup() {
    const key = await crypto.subtle.importKey('raw', KEY_BYTES, 'AES-GCM', false, ['encrypt', 'decrypt']);
    const enc = new TextEncoder();
    const dec = new TextDecoder();
    const encode = (data: unknown): Promise<string> =>
      new CompactEncrypt(enc.encode(JSON.stringify(data))).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(key);
    const decode = async (jwe: string): Promise<unknown> => JSON.parse(dec.decode((await compactDecrypt(jwe, key)).plaintext));
    return textCodecOps(encode, decode);
  },
};
export default adapter;
