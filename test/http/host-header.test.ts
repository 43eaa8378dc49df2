import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostIsValid } from '../../src/http/host-header.js';

const one = (host: string) => hostIsValid(host, ['Host', host, 'Accept', '*/*']);

test('accepts a host name, an IPv4 or IPv6 literal, a port, and the empty Host of a target without authority', () => {
  for (const host of ['example.com', 'example.com:8080', 'localhost:', '127.0.0.1:3000', '[::1]', '[::1]:8080', '[2001:db8::7]', '[v1.fe80::a+en1]', '[v1a.x]', 'xn--bcher-kva.example', 'ex%41mple.com', "a!$&'()*+,;=b", '']) {
    assert.equal(one(host), true, JSON.stringify(host));
  }
});

test('refuses a Host value that is not uri-host [":" port] (RFC 9112 §3.2)', () => {
  for (const host of ['[::1', '::1', 'a b', 'a/b', 'a@b', 'a:b:c', 'a:80x', 'a?b', 'a#b', '[::1]x', '[zz::1]', '[v.x]', '[vg.x]', 'a\\b', 'h\u00e9']) {
    assert.equal(one(host), false, JSON.stringify(host));
  }
});

test('refuses two Host field lines, whatever their case or values', () => {
  assert.equal(hostIsValid('a', ['Host', 'a', 'Host', 'b']), false);
  assert.equal(hostIsValid('a', ['host', 'a', 'X-Other', 'x', 'HOST', 'a']), false);
  assert.equal(hostIsValid('a', ['Host', 'a', 'Hosts', 'b', 'Ghost', 'c']), true, 'other names of five letters are not Host');
  assert.equal(hostIsValid('a', ['Date', 'x', 'Host', 'a', 'From', 'y', 'Vary', 'z']), true, 'other names of four letters are not Host');
  assert.equal(hostIsValid('host', ['Host', 'host', 'Via', 'Host', 'X-For', 'HOST']), true, 'a value that reads "host" is not a Host line');
});

test('leaves a request without Host to node, which refuses it on HTTP/1.1', () => {
  assert.equal(hostIsValid(undefined, ['Accept', '*/*']), true);
});
