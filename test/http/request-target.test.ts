import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loggableTarget, parseRequestTarget, toggleTrailingSlash } from '../../src/http/request-target.js';

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

test('refuses a target holding a fragment, which no client may send (RFC 9112 §3.2.1)', () => {
  // Browsers strip the fragment before sending. Kept, '/users/1#x' reached /users/:id with
  // id = '1#x', while a cache or proxy that drops the fragment keys the response as /users/1.
  for (const bad of ['/users/1#x', '/#', '/a?b=1#c', '/a#b?c']) assert.equal(parseRequestTarget(bad), null, bad);
  assert.deepEqual(parseRequestTarget('/a%23b?c=%23'), { path: '/a%23b', query: 'c=%23' });
});

test('toggles the trailing slash, but never towards another host', () => {
  assert.equal(toggleTrailingSlash('/users/'), '/users');
  assert.equal(toggleTrailingSlash('/users'), '/users/');
  assert.equal(toggleTrailingSlash('/'), null);
  assert.equal(toggleTrailingSlash('//'), '/', 'an empty segment can go: / is on this host');
  assert.equal(toggleTrailingSlash('//evil/'), null);
  assert.equal(toggleTrailingSlash('/\\evil/'), null);
  assert.equal(toggleTrailingSlash('/a\\b'), null);
  assert.equal(toggleTrailingSlash('/a\tb/'), null);
});

test('makes a refused target safe to log: no query, no userinfo, at most 200 characters', () => {
  assert.equal(loggableTarget('/a/%zz?token=secret'), '/a/%zz');
  assert.equal(loggableTarget('/cb#access_token=secret'), '/cb');
  assert.equal(loggableTarget('http://user:secret@host/login?x=1'), 'http://host/login');
  assert.equal(loggableTarget('HTTPS://user@host'), 'HTTPS://host');
  assert.equal(loggableTarget('user:secret@host:80'), 'host:80');
  assert.equal(loggableTarget('http://a@b@host/x'), 'http://host/x');
  // An @ in the path of an absolute-form target is not userinfo.
  assert.equal(loggableTarget('http://host/a@b'), 'http://host/a@b');
  // Nor in a path: origin-form is logged as it came (the query cut).
  assert.equal(loggableTarget('/user@host/x?y'), '/user@host/x');
  assert.equal(loggableTarget('*'), '*');
  assert.equal(loggableTarget(`/${'a'.repeat(300)}`).length, 200);
});
