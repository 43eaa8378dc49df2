import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientKey } from '../../src/app/client-key.js';

test('an IPv4 address is its own key', () => {
  assert.equal(clientKey('203.0.113.9'), '203.0.113.9');
  assert.equal(clientKey('127.0.0.1'), '127.0.0.1');
});

test('an IPv6 address is keyed by its /64 network, however it is written', () => {
  const key = '2001:db8:1:2::/64';
  for (const address of [
    '2001:db8:1:2:aaaa:bbbb:cccc:dddd',
    '2001:0db8:0001:0002:0000:0000:0000:0001',
    '2001:DB8:1:2::1',
    '2001:db8:1:2::',
    '2001:db8:1:2:ffff:ffff:192.0.2.1',
    '2001:db8:1:2::192.0.2.1',
    'fe80::1%eth0'.replace('fe80::1', '2001:db8:1:2::1'),
  ]) {
    assert.equal(clientKey(address), key, address);
  }
  assert.equal(clientKey('2001:db8:1:3::1'), '2001:db8:1:3::/64', 'the next /64 is another client');
  assert.equal(clientKey('::1'), '0:0:0:0::/64');
  assert.equal(clientKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.equal(clientKey('1::'), '1:0:0:0::/64');
  assert.equal(clientKey('2001:db8:1:2:3:4:5::'), '2001:db8:1:2::/64', '`::` for a single group of zeros');
  assert.equal(clientKey('1:2:3:4:5:6:1.2.3.4'), '1:2:3:4::/64', 'an IPv4 tail fills the last two of eight groups');
  assert.equal(clientKey('2001:db8:1:2::203.0.113.195'), '2001:db8:1:2::/64', 'octets of several digits');
});

test('an IPv4-mapped or NAT64 address is the IPv4 client it carries, however it is written', () => {
  for (const address of ['::ffff:203.0.113.9', '::FFFF:203.0.113.9', '0:0:0:0:0:ffff:203.0.113.9', '::ffff:cb00:7109', '0:0:0:0:0:FFFF:CB00:7109', '64:ff9b::203.0.113.9', '64:ff9b::cb00:7109']) {
    assert.equal(clientKey(address), '203.0.113.9', address);
  }
  assert.equal(clientKey('64:ff9b:1::203.0.113.9'), '64:ff9b:1:0::/64', 'not the well-known prefix: an IPv6 network like any other');
  assert.equal(clientKey('::fffe:cb00:7109'), '0:0:0:0::/64');
  assert.equal(clientKey('::ffff:255.255.255.255'), '255.255.255.255');
  for (const odd of ['::ffff:256.0.0.1', '::ffff:1.256.0.1', '::ffff:1.1.256.1', '::ffff:1.1.1.256']) {
    assert.equal(clientKey(odd), odd, `${odd}: no such IPv4 address, kept as it is`);
  }
  assert.equal(clientKey('64::1.2.3.4'), '64:0:0:0::/64', 'only 64:ff9b::/96 is NAT64');
  assert.equal(clientKey('65:ff9b::1.2.3.4'), '65:ff9b:0:0::/64', 'only 64:ff9b::/96 is NAT64');
});

test('an address a proxy wrote with a port, or in brackets, is the same client whatever the port', () => {
  // Keyed with the port, each new connection was another client with 20 fresh failures.
  assert.equal(clientKey('203.0.113.9:51234'), '203.0.113.9');
  assert.equal(clientKey('203.0.113.9:443'), '203.0.113.9');
  assert.equal(clientKey('[2001:db8:1:2::1]:51234'), '2001:db8:1:2::/64');
  assert.equal(clientKey('[2001:db8:1:2:aaaa::1]:443'), '2001:db8:1:2::/64');
  assert.equal(clientKey('[2001:db8:1:2::1]'), '2001:db8:1:2::/64');
  assert.equal(clientKey('[::ffff:203.0.113.9]:8080'), '203.0.113.9');
  assert.equal(clientKey('203.0.113.9:'), '203.0.113.9:', 'no port: not an address, kept as it is');
});

test('a string that is no IPv6 address is kept as it is', () => {
  for (const odd of [
    '1:2:3', '1::2::3', '1:2:3:4:5:6:7:8:9', 'g::1', '1:2:3:4:5:6:7::8', '12345::1', 'unknown', '',
    // An IPv4 part anywhere but at the very end, or one that is no IPv4 address.
    '1.2.3.4::1', '1:1.2.3.4::', '1:2:1.2.3.4:5::', '1::1.2.3.4:5', '1::1.2.3', '1::1.2.3.4.5', '1:2:3:4:5:6:7:1.2.3.4',
    // A mapped address with something before or after it.
    'x::ffff:1.2.3.4', '::ffff:1.2.3.4x',
  ]) {
    assert.equal(clientKey(odd), odd, odd);
  }
});
