/**
 * A User-Agent header in plain words ("Firefox on Windows", "curl"), for the list of a user's
 * active sessions. The header is whatever the client chose to send, so it is never shown as is:
 * the summary is built only from names this file spells out, or from a leading product token
 * limited to letters, digits and `._-`. Anything else reads "Unknown device".
 *
 * This is a summary for a person recognising their own devices, not detection: a client can
 * claim to be anything, and the list says what it claimed.
 * @module
 */

// Order matters: Edge, Opera and Samsung Internet also say "Chrome/", Chrome also says
// "Safari/", and every iOS browser says "Safari/".
const BROWSERS: readonly (readonly [RegExp, string])[] = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\bOPR\/|\bOpera\b/, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\bChrom(?:e|ium)\/|\bCriOS\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
];

// iPhone and iPad before macOS ("like Mac OS X"); Android and ChromeOS before Linux.
const SYSTEMS: readonly (readonly [RegExp, string])[] = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bWindows\b/, 'Windows'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b|\bX11\b/, 'Linux'],
];

// A program that is not a browser names itself first: "curl/8.5.0", "python-requests/2.31".
// Only these characters can come through, and only this many.
const PRODUCT = /^([A-Za-z][A-Za-z0-9._-]{0,31})(?:\/|\s|$)/;

function first(table: readonly (readonly [RegExp, string])[], text: string): string | undefined {
  return table.find(([pattern]) => pattern.test(text))?.[1];
}

/**
 * A short, plain description of the device behind a User-Agent header: browser and operating
 * system for a browser, the program's name for anything else, "Unknown device" when neither can
 * be told. The result contains only names written in this file or `[A-Za-z0-9._-]`; escape it
 * anyway when it goes into HTML.
 *
 * @example
 * ```ts
 * describeUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0'); // 'Firefox on Windows'
 * describeUserAgent('curl/8.5.0'); // 'curl'
 * describeUserAgent('<script>');   // 'Unknown device'
 * ```
 */
export function describeUserAgent(userAgent: string | undefined): string {
  // Stored headers are already capped (512 characters); this cap keeps the regexes' work small
  // whatever a caller passes.
  const text = (userAgent ?? '').slice(0, 512).trim();
  if (text === '') return 'Unknown device';
  if (text.startsWith('Mozilla/')) {
    const browser = first(BROWSERS, text);
    const system = first(SYSTEMS, text);
    if (browser === undefined && system === undefined) return 'Unknown browser';
    if (system === undefined) return browser!;
    return `${browser ?? 'A browser'} on ${system}`;
  }
  return PRODUCT.exec(text)?.[1] ?? 'Unknown device';
}
