import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestTarget, toggleTrailingSlash } from '../../src/http/request-target.js';

test('splits path and query at the first question mark, keeping both raw', () => {
  assert.deepEqual(parseRequestTarget('/a/b%20c?x=1&y=%3F?z'), { path: '/a/b%20c', query: 'x=1&y=%3F?z' });
  assert.deepEqual(parseRequestTarget('/'), { path: '/', query: '' });
  assert.deepEqual(parseRequestTarget('//evil/x'), { path: '//evil/x', query: '' });
});

test('accepts dots that are not whole segments', () => {
  for (const ok of ['/.well-known/x', '/a..b', '/file.txt', '/a/...', '/%2e%2e%2e']) assert.notEqual(parseRequestTarget(ok), null, ok);
});

test('refuses targets that are not origin-form, bad escapes and dot segments', () => {
  for (const bad of ['', '*', 'http://evil/x', '/%', '/%E0%A4%A', '/%C3', '/%zz', '/..', '/.', '/a/./b', '/a/../b', '/%2e', '/%2E%2e/x', '/a/.%2E']) {
    assert.equal(parseRequestTarget(bad), null, bad);
  }
  // The query is not checked here: URLSearchParams is lenient and only handlers read it.
  assert.notEqual(parseRequestTarget('/a?%zz=..'), null);
});

test('toggles the trailing slash, but never towards another host', () => {
  assert.equal(toggleTrailingSlash('/users/'), '/users');
  assert.equal(toggleTrailingSlash('/users'), '/users/');
  assert.equal(toggleTrailingSlash('/'), null);
  assert.equal(toggleTrailingSlash('//evil/'), null);
  assert.equal(toggleTrailingSlash('/\\evil/'), null);
  assert.equal(toggleTrailingSlash('/a\\b'), null);
  assert.equal(toggleTrailingSlash('/a\tb/'), null);
});
