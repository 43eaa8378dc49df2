/**
 * `GET /explain`: the visitor's own session cookie taken apart, verified, and decoded, next to a
 * signed-mode example, the way a JWT debugger shows a token. On by default for learning; off in
 * production (`NODE_ENV=production` or `--no-explain`), since it shows a session's payload.
 * @module
 */
import { SessionError } from '../errors.js';
import { CookieCodec } from '../codec/cookie-codec.js';
import { inspectValue } from '../codec/inspect.js';
import type { Context } from '../http/context.js';
import type { Keyring } from '../keys/keyring.js';
import type { AppStore } from './app-store.js';
import { renderExplain, type ExplainedValue } from './explain-page.js';
import { describeValue, VERDICTS } from './value-parts.js';

const STORE_REFUSED =
  'Authentic and unexpired as a value, but refused as a session: it was logged out (its id or its user revoked), or its idle or absolute timeout has passed. The server log says which (session cookie rejected: CODE). This response does not delete the cookie: deleting it could delete a newer cookie the browser got meanwhile (a login in another tab), so it stays, refused on every request, until a new session replaces it or it expires.';

/** Options for {@link createExplainer}. */
export interface ExplainerOptions {
  keyring: Keyring;
  store: AppStore;
  now: () => number;
  /** The store's absolute timeout (the longest a session value lives), seconds. */
  absoluteTimeout: number;
  /** The inspect command the page suggests, as it exists where the server runs. Default `npm run inspect -- VALUE`. */
  inspectCommand?: string;
  /**
   * The session cookie is a server-side store's signed session id (its data lives in the store),
   * not a sealed session. Default false.
   */
  idCookie?: boolean;
  /**
   * With an id cookie: the name of the sealed cookie an anonymous visitor's session comes in
   * (`__Host-visitor`, tiered-store.ts), explained when there is no id cookie.
   */
  visitorCookie?: string;
}

const VISITOR_TITLE = "Your visitor cookie (sealed: nobody is signed in; it holds the login form's CSRF secret)";

/**
 * Said above a record shown by {@link readableRecord}: what is decrypted has one-letter keys, and a
 * reader who decodes the cookie independently must be able to match them to the names shown.
 */
const RECORD_NOTE =
  'Shown with its keys spelled out: the JSON in the cookie uses one-letter keys, i (id), c (createdAt, ms since the epoch), s (subject), v (values), f (flashes) and k (the CSRF secret, redacted here). See docs/sessions.md, "What a session cookie holds".';

/** The record keys CookieStore writes, spelled out for readers. */
function readableRecord(data: unknown): string {
  if (typeof data !== 'object' || data === null) return JSON.stringify(data, null, 2);
  const r = data as Record<string, unknown>;
  const shown: Record<string, unknown> = {
    id: r['i'],
    createdAt: typeof r['c'] === 'number' ? new Date(r['c']).toISOString() : r['c'],
    subject: r['s'],
    values: r['v'],
    flashes: r['f'],
    // The CSRF secret is what makes a forged form fail; it stays out of any page.
    csrfSecret: r['k'] === undefined ? undefined : '(redacted)',
  };
  return JSON.stringify(shown, null, 2);
}

/** A server-side store's cookie holds the session id only; say where the rest is. */
function readableId(data: unknown): string {
  return JSON.stringify({ sessionId: data, values: '(kept on the server, in the session store, under this id: the cookie carries nothing else)' }, null, 2);
}

