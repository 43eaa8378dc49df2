// Builds a server-side store on any record backend, for tests. Not a test file.
import { Keyring } from '../../src/keys/keyring.js';
import type { RecordBackend } from '../../src/session/record.js';
import { type ServerStoreOptions, ServerSideStore } from '../../src/session/server-store.js';
import type { SessionValues } from '../../src/session/session.js';

export class TestServerStore<T extends SessionValues> extends ServerSideStore<T> {
  constructor(backend: RecordBackend, options: ServerStoreOptions) {
    const resolved = ServerSideStore.resolve(options);
    super(backend, ServerSideStore.signer(options.keyring, resolved), resolved);
  }
}

/** A fixed test key, so that separate processes verify each other's cookies. */
export const TEST_KEY = { id: 'test-1', secret: 'dGVzdCBrZXkgb2YgdGhpcnR5LXR3byBieXRlcyEhISE' };

export function testKeyring(): Promise<Keyring> {
  return Keyring.create([TEST_KEY]);
}
