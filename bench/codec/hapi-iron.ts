// Peer: @hapi/iron seal / unseal with its default settings (AES-256-CBC + HMAC-SHA256).
import * as Iron from '@hapi/iron';
import { PASSWORD } from '../lib/fixture.ts';
import { textCodecOps, type CodecAdapter } from './adapter.ts';

const adapter: CodecAdapter = {
  name: '@hapi/iron seal/unseal',
  role: 'peer',
  async setup() {
    return textCodecOps(
      (data) => Iron.seal(data, PASSWORD, Iron.defaults),
      (value) => Iron.unseal(value, PASSWORD, Iron.defaults),
    );
  },
};
export default adapter;
