// Builds server-side stores for tests on any backend. Not a test file.
import { SessionError } from '../../src/errors.js';
import { ServerSideStore } from '../../src/session/server-store.js';
import type { IdCodec } from '../../src/session/server-store.js';
import type { RecordBackend } from '../../src/session/record.js';
import type { SessionStoreOptions } from '../../src/session/store-options.js';
import type { SessionValues } from '../../src/session/session.js';

export class TestServerStore<T extends SessionValues> extends ServerSideStore<T> {
  constructor(backend: RecordBackend, codec: IdCodec, options: SessionStoreOptions) {
    super(backend, codec, ServerSideStore.resolve(options));
  }
}

/**
 * Stand-in for the codec's signed mode until it lands on this branch: HMAC-SHA256 over
 * name|id, with the same failure contract (a decode-kind SessionError).
 */
export async function hmacIdCodec(secret = 'test secret of at least thirty-two bytes!'): Promise<IdCodec> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  const b64 = (bytes: ArrayBuffer): string => Buffer.from(bytes).toString('base64url');
  return {
    async encode(name, id) {
      return `${id}.${b64(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${name}|${id}`)))}`;
    },
    async decode(name, value) {
      const dot = value.lastIndexOf('.');
      const id = value.slice(0, dot);
      const tag = Buffer.from(value.slice(dot + 1), 'base64url');
      const ok = dot > 0 && (await crypto.subtle.verify('HMAC', key, tag, new TextEncoder().encode(`${name}|${id}`)));
      if (!ok) throw new SessionError('ERR_COOKIE_TAMPERED', 'decode', 'The cookie is not valid.');
      return { data: id, stale: false };
    },
  };
}
