import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { readSecret, type SecretInput } from '../../src/cli/prompt.js';

function terminal(): { input: SecretInput & PassThrough; raw: boolean[] } {
  const raw: boolean[] = [];
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: (mode: boolean) => raw.push(mode) });
  return { input, raw };
}

test('reads all of a piped stdin without its final line break', async () => {
  const input = new PassThrough();
  input.end('pass word\n');
  assert.equal(await readSecret('Password: ', input, new PassThrough()), 'pass word');
});

test('reads a line at a terminal in raw mode without echoing it, honouring backspace', async () => {
  const { input, raw } = terminal();
  const output = new PassThrough();
  let shown = '';
  output.setEncoding('utf8').on('data', (d: string) => (shown += d));
  const result = readSecret('Password: ', input, output);
  input.write('secrex\u007ft');
  input.write('\r');
  assert.equal(await result, 'secret');
  assert.deepEqual(raw, [true, false]);
  assert.equal(shown, 'Password: \n');
});

test('gives up when Ctrl-C is typed at the prompt', async () => {
  const { input } = terminal();
  const result = readSecret('Password: ', input, new PassThrough());
  input.write('abc\u0003');
  await assert.rejects(result, /cancelled/);
});
