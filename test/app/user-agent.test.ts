import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeUserAgent } from '../../src/app/user-agent.js';

// Real headers, as the browsers of late 2025 send them.
const AGENTS: [string, string][] = [
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox on Windows'],
  ['Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on Linux'],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15', 'Firefox on iPhone'],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Chrome on macOS'],
  ['Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36', 'Chrome on Android'],
  ['Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Chrome on ChromeOS'],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15', 'Safari on macOS'],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1', 'Safari on iPhone'],
  ['Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1', 'Safari on iPad'],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0', 'Edge on Windows'],
  ['Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 EdgA/131.0.0.0', 'Edge on Android'],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0', 'Opera on Windows'],
  ['Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/27.0 Chrome/125.0.0.0 Mobile Safari/537.36', 'Samsung Internet on Android'],
  ['curl/8.5.0', 'curl'],
  ['Wget/1.21.4', 'Wget'],
  ['python-requests/2.32.3', 'python-requests'],
  ['node', 'node'],
];

for (const [header, summary] of AGENTS) {
  test(`summarises "${header.slice(0, 60)}" as "${summary}"`, () => {
    assert.equal(describeUserAgent(header), summary);
  });
}

test('says "Unknown device" for no header, an empty or blank one, and garbage', () => {
  for (const header of [undefined, '', '   ', '<script>alert(1)</script>', '"><img src=x>', '\u0000\u0001', '/', '1234/5', '💥/1.0', '-x/1']) {
    assert.equal(describeUserAgent(header), 'Unknown device', JSON.stringify(header));
  }
});

test('names a browser it cannot tell, and one without a known system, in plain words', () => {
  assert.equal(describeUserAgent('Mozilla/5.0 (compatible; something)'), 'Unknown browser');
  assert.equal(describeUserAgent('Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Weird/1.0'), 'A browser on Linux');
  assert.equal(describeUserAgent('Mozilla/5.0 Firefox/128.0'), 'Firefox');
});

test('passes on no character of a header but letters, digits and ._- in a program name of at most 32', () => {
  assert.equal(describeUserAgent('Go-http-client/1.1'), 'Go-http-client');
  assert.equal(describeUserAgent('okhttp/4.12.0 (extra <b>)'), 'okhttp');
  assert.equal(describeUserAgent('evil<b>/1.0'), 'Unknown device');
  assert.equal(describeUserAgent('a"onmouseover=alert(1)'), 'Unknown device');
  assert.equal(describeUserAgent(`${'x'.repeat(100)}/1.0`), 'Unknown device');
  assert.equal(describeUserAgent(`Mozilla/5.0 (<script>) ${'a'.repeat(10_000)}`), 'Unknown browser');
});
