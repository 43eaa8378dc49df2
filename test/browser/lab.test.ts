// The cookie lab in a real browser: headless Chromium pastes a tampered value and sees step 8
// in red, flips a byte of the expiry with the lab's button and sees the same, rotates the demo
// key, and all of it under the app's CSP with no script at all. The screenshots it takes of the
// lab are the ones docs/how-signed-cookies-work.md shows: with CACHET_DOC_SHOTS=1 they are
// written to docs/images/lab-*.png (commit them); otherwise to test-output/browser/ (git-ignored),
// so that an ordinary run leaves the tracked images alone (each run's keys and times differ).
//
// Runs under `npm run test:browser` (CACHET_BROWSER=1); needs /usr/bin/chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { browserTestSkip, launchChromium } from '../helpers/chromium.js';
import { PASSWORD, startApp } from '../helpers/app-harness.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const IMAGES = process.env['CACHET_DOC_SHOTS'] === '1' ? resolve(ROOT, 'docs', 'images') : resolve(ROOT, 'test-output', 'browser');
const COOKIE = '__Host-session';
// The --bad and --ok colours of the light scheme (src/app/html.ts), as computed styles.
const RED = 'rgb(179, 38, 30)';
const GREEN = 'rgb(30, 122, 60)';

const skip = browserTestSkip();

let context: BrowserContext | undefined;
let closeBrowser: (() => Promise<void>) | undefined;
let page: Page;

before(async () => {
  if (skip !== false) return;
  mkdirSync(IMAGES, { recursive: true });
  ({ context, page, close: closeBrowser } = await launchChromium({ width: 760, height: 900 }));
});

after(async () => {
  await closeBrowser?.();
});

/** The state of each step a section shows, by number: 'ok', 'fail' or 'skip'. */
async function stepStates(section: string): Promise<string[]> {
  return page.locator(`${section} li.step`).evaluateAll((items) => items.map((li) => li.classList[1] ?? ''));
}

/** The colour the failed step of a section is drawn in (its left border). */
async function failedStepColour(section: string): Promise<string> {
  return page.locator(`${section} li.step.fail`).evaluate((li) => getComputedStyle(li).borderLeftColor);
}

test('the lab in Chromium: a pasted tampered value and a flipped expiry fail in red at step 8, under the CSP', { skip, timeout: 120_000 }, async () => {
  // The real clock: the browser judges cookie expiry by its own time.
  const app = await startApp({ now: Date.now });
  const origin = app.origin;
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });

  await page.goto(`${origin}/login`);
  await page.fill('#username', 'demo');
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(`${origin}/`), page.click('button[type=submit]')]);

  // Your own cookie: nine green steps.
  await page.goto(`${origin}/explain/lab`);
  assert.deepEqual(await stepStates('#own'), Array(9).fill('ok'));
  assert.equal(await page.locator('#own li.step.ok').first().evaluate((li) => getComputedStyle(li).borderLeftColor), GREEN);
  await page.locator('#own').screenshot({ path: join(IMAGES, 'lab-own.png') });

  // Paste the cookie with the first character of its tag changed.
  const genuine = (await context!.cookies(origin)).find((c) => c.name === COOKIE)!.value;
  const parts = genuine.split('.');
  parts[6] = (parts[6]![0] === 'A' ? 'B' : 'A') + parts[6]!.slice(1);
  await page.fill('#value', parts.join('.'));
  await Promise.all([page.waitForURL(`${origin}/explain/lab`), page.click('#paste button[type=submit]')]);
  assert.deepEqual(await stepStates('#result'), [...Array(7).fill('ok'), 'fail', 'skip']);
  assert.equal(await failedStepColour('#result'), RED);
  assert.match(await page.locator('#result li.step.fail').textContent() ?? '', /8\. tag \/ MAC fail: ERR_COOKIE_TAMPERED/);
  await page.locator('#result').screenshot({ path: join(IMAGES, 'lab-tampered-tag.png') });

  // Flip a byte of the expiry with the lab's own button: the tag catches that too.
  await Promise.all([page.waitForURL(/flip=expires-at/), page.click('button:text("Flip a byte of the expires-at")')]);
  assert.deepEqual(await stepStates('#result'), [...Array(7).fill('ok'), 'fail', 'skip']);
  assert.equal(await failedStepColour('#result'), RED);
  await page.locator('#result').screenshot({ path: join(IMAGES, 'lab-flipped-expiry.png') });

  // The browser's cookie is untouched by all this.
  assert.equal((await context!.cookies(origin)).find((c) => c.name === COOKIE)!.value, genuine);

  // Rotate the demo key: the same value, stale; then sealed again under demo-2.
  await Promise.all([page.waitForURL(/rotate=1/), page.click('button:text("Rotate the demo key")')]);
  assert.deepEqual(await stepStates('#demo-rotated'), Array(9).fill('ok'));
  assert.match(await page.locator('#demo-rotated .outcome').textContent() ?? '', /stale/);
  assert.match(await page.locator('#demo-resealed .outcome').textContent() ?? '', /Key demo-2/);
  await page.locator('#demo').screenshot({ path: join(IMAGES, 'lab-rotation.png') });

  // Under the CSP: no script on the page, and nothing was refused.
  assert.equal(await page.locator('script').count(), 0);
  assert.deepEqual(violations, []);
  // The listener does hear a refusal: an inline script added now is blocked and reported.
  const refused = page.waitForEvent('console', { predicate: (m) => /Content Security Policy/i.test(m.text()), timeout: 10_000 });
  await page.addScriptTag({ content: 'document.body.dataset.ran = "1"' }).catch(() => undefined);
  await refused;
  assert.equal(await page.evaluate(() => document.body.dataset['ran'] ?? null), null);
  assert.ok(violations.length > 0, 'a blocked inline script was not reported on the console');
});
