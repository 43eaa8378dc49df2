// The cookie lab (/explain/lab) over HTTP: the visitor's cookie traced, flipped, renamed and
// pasted; the demo rotation; what it must never show or change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CookieCodec } from '../../src/codec/cookie-codec.js';
import { Keyring } from '../../src/keys/keyring.js';
import { rotateKeys } from '../../src/app/key-file.js';
import { addUser } from '../../src/app/user-file.js';
import { flipPart } from '../../src/app/lab.js';
import { inspectValue } from '../../src/codec/inspect.js';
import { csrfFrom, type TestBrowser } from '../helpers/browser-client.js';
import { PASSWORD, WEAK, startApp, type Harness } from '../helpers/app-harness.js';

const COOKIE = '__Host-session';

async function logIn(browser: TestBrowser, username = 'demo', password = PASSWORD): Promise<void> {
  const form = await browser.get('/login');
  const res = await browser.post('/login', { username, password, _csrf: csrfFrom(form.body) });
  assert.equal(res.status, 303);
}

/** The HTML of one section of the page, by id. */
function section(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}">`);
  assert.ok(start >= 0, `no section #${id}`);
  return html.slice(start, html.indexOf('</section>', start));
}

/** The steps a section shows: [number, 'pass' | 'fail' | 'skip'] each. */
function steps(html: string): [number, string][] {
  return [...html.matchAll(/<li class="step (ok|fail|skip)" data-step="(\d+)"/g)].map((m) => [Number(m[2]), m[1] === 'ok' ? 'pass' : m[1]!]);
}

/** The step a section's trace stopped at, or 0 when all passed. */
function failedStep(html: string): number {
  return steps(html).find(([, state]) => state === 'fail')?.[0] ?? 0;
}

async function loggedIn(h: Harness): Promise<TestBrowser> {
  const browser = h.browser();
  await logIn(browser);
  await browser.get('/'); // the home page's forms put a CSRF secret in the session
  return browser;
}

test('traces the visitor\'s own cookie through all nine steps, under the CSP, with no script', async () => {
  const h = await startApp();
  const browser = await loggedIn(h);
  const res = await browser.get('/explain/lab');
  assert.equal(res.status, 200);
  const own = section(res.body, 'own');
  assert.deepEqual(steps(own), [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => [n, 'pass']));
  // Each step marks the characters it read in the explain page's part colours.
  for (const kind of ['p-version', 'p-key', 'p-time', 'p-iv', 'p-payload', 'p-tag']) assert.ok(own.includes(`<mark class="${kind}">`), kind);
  assert.doesNotMatch(res.body, /<script/);
  assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  assert.equal(res.headers.get('cache-control'), 'no-store');
});

test('a flipped byte of the tag, the expiry, the ciphertext or the IV fails at step 8; of the version at 2; of the key id at 6', async () => {
  const h = await startApp();
  const browser = await loggedIn(h);
  const cases: [string, number, string][] = [
    ['tag', 8, 'ERR_COOKIE_TAMPERED'], ['expires-at', 8, 'ERR_COOKIE_TAMPERED'], ['issued-at', 8, 'ERR_COOKIE_TAMPERED'],
    ['ciphertext', 8, 'ERR_COOKIE_TAMPERED'], ['iv', 8, 'ERR_COOKIE_TAMPERED'],
    ['version/mode', 2, 'ERR_COOKIE_VERSION'], ['key id', 6, 'ERR_COOKIE_KEY_UNKNOWN'],
  ];
  for (const [part, step, code] of cases) {
    const res = await browser.get(`/explain/lab?flip=${encodeURIComponent(part)}`);
    assert.equal(res.status, 200, part);
    const result = section(res.body, 'result');
    assert.equal(failedStep(result), step, part);
    assert.match(result, new RegExp(`fail: ${code}`), part);
    // The steps after the failure are shown as not reached.
    assert.deepEqual(steps(result).filter(([, s]) => s === 'skip').map(([n]) => n), Array.from({ length: 9 - step }, (_, i) => step + 1 + i), part);
  }
  // The real cookie is untouched: the browser still holds a valid one.
  assert.equal(failedStep(section((await browser.get('/explain/lab')).body, 'own')), 0);
  assert.equal((await browser.get('/explain/lab?flip=nonsense')).status, 400);
});

test('the visitor\'s cookie checked under another cookie name fails at step 8, because the name is bound in', async () => {
  const h = await startApp();
  const browser = await loggedIn(h);
  const result = section((await browser.get('/explain/lab?as=other-cookie')).body, 'result');
  assert.equal(failedStep(result), 8);
  assert.match(result, /Cookie name <code>other-cookie<\/code>/);
});

