// Peer: iron-session's sealData / unsealData (iron-webcrypto underneath).
import { deepStrictEqual } from 'node:assert/strict';
import { sealData, unsealData } from 'iron-session';
import { MAX_AGE, PASSWORD, SESSION } from '../lib/fixture.ts';
import type { CodecAdapter } from './adapter.ts';

const adapter: CodecAdapter = {
  name: 'iron-session sealData/unsealData',
  role: 'peer',
  async setup() {
    const opts = { password: PASSWORD, ttl: MAX_AGE };
    const fixed = await sealData(SESSION, opts);
    deepStrictEqual(await unsealData(fixed, opts), SESSION);
    return {
      roundTrip: async () => unsealData(await sealData(SESSION, opts), opts),
      decode: () => unsealData(fixed, opts),
      sample: fixed,
    };
  },
};
export default adapter;
