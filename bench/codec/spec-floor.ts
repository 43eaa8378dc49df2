// Baselines between the bare floor and cachet: what the issue's own format requires, with
// nothing else around it. Issue 2 puts the cookie name, version, mode, key id and both times
// into the AES-GCM associated data, and the payload is JSON. So any design that meets it makes
// at least these calls; the gap between this row and cachet's is the cost of cachet's own code
// (header, base64url, checks, key lookup), and the gap between the floor and this row is what
// the specification costs on this Node.
//   - "+ associated data": the floor with a 38-byte additionalData (cachet's header + name size)
//     on encrypt and decrypt.
//   - "+ associated data + JSON": also JSON.stringify + UTF-8 encode before, UTF-8 decode +
//     JSON.parse after: the least a JSON + AAD design does.
import { deepStrictEqual } from 'node:assert/strict';
import { KEY_BYTES, SESSION } from '../lib/fixture.ts';
import type { CodecAdapter } from './adapter.ts';

// The size of what cachet binds: "1s.bench.<iat>.<exp>" + the cookie name, framed.
const AAD = new TextEncoder().encode('1s.bench.1764115200.1765324800\u0000session');

function specFloor(json: boolean): CodecAdapter {
  return {
    name: json ? 'floor + associated data + JSON (the spec’s least)' : 'floor + associated data',
    role: 'baseline',
    async setup() {
      const key = await crypto.subtle.importKey('raw', KEY_BYTES, 'AES-GCM', false, ['encrypt', 'decrypt']);
      const enc = new TextEncoder();
      const dec = new TextDecoder();
      const fixedPlaintext = enc.encode(JSON.stringify(SESSION));
      const seal = async (data: unknown): Promise<{ iv: Uint8Array<ArrayBuffer>; ct: ArrayBuffer }> => {
        const iv = crypto.getRandomValues(new Uint8Array(12));
        const plaintext = json ? enc.encode(JSON.stringify(data)) : fixedPlaintext;
        return { iv, ct: await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: AAD }, key, plaintext) };
      };
      const open = async (s: { iv: Uint8Array<ArrayBuffer>; ct: ArrayBuffer }): Promise<unknown> => {
        const plaintext = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: s.iv, additionalData: AAD }, key, s.ct);
        return json ? JSON.parse(dec.decode(plaintext)) : plaintext;
      };
      const fixed = await seal(SESSION);
      if (json) deepStrictEqual(await open(fixed), SESSION);
      else deepStrictEqual(new Uint8Array((await open(fixed)) as ArrayBuffer), fixedPlaintext);
      return {
        roundTrip: async () => open(await seal(SESSION)),
        decode: () => open(fixed),
        sample: Buffer.concat([fixed.iv, new Uint8Array(fixed.ct)]).toString('base64url'),
      };
    },
  };
}

export const floorWithAad = specFloor(false);
export const floorWithAadAndJson = specFloor(true);