test('checks a pasted value under the name given, and refuses a paste without the CSRF token', async () => {
  const h = await startApp();
  const browser = await loggedIn(h);
  const page = await browser.get('/explain/lab');
  const value = browser.jar.get(COOKIE)!;
  const ok = await browser.post('/explain/lab', { value, name: COOKIE, _csrf: csrfFrom(page.body) });
  assert.equal(ok.status, 200);
  assert.equal(failedStep(section(ok.body, 'result')), 0);
  assert.deepEqual(steps(section(ok.body, 'result')).length, 9);
  const renamed = await browser.post('/explain/lab', { value, name: 'session', _csrf: csrfFrom(page.body) });
  assert.equal(failedStep(section(renamed.body, 'result')), 8);
  const garbage = await browser.post('/explain/lab', { value: 'hello.world', name: COOKIE, _csrf: csrfFrom(page.body) });
  assert.equal(failedStep(section(garbage.body, 'result')), 2);
  assert.equal((await browser.post('/explain/lab', { value, name: COOKIE })).status, 403);
});

test('a pasted signed value is checked by the signed codec, a paste is trimmed, and a blank paste is refused', async () => {
  const h = await startApp();
  const browser = await loggedIn(h);
  const page = await browser.get('/explain/lab');
  const _csrf = csrfFrom(page.body);
  // Signed with the app's own keys, as a server-side store's session-id cookie is.
  const signed = await new CookieCodec({ keyring: h.built.store.keyring, mode: 'signed', maxAge: 3600, now: h.clock.now }).encode(COOKIE, { id: 'x' });
  const checked = await browser.post('/explain/lab', { value: signed, name: COOKIE, _csrf });
  assert.equal(checked.status, 200);
  assert.equal(failedStep(section(checked.body, 'result')), 0, 'a 1m. value passes every step of the signed codec');
  const value = browser.jar.get(COOKIE)!;
  const padded = await browser.post('/explain/lab', { value: `  ${value}\n`, name: COOKIE, _csrf });
  assert.equal(failedStep(section(padded.body, 'result')), 0, 'spaces around a paste are not part of the value');
  const blank = await browser.post('/explain/lab', { value: ' \n ', name: COOKIE, _csrf });
  assert.equal(blank.status, 400);
  assert.ok(!blank.body.includes('<section id="result">'));
});

test('rotating the demo key shows the same value as stale, then sealed again under demo-2, and leaves the app\'s keys alone', async () => {
  const h = await startApp();
  const browser = await loggedIn(h);
  const primaryBefore = h.built.store.keyring.primaryId;
  const first = await browser.get('/explain/lab');
  const demo = /name="demo" value="([^"]+)"/.exec(first.body)![1]!;
  assert.ok(demo.startsWith('1s.demo-1.'));
  assert.equal(failedStep(section(first.body, 'demo-before')), 0);
  const res = await browser.get(`/explain/lab?rotate=1&demo=${encodeURIComponent(demo)}`);
  const rotated = section(res.body, 'demo-rotated');
  assert.equal(failedStep(rotated), 0);
  assert.match(rotated, /as <strong>stale<\/strong>/);
  assert.match(rotated, /key &#34;demo-1&#34; is in the keyring \(not the primary: stale\)/);
  const resealed = section(res.body, 'demo-resealed');
  assert.match(resealed, /1s<\/mark><mark class="p-other">\.<\/mark><mark class="p-key">demo-2</);
  assert.doesNotMatch(resealed, /as <strong>stale/);
  assert.equal(failedStep(resealed), 0);
  // The app's keyring and the visitor's session are as they were.
  assert.equal(h.built.store.keyring.primaryId, primaryBefore);
  assert.deepEqual([...h.keys.map((k) => k.id)], [primaryBefore]);
  assert.equal(failedStep(section((await browser.get('/explain/lab')).body, 'own')), 0);
  // A demo value edited by the visitor is refused, and nothing is sealed from it.
  const edited = await browser.get(`/explain/lab?rotate=1&demo=${encodeURIComponent(flipPart(demo, 'ciphertext')!.value)}`);
  assert.equal(failedStep(section(edited.body, 'demo-rotated')), 8);
  assert.ok(!edited.body.includes('<section id="demo-resealed">'));
});

