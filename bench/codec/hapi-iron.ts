// Peer: @hapi/iron seal / unseal with its default settings (AES-256-CBC + HMAC-SHA256).
import { deepStrictEqual } from 'node:assert/strict';
import * as Iron from '@hapi/iron';
import { PASSWORD, SESSION } from '../lib/fixture.ts';
import type { CodecAdapter } from './adapter.ts';

const adapter: CodecAdapter = {
  name: '@hapi/iron seal/unseal',
  role: 'peer',
  async setup() {
    const fixed = await Iron.seal(SESSION, PASSWORD, Iron.defaults);
    deepStrictEqual(await Iron.unseal(fixed, PASSWORD, Iron.defaults), SESSION);
    return {
      roundTrip: async () => Iron.unseal(await Iron.seal(SESSION, PASSWORD, Iron.defaults), PASSWORD, Iron.defaults),
      decode: () => Iron.unseal(fixed, PASSWORD, Iron.defaults),
      sample: fixed,
    };
  },
};
export default adapter;
