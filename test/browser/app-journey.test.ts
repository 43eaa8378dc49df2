// The reference app in a real browser: headless Chromium (the Debian package, driven by
// playwright-core) logs in through the form, cannot read the session from script, sees a flash
// once, is thrown out by a tampered cookie, logs out, and neither Back nor a replayed old cookie
// shows a signed-in page. Screenshots go to test-output/browser/ (git-ignored).
//
// Runs under `npm run test:browser` (CACHET_BROWSER=1); needs /usr/bin/chromium
// (scripts/install-chromium.sh). Elsewhere it is skipped with that reason.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { browserTestSkip, launchChromium } from '../helpers/chromium.js';
import { PASSWORD, startApp, type Harness } from '../helpers/app-harness.js';

const SHOTS = resolve(new URL('../..', import.meta.url).pathname, 'test-output', 'browser');
const COOKIE = '__Host-session';

const skip = browserTestSkip();

let app: Harness;
let context: BrowserContext | undefined;
let closeBrowser: (() => Promise<void>) | undefined;
let page: Page;
// http://127.0.0.1 is a potentially trustworthy origin, so Chromium keeps the Secure __Host- cookie
// over plain HTTP, as it does for http://localhost.
let origin = '';

before(async () => {
  if (skip !== false) return;
  mkdirSync(SHOTS, { recursive: true });
  ({ context, page, close: closeBrowser } = await launchChromium({ width: 390, height: 844 }));
});

after(async () => {
  await closeBrowser?.();
});

async function logInThroughTheForm(): Promise<void> {
  await page.goto(`${origin}/login`);
  await page.fill('#username', 'demo');
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(`${origin}/`), page.click('button[type=submit]')]);
}

/** Readable on a phone: nothing wider than the 390-pixel viewport. */
async function fitsThePhone(): Promise<void> {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= width, `${page.url()} is ${scroll}px wide on a ${width}px screen`);
}

async function sessionCookie(): Promise<string | undefined> {
  return (await context!.cookies(origin)).find((c) => c.name === COOKIE)?.value;
}

async function setSessionCookie(value: string): Promise<void> {
  await context!.addCookies([{ name: COOKIE, value, domain: '127.0.0.1', path: '/', secure: true, httpOnly: true, sameSite: 'Lax' }]);
}

test('the whole journey: log in, flash once, tamper, log out, Back and replay stay out, explain', { skip, timeout: 120_000 }, async () => {
  // The real clock: the browser judges cookie expiry by its own time.
  app = await startApp({ now: Date.now });
  origin = app.origin;
  // Log in through the form and see the welcome page.
  await logInThroughTheForm();
  assert.match(await page.textContent('h1') ?? '', /Welcome, demo/);
  assert.match(await page.textContent('body') ?? '', /Signed in as demo\./);
  assert.equal(await page.getAttribute('#visits', 'data-visits'), '1');
  await fitsThePhone();
  await page.screenshot({ path: join(SHOTS, '1-welcome.png'), fullPage: true });

  // HttpOnly: the session exists, but script cannot see it.
  assert.ok((await sessionCookie()) !== undefined);
  assert.doesNotMatch(await page.evaluate(() => document.cookie), new RegExp(COOKIE));

  // The flash shows once; the counter goes up.
  await page.reload();
  assert.doesNotMatch(await page.textContent('body') ?? '', /Signed in as demo\./);
  assert.equal(await page.getAttribute('#visits', 'data-visits'), '2');

  // Tamper with the sealed cookie: one character of the ciphertext changes.
  const genuine = (await sessionCookie())!;
  const parts = genuine.split('.');
  parts[5] = (parts[5]![0] === 'A' ? 'B' : 'A') + parts[5]!.slice(1);
  await setSessionCookie(parts.join('.'));
  await page.goto(`${origin}/`);
  assert.equal(page.url(), `${origin}/login`);
  await page.screenshot({ path: join(SHOTS, '2-tampered-back-at-login.png'), fullPage: true });

  // Log in again, keep a copy of the cookie, log out.
  await logInThroughTheForm();
  const beforeLogout = (await sessionCookie())!;
  await Promise.all([page.waitForURL(`${origin}/login`), page.click('form[action="/logout"] button')]);
  assert.match(await page.textContent('body') ?? '', /You have been logged out\./);
  await fitsThePhone();
  await page.screenshot({ path: join(SHOTS, '3-logged-out.png'), fullPage: true });

  // Back: the welcome page was no-store, so the browser asks again and is sent to /login.
  await page.goBack();
  await page.waitForLoadState();
  assert.doesNotMatch(await page.textContent('body') ?? '', /Welcome, demo/);

  // Replay the old cookie: revoked at logout, so no way back in.
  await setSessionCookie(beforeLogout);
  await page.goto(`${origin}/`);
  assert.equal(page.url(), `${origin}/login`);
  assert.doesNotMatch(await page.textContent('body') ?? '', /Welcome, demo/);

  // The explain page renders the visitor's own cookie, part by part.
  await logInThroughTheForm();
  await page.goto(`${origin}/explain`);
  assert.match(await page.textContent('h1') ?? '', /How is my cookie made\?/);
  assert.ok((await page.locator('.p-iv').count()) > 0);
  assert.equal(await page.locator('.verdict').first().textContent(), 'valid');
  // The countdown script ran: the CSP allowed it by its hash (a blocked script never marks the element).
  await page.waitForSelector('[data-left][data-ticking="1"]');
  await fitsThePhone();
  await page.screenshot({ path: join(SHOTS, '4-explain.png'), fullPage: true });
});
