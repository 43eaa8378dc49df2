// One way to start Debian's Chromium for the browser tests, so the flags this machine needs live
// in one place. Without the background-networking flags Chromium keeps dialling out and this
// closed network refuses it; root needs --no-sandbox. A fresh profile per launch, removed on close.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Why Chromium cannot run here, or undefined when it can. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (run scripts/install-chromium.sh)`;
}

/**
 * The `skip` option of a browser test. Under `npm run test:browser` (CACHET_BROWSER=1) it is false,
 * and a missing prerequisite (`missing`: Chromium by default) throws instead of skipping quietly;
 * elsewhere the test is skipped with that reason.
 */
export function browserTestSkip(missing: string | undefined = chromiumMissing()): false | string {
  const requested = process.env['CACHET_BROWSER'] === '1';
  if (requested && missing !== undefined) throw new Error(`browser test cannot run: ${missing}`);
  return requested ? false : 'runs under npm run test:browser';
}

/** A headless Chromium with a fresh profile, its first page, and a close() that removes the profile. */
export async function launchChromium(viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'cachet-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, ...(viewport ? { viewport } : {}) });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
