// The store every framework row uses: CookieStore with its defaults (sealed AES-256-GCM,
// `__Host-session`, verified-value cache on), the same as servers/sessions/cachet.ts, so the
// framework rows and the createApp row of the sessions table do the same session work.
import { loadCachet } from '../../lib/cachet.ts';
import { SECRET_B64URL, type SessionData } from '../../lib/fixture.ts';

export interface BenchSession {
  values: Partial<SessionData>;
}

const cachet = await loadCachet();
const keyring = await cachet['Keyring'].create([{ id: 'bench', secret: SECRET_B64URL }]);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const store: any = new cachet['CookieStore']({ keyring });
