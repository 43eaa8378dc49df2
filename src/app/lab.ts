/**
 * `/explain/lab`: the decode of a cookie value shown step by step (codec/trace.ts), on the
 * visitor's own cookie, on that cookie with one character flipped or under another name, on any
 * pasted value, and on a demo value through a key rotation. Off in production with `/explain`.
 *
 * What it may show: only what the visitor sent, checked with the app's keys, and never the
 * payload of a sealed value (not even the visitor's own: `/explain` shows that, redacted). A
 * trace of someone else's cookie thus tells no more than taking it apart without keys does,
 * plus whether it would be accepted, which sending it as a cookie tells anyway. Nothing is ever
 * sealed or signed with the app's keys here; the rotation uses the lab's own throwaway keyring.
 * @module
 */
import { CookieCodec } from '../codec/cookie-codec.js';
import { inspectValue, type InspectedPartLabel } from '../codec/inspect.js';
import { traceDecode } from '../codec/trace.js';
import type { Context } from '../http/context.js';
import { Keyring } from '../keys/keyring.js';
import type { AppStore } from './app-store.js';
import { renderLab, type LabRun } from './lab-page.js';

/** Options for {@link createLab}. */
export interface LabOptions {
  keyring: Keyring;
  store: AppStore;
  now: () => number;
  /** The store's absolute timeout, seconds: the lab judges expiry as the store does. */
  absoluteTimeout: number;
}

/** The lab's handlers. */
export interface Lab {
  /** GET: the visitor's cookie, a flip (`?flip=tag`), another name (`?as=NAME`), the demo (`?rotate=1&demo=VALUE`). */
  show(ctx: Context): Promise<void>;
  /** POST (behind csrf()): a pasted `value` under `name`. */
  check(ctx: Context): Promise<void>;
  setKeyring(keyring: Keyring): void;
}

const SESSION = 'session';
const DEMO_NAME = 'lab-demo';
const DEMO_DATA = { demo: true, note: 'sealed with the lab\'s throwaway key' };
// Longer pastes are no cookie a browser keeps; the codec refuses them at step 1 anyway.
const MAX_PASTE = 8192;
const MAX_NAME = 256;

/**
 * `value` with one character of the part `label` changed: the first character of a base64url
 * part (all six of its bits are data, so the text stays canonical and the change reaches the
 * crypto), the last digit of a time (the value stays canonical and, for the expiry, unexpired),
 * the version's digit, or the key id's first character. Undefined when the part is not there.
 *
 * @example
 * ```ts
 * flipPart('1s.k1.1764115200.1764118800.AAAA…', 'expires-at'); // '1s.k1.1764115200.1764118801.AAAA…'
 * ```
 */
export function flipPart(value: string, label: string): { value: string; at: number; from: string; to: string } | undefined {
  const part = inspectValue(value).parts.find((p) => p.label === label);
  if (part === undefined || part.text.length === 0) return undefined;
  const at = part.label === 'issued-at' || part.label === 'expires-at' ? part.end - 1 : part.start;
  const from = value[at]!;
  let to: string;
  if (/[0-9]/.test(from)) to = String((Number(from) + 1) % 10);
  else to = from === 'A' ? 'B' : 'A';
  return { value: value.slice(0, at) + to + value.slice(at + 1), at, from, to };
}

/** The part labels a flip button is offered for, in the value's order. */
function flippable(value: string): InspectedPartLabel[] {
  return inspectValue(value).parts.filter((p) => p.label !== 'extra' && p.text.length > 0).map((p) => p.label);
}

/**
 * The lab, with codecs of its own on the app's keyring (it must not disturb the store's), and a
 * demo keyring of two random keys made here and kept in memory only.
 *
 * @example
 * ```ts
 * const lab = await createLab({ keyring, store, now: Date.now, absoluteTimeout: 86400 });
 * app.get('/explain/lab', forms, lab.show);
 * app.post('/explain/lab', forms, lab.check);
 * ```
 */