test('given another user\'s cookie, the lab shows no more than taking it apart without keys: none of the session\'s content', async () => {
  const h = await startApp();
  await addUser(h.dir, 'alice', PASSWORD, WEAK);
  const alice = h.browser();
  await logIn(alice, 'alice');
  await alice.get('/');
  const stolen = alice.jar.get(COOKIE)!;
  // What the cookie holds, read with the app's keys, as only the server can.
  const keyring = await Keyring.create(h.keys.map(({ id, secret }) => ({ id, secret })));
  const record = (await new CookieCodec({ keyring, mode: 'sealed', maxAge: 86_400, now: h.clock.now }).decode(COOKIE, stolen)).data as Record<string, unknown>;
  const secrets = [record['i'], record['s'], record['k'], JSON.stringify(record['v'])].map(String);
  assert.ok(secrets.includes('alice') && secrets.every((s) => s.length >= 5), JSON.stringify(secrets));

  const mallory = await loggedIn(h);
  const page = await mallory.get('/explain/lab');
  const res = await mallory.post('/explain/lab', { value: stolen, name: COOKIE, _csrf: csrfFrom(page.body) });
  const result = section(res.body, 'result');
  assert.equal(failedStep(result), 0);
  for (const secret of secrets) assert.ok(!res.body.includes(secret), `the lab shows ${secret}`);
  // Every number it shows, apart from sizes and counts, is one inspect finds without keys.
  const known = inspectValue(stolen);
  assert.match(result, new RegExp(`issued-at ${known.issuedAt! / 1000}, expires-at ${known.expiresAt! / 1000}`));
  assert.match(result, new RegExp(`${inspectValue(stolen).parts[5]!.bytes!.end - inspectValue(stolen).parts[5]!.bytes!.start} bytes of JSON`));
});

test('serves no lab when explain is off', async () => {
  const h = await startApp({ explain: false });
  const browser = h.browser();
  assert.equal((await browser.get('/explain/lab')).status, 404);
  assert.equal((await browser.request('POST', '/explain/lab', { form: { value: 'x' } })).status, 404);
});

test('flipPart changes one character of the part named, keeping times canonical', () => {
  const value = '1s.k1.1764115200.1764118809.AAECAwQFBgcICQoL.x3Qm.AAECAwQFBgcICQoLDA0ODw';
  assert.deepEqual(flipPart(value, 'expires-at'), { value: value.replace('1764118809', '1764118800'), at: 26, from: '9', to: '0' });
  assert.equal(flipPart(value, 'issued-at')!.value, value.replace('1764115200', '1764115201'));
  assert.equal(flipPart(value, 'version/mode')!.value, `2${value.slice(1)}`);
  assert.equal(flipPart(value, 'iv')!.value, value.replace('.AAECAwQFBgcICQoL.', '.BAECAwQFBgcICQoL.'));
  assert.equal(flipPart(value, 'ciphertext')!.value, value.replace('.x3Qm.', '.A3Qm.'));
  assert.equal(flipPart(value, 'mac'), undefined);
  for (const label of ['key id', 'tag']) {
    const flipped = flipPart(value, label)!;
    assert.equal([...flipped.value].filter((c, i) => c !== value[i]).length, 1, label);
  }
});

test('a flip boxes the changed character in every step that shows the value', async () => {
  const h = await startApp();
  const browser = await loggedIn(h);
  const result = section((await browser.get('/explain/lab?flip=tag')).body, 'result');
  // The character the flip wrote (a digit is stepped, a letter becomes A or B; flipPart's own test
  // pins that rule): this test is about where the page boxes it.
  const flipped = flipPart(browser.jar.get(COOKIE)!, 'tag')!.to;
  // Steps 1-8 each show the value once; the tag's first character is boxed in each of them.
  assert.equal([...result.matchAll(new RegExp(`<(mark|span) class="(p-tag|dim) changed">${flipped}</`, 'g'))].length, 8);
});

test('after a key reload with a new primary, the lab opens the visitor\'s cookie sealed under the new key', async () => {
  const h = await startApp();
  const browser = await loggedIn(h);
  const rotated = rotateKeys(h.keys);
  await h.built.setKeys(rotated);
  assert.equal((await browser.get('/')).status, 200); // re-issued under the new primary
  assert.ok(browser.jar.get(COOKIE)!.startsWith(`1s.${rotated[0]!.id}.`));
  const own = section((await browser.get('/explain/lab')).body, 'own');
  assert.equal(failedStep(own), 0, `the lab knows the key the store now seals with (failed at ${failedStep(own)})`);
  assert.match(own, /Accepted by the codec/);
});