async function explainValue(
  codec: CookieCodec,
  title: string,
  name: string,
  value: string,
  nowMs: number,
  primaryId: string,
  show: (data: unknown) => string,
): Promise<ExplainedValue> {
  const layout = describeValue(value);
  const explained: ExplainedValue = {
    title,
    name,
    value,
    parts: layout.parts,
    verdict: 'malformed',
    verdictDetail: layout.problem ?? '',
    keyId: layout.keyId,
    primary: layout.keyId === undefined ? undefined : layout.keyId === primaryId,
  };
  if (layout.boundText !== undefined) explained.boundText = layout.boundText.replace('<cookie name>', name);
  if (layout.issuedAt !== undefined) explained.issuedAt = new Date(layout.issuedAt * 1000).toISOString();
  if (layout.expiresAt !== undefined) {
    explained.expiresAt = new Date(layout.expiresAt * 1000).toISOString();
    explained.secondsLeft = Math.max(0, Math.floor(layout.expiresAt - nowMs / 1000));
  }
  // Not even shaped like a cachet value: say that, rather than the codec's uniform "tampered".
  // A tag of another version or mode ("2s") is the codec's to judge: ERR_COOKIE_VERSION.
  if (layout.mode === 'unknown' && inspectValue(value).version === null) return explained;
  try {
    const decoded = await codec.decode(name, value);
    explained.verdict = decoded.stale ? 'stale' : 'valid';
    explained.verdictDetail = decoded.stale
      ? 'Authentic and unexpired, but made with a key that is no longer the primary: it is re-issued under the primary on the next response.'
      : 'Authentic, unexpired, made with the primary key.';
    explained.payload = show(decoded.data);
    if (show === readableRecord) explained.payloadNote = RECORD_NOTE;
  } catch (err) {
    if (!SessionError.isDecode(err)) throw err;
    const [verdict, detail] = VERDICTS[err.code] ?? ['rejected', err.code];
    explained.verdict = verdict;
    explained.verdictDetail = detail;
  }
  return explained;
}

/**
 * The explain page handler, with its own codecs (it must not disturb the store's).
 *
 * @example
 * ```ts
 * const explainer = createExplainer({ keyring, store, now: Date.now, absoluteTimeout: 86400 });
 * app.get('/explain', (ctx) => explainer.handle(ctx));
 * ```
 */
export function createExplainer(options: ExplainerOptions): { handle(ctx: Context): Promise<void>; setKeyring(keyring: Keyring): void } {
  const { store, now } = options;
  let keyring = options.keyring;
  // The visitor's cookie is opened the way the store made it: sealed, or a signed session id.
  const ownCodec = (ring: Keyring) => new CookieCodec({ keyring: ring, mode: options.idCookie === true ? 'signed' : 'sealed', maxAge: options.absoluteTimeout, now });
  const [ownTitle, showOwn] = options.idCookie === true ? ['Your session cookie (a signed session id)', readableId] : ['Your session cookie (sealed)', readableRecord];
  const sealedCodec = (ring: Keyring) => new CookieCodec({ keyring: ring, mode: 'sealed', maxAge: options.absoluteTimeout, now });
  let own = ownCodec(keyring);
  let visitor = sealedCodec(keyring);
  let signed = new CookieCodec({ keyring, mode: 'signed', maxAge: 3600, now });
  return {
    setKeyring(next) {
      keyring = next;
      own = ownCodec(keyring);
      visitor = sealedCodec(keyring);
      signed = new CookieCodec({ keyring, mode: 'signed', maxAge: 3600, now });
    },
    async handle(ctx) {
      const name = store.cookieName('session');
      const raw = ctx.cookies[name];
      const session = await store.get(ctx, 'session');
      const nowMs = now();
      let yours = raw === undefined ? undefined : await explainValue(own, ownTitle, name, raw, nowMs, keyring.primaryId, showOwn);
      const visitorName = options.visitorCookie;
      const visitorRaw = visitorName === undefined ? undefined : ctx.cookies[visitorName];
      if (yours === undefined && visitorName !== undefined && visitorRaw !== undefined) {
        yours = await explainValue(visitor, VISITOR_TITLE, visitorName, visitorRaw, nowMs, keyring.primaryId, readableRecord);
      }
      // The codec vouches for the bytes only. A session the store refused (logged out, or past its
      // idle or absolute timeout) was shown as "valid" beside the deletion of its cookie (or, for
      // an id whose record is gone, beside a cookie the store leaves in place).
      // With Redis, an id whose record is gone falls back to the visitor's session (another name),
      // which is not new once the visitor has one: the id cookie is refused all the same.
      const refused = session.isNew || (raw !== undefined && session.name !== 'session');
      if (yours !== undefined && (yours.verdict === 'valid' || yours.verdict === 'stale') && refused) {
        yours.verdict = 'refused';
        yours.verdictDetail = STORE_REFUSED;
      }
      const exampleValue = await signed.encode('example', { user: 'demo', visits: 3 });
      const example = await explainValue(signed, 'A signed-mode example', 'example', exampleValue, nowMs, keyring.primaryId, (data) =>
        JSON.stringify(data, null, 2),
      );
      ctx.html(renderExplain({ user: session.subject, session: yours, signedExample: example, ...(options.inspectCommand === undefined ? {} : { inspectCommand: options.inspectCommand }) }));
    },
  };
}