export async function createLab(options: LabOptions): Promise<Lab> {
  const { store, now, absoluteTimeout } = options;
  const codecs = (keyring: Keyring) => ({
    sealed: new CookieCodec({ keyring, mode: 'sealed', maxAge: absoluteTimeout, now }),
    // The explain page's signed example is signed for an hour with the app's keys; a server-side
    // store's session-id cookie, for up to the absolute timeout.
    signed: new CookieCodec({ keyring, mode: 'signed', maxAge: Math.max(3600, absoluteTimeout), now }),
  });
  let app = codecs(options.keyring);
  // The demo keyring before and after "Rotate the demo key": fixed at startup, so no request
  // changes any key; the secrets live only in this closure.
  const [one, two] = [crypto.getRandomValues(new Uint8Array(32)), crypto.getRandomValues(new Uint8Array(32))];
  const demoBefore = new CookieCodec({ keyring: await Keyring.create([{ id: 'demo-1', secret: one }]), mode: 'sealed', maxAge: 3600, now });
  const demoAfter = new CookieCodec({ keyring: await Keyring.create([{ id: 'demo-2', secret: two }, { id: 'demo-1', secret: one }]), mode: 'sealed', maxAge: 3600, now });
  return { show, check, setKeyring: (keyring) => void (app = codecs(keyring)) };

  async function runOf(codec: CookieCodec, title: string, name: string, value: string, note?: string): Promise<LabRun> {
    const trace = await traceDecode(codec, name, value, { now });
    return { title, value, trace, ...(note === undefined ? {} : { note }) };
  }

  function traced(title: string, name: string, value: string, note?: string): Promise<LabRun> {
    // A value is checked in the mode its tag claims; anything else goes to the sealed codec,
    // the app's own, whose step 2 then says what is wrong with the tag.
    return runOf(value.startsWith('1m.') ? app.signed : app.sealed, title, name, value, note);
  }

  async function page(ctx: Context, extra: { result?: LabRun; pasted?: { value: string; name: string } }, status = 200): Promise<void> {
    const session = await store.get(ctx, SESSION);
    const cookieName = store.cookieName(SESSION);
    const raw = ctx.cookies[cookieName];
    const own = raw === undefined ? undefined : await traced('Your cookie', cookieName, raw);
    ctx.html(
      renderLab({
        user: session.subject,
        csrfToken: String(ctx.state['csrfToken'] ?? ''),
        cookieName,
        own,
        flippable: raw === undefined ? [] : flippable(raw),
        demo: await demo(ctx),
        ...extra,
      }),
      status,
    );
  }

  async function show(ctx: Context): Promise<void> {
    const cookieName = store.cookieName(SESSION);
    const raw = ctx.cookies[cookieName];
    const flip = ctx.query.get('flip');
    const as = ctx.query.get('as');
    if (raw !== undefined && flip !== null) {
      const flipped = flipPart(raw, flip);
      if (flipped === undefined) return page(ctx, {}, 400);
      const note = `Character ${flipped.at} (in the ${flip}) changed from "${flipped.from}" to "${flipped.to}".`;
      const result = await traced(`Your cookie with one character of the ${flip} changed`, cookieName, flipped.value, note);
      return page(ctx, { result: { ...result, changed: flipped.at } });
    }
    if (raw !== undefined && as !== null && as !== '') {
      const name = as.slice(0, MAX_NAME);
      return page(ctx, { result: await traced(`Your cookie, checked as a cookie named "${name}"`, name, raw, 'The value is unchanged; only the name the server expects differs.') });
    }
    return page(ctx, {});
  }

  async function check(ctx: Context): Promise<void> {
    const form = await ctx.readForm();
    const value = (form.get('value') ?? '').trim().slice(0, MAX_PASTE);
    const name = (form.get('name') ?? '').trim().slice(0, MAX_NAME) || store.cookieName(SESSION);
    if (value === '') return page(ctx, { pasted: { value, name } }, 400);
    return page(ctx, { result: await traced('The value you sent', name, value), pasted: { value, name } });
  }

  async function demo(ctx: Context): Promise<{ before: LabRun; rotated?: LabRun; resealed?: LabRun }> {
    const given = ctx.query.get('demo');
    if (ctx.query.get('rotate') !== '1' || given === null) {
      const value = await demoBefore.encode(DEMO_NAME, DEMO_DATA);
      return { before: await runOf(demoBefore, 'The demo value, sealed under demo-1', DEMO_NAME, value, 'The demo keyring holds one key, demo-1, its primary.') };
    }
    const value = given.slice(0, MAX_PASTE);
    const before = await runOf(demoBefore, 'Before the rotation', DEMO_NAME, value, 'The demo keyring: demo-1 (primary).');
    const rotated = await runOf(demoAfter, 'After the rotation: the same value', DEMO_NAME, value, 'The demo keyring: demo-2 (primary), demo-1. Step 6 finds demo-1, no longer the primary.');
    if (!rotated.trace.outcome.ok) return { before, rotated };
    // Only data that opened under the demo keyring is sealed again, and only under it.
    const resealed = await demoAfter.encode(DEMO_NAME, rotated.trace.outcome.decoded.data);
    return { before, rotated, resealed: await runOf(demoAfter, 'Sealed again under the new primary, demo-2', DEMO_NAME, resealed, 'What the app does with a stale session cookie on its next response.') };
  }
}
