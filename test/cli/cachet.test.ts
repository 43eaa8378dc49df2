import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cachetMain } from '../../src/cli/cachet.js';
import { keysMain } from '../../src/cli/keys.js';
import { usersMain } from '../../src/cli/users.js';
import { newStoredKey, writeKeyFile } from '../../src/app/key-file.js';
import { memoryIo } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

test('keys rotate refuses an extra argument and leaves keys.json as it was (regression: it rotated anyway)', async () => {
  const dir = tempDir();
  writeKeyFile(dir, [newStoredKey()]);
  const before = readFileSync(join(dir, 'keys.json'), 'utf8');
  const io = memoryIo({ CACHET_DATA_DIR: dir });
  assert.equal(await keysMain(['rotate', 'extra'], io), 1);
  assert.equal(io.stderr, 'keys rotate: unexpected arguments "extra"; usage: npm run keys -- rotate\n');
  assert.equal(readFileSync(join(dir, 'keys.json'), 'utf8'), before);
});

test('every keys and users command refuses arguments it does not take', async () => {
  const dir = tempDir();
  writeKeyFile(dir, [newStoredKey(), newStoredKey()]);
  const env = { CACHET_DATA_DIR: dir };
  for (const args of [['list', 'x'], ['generate', 'x'], ['generate', '--print', 'x'], ['retire'], ['retire', 'a', 'b'], ['retire', '--force']]) {
    const io = memoryIo(env);
    assert.equal(await keysMain(args, io), 1, args.join(' '));
    assert.match(io.stderr, /usage: npm run keys -- /, args.join(' '));
  }
  for (const args of [['list', 'x'], ['add', 'alice', 'extra'], ['remove', 'alice', 'extra'], ['add', '--admin']]) {
    const io = memoryIo(env, 'a long passphrase');
    assert.equal(await usersMain(args, io), 1, args.join(' '));
    assert.match(io.stderr, /unexpected arguments .*usage: npm run users -- /, args.join(' '));
  }
});

test('the cachet command dispatches to each tool and its messages name npx cachet', async () => {
  const dir = tempDir();
  const env = { CACHET_DATA_DIR: dir };
  const missing = memoryIo(env);
  assert.equal(await cachetMain(['keys', 'list'], missing), 1);
  assert.match(missing.stderr, /or run "npx cachet keys generate"/);
  assert.equal(await cachetMain(['keys', 'generate'], memoryIo(env)), 0);
  const listed = memoryIo(env);
  assert.equal(await cachetMain(['keys', 'list'], listed), 0);
  assert.match(listed.stdout, / primary +seals new cookies\n$/);
  const extra = memoryIo(env);
  assert.equal(await cachetMain(['keys', 'rotate', 'extra'], extra), 1);
  assert.match(extra.stderr, /usage: npx cachet keys rotate\n$/);
  const help = memoryIo(env);
  assert.equal(await cachetMain(['users', '--help'], help), 0);
  assert.match(help.stdout, /^Usage: npx cachet users <command>/);
  assert.match(help.stdout, /\| npx cachet users add alice/);
  const inspect = memoryIo(env);
  assert.equal(await cachetMain(['inspect', '--help'], inspect), 0);
  assert.match(inspect.stdout, /^Usage: npx cachet inspect VALUE/);
  const serveHelp = memoryIo(env);
  assert.equal(await cachetMain(['serve', '--help'], serveHelp), 0);
  assert.match(serveHelp.stdout, /^Usage: npx cachet serve \[options\]/);
  assert.match(serveHelp.stdout, /after "npx cachet keys add", promote,/);
  const unknown = memoryIo(env);
  assert.equal(await cachetMain(['start'], unknown), 2);
  assert.match(unknown.stderr, /^cachet: unknown command "start"/);
  assert.equal(await cachetMain(['help'], memoryIo(env)), 0);
  assert.equal(await cachetMain([], memoryIo(env)), 1);
});

test('cachet --version prints the version of the package it runs from (regression: an unknown command)', async () => {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.match(version, /^\d+\.\d+\.\d+/);
  for (const flag of ['--version', '-v', 'version']) {
    const io = memoryIo({});
    assert.equal(await cachetMain([flag], io), 0, flag);
    assert.equal(io.stdout, `${version}\n`, flag);
    assert.equal(io.stderr, '', flag);
  }
});
