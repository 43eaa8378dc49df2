// Peer: iron-session's sealData / unsealData (iron-webcrypto underneath).
import { sealData, unsealData } from 'iron-session';
import { MAX_AGE, PASSWORD } from '../lib/fixture.ts';
import { textCodecOps, type CodecAdapter } from './adapter.ts';

const adapter: CodecAdapter = {
  name: 'iron-session sealData/unsealData',
  role: 'peer',
  async setup() {
    const opts = { password: PASSWORD, ttl: MAX_AGE };
    return textCodecOps(
      (data) => sealData(data as Record<string, unknown>, opts),
      (value) => unsealData(value, opts),
    );
  },
};
export default adapter;
