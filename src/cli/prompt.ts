/**
 * Reading a password: from a pipe (`echo pw | npm run users -- add alice`) or from a terminal
 * prompt that does not echo what is typed (raw mode, so the password never shows on screen or in
 * a terminal recording).
 * @module
 */

/** The parts of stdin the reader needs (a `tty.ReadStream` or any readable stream). */
export interface SecretInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/**
 * Reads a secret from `input`: the whole stream (without the final line break) when it is not a
 * terminal, otherwise one line typed at a prompt, without echo.
 *
 * @example
 * ```ts
 * const password = await readSecret('Password: ', process.stdin, process.stderr);
 * ```
 */
export async function readSecret(prompt: string, input: SecretInput, output: NodeJS.WritableStream): Promise<string> {
  if (input.isTTY !== true || input.setRawMode === undefined) {
    let text = '';
    input.setEncoding('utf8');
    for await (const chunk of input) text += String(chunk);
    return text.replace(/\r?\n$/, '');
  }
  return readFromTerminal(prompt, input, output);
}

function readFromTerminal(prompt: string, input: SecretInput, output: NodeJS.WritableStream): Promise<string> {
  output.write(prompt);
  input.setRawMode?.(true);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error): void => {
      input.setRawMode?.(false);
      input.pause();
      input.removeListener('data', onData);
      output.write('\n');
      if (error === undefined) resolve(typed);
      else reject(error);
    };
    const onData = (chunk: string | Buffer): void => {
      for (const char of String(chunk)) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new Error('cancelled'));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    input.on('data', onData);
  });
}
