// Baseline: bare crypto.subtle AES-256-GCM with a cached key and a fresh 96-bit IV per
// encryption. No format, no JSON, no base64: the floor for any Web Crypto design.
import { deepStrictEqual } from 'node:assert/strict';
import { KEY_BYTES, SESSION } from '../lib/fixture.ts';
import type { CodecAdapter } from './adapter.ts';

const adapter: CodecAdapter = {
  name: 'bare crypto.subtle AES-GCM (floor)',
  role: 'baseline',
  async setup() {
    const key = await crypto.subtle.importKey('raw', KEY_BYTES, 'AES-GCM', false, ['encrypt', 'decrypt']);
    const plaintext = new TextEncoder().encode(JSON.stringify(SESSION));
    const seal = async (): Promise<{ iv: Uint8Array<ArrayBuffer>; ct: ArrayBuffer }> => {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      return { iv, ct: await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plaintext) };
    };
    const open = (s: { iv: Uint8Array<ArrayBuffer>; ct: ArrayBuffer }): Promise<ArrayBuffer> =>
      crypto.subtle.decrypt({ name: 'AES-GCM', iv: s.iv }, key, s.ct);
    const fixed = await seal();
    deepStrictEqual(new Uint8Array(await open(fixed)), plaintext);
    return {
      roundTrip: async () => open(await seal()),
      decode: () => open(fixed),
      sample: Buffer.concat([fixed.iv, new Uint8Array(fixed.ct)]).toString('base64url'),
    };
  },
};
export default adapter;
