// cachet: CookieCodec from the built package, sealed (AES-256-GCM) and signed (HMAC-SHA256).
import { loadCachet } from '../lib/cachet.ts';
import { COOKIE_NAME, MAX_AGE, SECRET_B64URL } from '../lib/fixture.ts';
import { textCodecOps, type CodecAdapter } from './adapter.ts';

function cachetCodec(mode: 'sealed' | 'signed'): CodecAdapter {
  return {
    name: `cachet CookieCodec ${mode}`,
    role: 'cachet',
    async setup() {
      const { Keyring, CookieCodec } = await loadCachet();
      const keyring = await Keyring.create([{ id: 'bench', secret: SECRET_B64URL }]);
      const codec = new CookieCodec({ keyring, mode, maxAge: MAX_AGE });
      const encode = (data: unknown): Promise<string> => codec.encode(COOKIE_NAME, data);
      const decode = async (value: string): Promise<unknown> => (await codec.decode(COOKIE_NAME, value)).data;
      return textCodecOps(encode, decode);
    },
  };
}

export const cachetSealed = cachetCodec('sealed');
export const cachetSigned = cachetCodec('signed');
