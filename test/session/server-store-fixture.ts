// Builds a server-side store on any record backend, for tests. Not a test file.
import { Keyring } from '../../src/keys/keyring.js';
import type { RecordBackend } from '../../src/session/server-store/stored-record.js';
import { ServerSideStore } from '../../src/session/server-store/server-store.js';
import { type ServerStoreOptions, resolveServerStoreOptions } from '../../src/session/server-store/server-store-options.js';
import type { SessionValues } from '../../src/session/core/session-record.js';
import type { SessionContext } from '../../src/session/core/types.js';

export class TestServerStore<T extends SessionValues> extends ServerSideStore<T> {
  constructor(backend: RecordBackend, options: ServerStoreOptions) {
    super(backend, options, resolveServerStoreOptions(options, 'TestServerStore', {}));
  }
}

/** A fixed test key, so that separate processes verify each other's cookies. */
export const TEST_KEY = { id: 'test-1', secret: 'dGVzdCBrZXkgb2YgdGhpcnR5LXR3byBieXRlcyEhISE' };

export function testKeyring(): Promise<Keyring> {
  return Keyring.create([TEST_KEY]);
}

/** A request with the given cookies that records what the store stages. */
export function fake(cookies: Record<string, string> = {}, extra: Partial<Pick<SessionContext, 'headers' | 'ip'>> = {}) {
  const hooks: (() => void | Promise<void>)[] = [];
  const set = new Map<string, string>();
  const ctx: SessionContext = {
    cookies,
    ...extra,
    setCookie: (name, value) => { set.set(name, value); },
    deleteCookie: (name) => { set.set(name, ''); },
    onBeforeSend: (hook) => { hooks.push(hook); },
  };
  return { ctx, set, send: async () => { for (const h of hooks) await h(); } };
}
