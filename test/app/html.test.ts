import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml } from '../../src/app/html.js';

test('escapeHtml escapes each of & < > " \' wherever it stands, and only those', () => {
  assert.equal(escapeHtml('&'), '&#38;');
  assert.equal(escapeHtml('<b>"hi"</b>'), '&#60;b&#62;&#34;hi&#34;&#60;/b&#62;');
  assert.equal(escapeHtml("it's"), 'it&#39;s');
  assert.equal(escapeHtml('a&b<c>d"e\'f'), 'a&#38;b&#60;c&#62;d&#34;e&#39;f');
  assert.equal(escapeHtml('x&'), 'x&#38;', 'the last character');
  assert.equal(escapeHtml('<<'), '&#60;&#60;', 'every occurrence, not the first');
});

test('escapeHtml returns text with nothing to escape unchanged, twice in a row (no regex state carried over)', () => {
  for (const text of ['', 'demo', 'o7rVc3lF7Zr9xKTE0m_SC-9', 'été · 東京', 'a/b=c;d']) {
    assert.equal(escapeHtml(text), text);
    assert.equal(escapeHtml(text), text);
  }
  // After text that needed escaping, plain text still comes back as it was, and the reverse.
  assert.equal(escapeHtml('<'), '&#60;');
  assert.equal(escapeHtml('plain'), 'plain');
  assert.equal(escapeHtml('"'), '&#34;');
  // A global regex's lastIndex would start the next test at 2 and miss this '<'.
  assert.equal(escapeHtml('a<'), 'a&#60;');
  assert.equal(escapeHtml('<b'), '&#60;b');
});
