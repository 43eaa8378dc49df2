// Raw HTTP for the whole-server fuzz tests: a socket exchange that half-closes and waits for the
// server to end the connection, and generators of mostly well-formed, sometimes broken requests.
import { connect } from 'node:net';
import fc from 'fast-check';

/** One request as it goes on the wire (latin1), plus where to cut it into two writes. */
export const rawRequestText = (valid: string, paths: string[]) =>
  fc.tuple(method, target(paths), version, eol, fc.array(headerLine(valid), { maxLength: 6 }), bodyText, fc.nat(3)).map(([m, t, v, nl, lines, body, split]) => {
    const text = `${m} ${t}${v === '' ? '' : ` ${v}`}${nl}${['Host: x', ...lines].map((l) => `${l}${nl}`).join('')}${nl}${body}`;
    const cut = split === 0 ? text.length : Math.floor((text.length * split) / 4);
    return [text.slice(0, cut), text.slice(cut)];
  });

/** The status codes of every response in a raw reply (several when requests were pipelined). */
export function statuses(raw: string): number[] {
  return [...raw.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
}

/**
 * True for a status that no server failure explains: below 500, or one of the two refusals of a
 * head the server does not speak (src/http/request-head.ts), and then only when `text` holds such
 * a head: 505 for a request line whose version is not HTTP/1.0 or 1.1 (none at all is HTTP/0.9),
 * 501 for a Transfer-Encoding with a coding other than chunked, or for a CONNECT (no tunnels).
 */
export function refusalOrBelow500(status: number, text: string): boolean {
  if (status < 500) return true;
  // A request line: at the start of the text or after the blank line that ends a head.
  if (status === 505) return /(?:^|\r?\n\r?\n)[!#$%&'*+.^_`|~0-9A-Za-z-]+ [^ \r\n]+(?: HTTP\/(?!1\.[01]\r?\n)[^\r\n]*)?\r?\n/.test(text);
  if (status === 501) {
    return /(?:^|\r?\n\r?\n)CONNECT /.test(text) || [...text.matchAll(/^transfer-encoding:([^\r\n]*)/gim)].some((m) => (m[1] ?? '').trim().toLowerCase() !== 'chunked');
  }
  return false;
}

/** Writes `text` (latin1), half-closes, and collects everything until the server closes; null on a hang. */
export function exchange(port: number, parts: string[], waitMs = 4_000): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      socket.destroy();
    }, waitMs);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => {}); // a reset after a refused request is fine; 'close' follows
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(hung ? null : Buffer.concat(chunks).toString('latin1'));
    });
    socket.on('connect', () => {
      for (const part of parts) socket.write(part, 'latin1');
      socket.end();
    });
  });
}

// Mostly well-formed, so most requests reach the app and its sessions; sometimes broken.
export const method = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('GET', 'GET', 'POST', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'PROPFIND') },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('TRACE', 'CONNECT', 'get', 'G\u0000T', ''), fc.string({ unit: 'binary-ascii', maxLength: 6 })) },
);
/** Request targets: mostly the app's own paths (and broken variants of them), sometimes junk. */
export const target = (paths: string[]) => fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...paths, ...paths.map((p) => `${p}/`), ...paths.map((p) => `/${p}`), '/%2e%2e/', '/%zz', '/?x=%zz&y', `/${'a'.repeat(600)}`) },
  { weight: 1, arbitrary: fc.constantFrom('*', 'http://evil/read', '') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map((s) => `/${s}`) },
);
export const version = fc.oneof({ weight: 12, arbitrary: fc.constantFrom('HTTP/1.1', 'HTTP/1.0') }, { weight: 1, arbitrary: fc.constantFrom('HTTP/2.0', 'HTTP/1.1x', 'http/1.1', '', 'HTTP/0.9') });
export const eol = fc.oneof({ weight: 12, arbitrary: fc.constant('\r\n') }, { weight: 1, arbitrary: fc.constant('\n') });

// Cookies: the valid session cookie, edited copies of it, junk, duplicates, chunk names, huge ones.
export const cookieHeader = (valid: string) => {
  const pair = fc.oneof(
    fc.constant(valid),
    fc.tuple(fc.nat(), fc.constantFrom('A', '_', '.', '=', ';', '%', 'é', '\u0001')).map(([at, ch]) => valid.slice(0, at % valid.length) + ch + valid.slice((at % valid.length) + 1)),
    fc.tuple(fc.nat()).map(([at]) => valid.slice(0, at % valid.length)),
    // the issued value under another name: it must never count as the session
    fc.constantFrom('session', '__Secure-session', '__host-session', '__Host-session.0', '__Host-Session', 'x').map((name) => `${name}=${valid.slice(valid.indexOf('=') + 1)}`),
    fc.constantFrom('__Host-session=', '__Host-session=1s.k1.1.2.a.b.c', '__Host-session.0=x', '__Host-session.1=y', '__Host-session.5=z', 'session=x', '__proto__=1', 'a', '=', ';;', '"'),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.nat(6000).map((n) => `big=${'x'.repeat(n)}`),
  );
  return fc.array(pair, { maxLength: 5 }).map((p) => `Cookie: ${p.join('; ')}`);
};
export const headerLine = (valid: string) =>
  fc.oneof(
    { weight: 10, arbitrary: cookieHeader(valid) },
    { weight: 6, arbitrary: fc.constantFrom('Content-Type: application/x-www-form-urlencoded', 'Content-Type: application/json', 'Content-Type: text/plain', 'Content-Type: application/json; charset=latin1') },
    { weight: 4, arbitrary: fc.constantFrom('Content-Length: 5', 'Content-Length: 1', 'Content-Length: 12', 'Content-Length: 0', 'Transfer-Encoding: chunked', 'Content-Encoding: gzip', 'Expect: 100-continue') },
    { weight: 4, arbitrary: fc.constantFrom('Connection: close', 'Connection: keep-alive', 'X-Forwarded-For: 1.2.3.4, evil', 'Origin: http://evil', 'Sec-Fetch-Site: cross-site', 'Accept: */*', 'Upgrade: websocket') },
    { weight: 1, arbitrary: fc.constantFrom('Content-Length: -1', 'Content-Length: abc', 'Content-Length: 99999999999999999999', 'Content-Length: 3, 4', 'Transfer-Encoding: gzip, chunked', 'Transfer-Encoding: identity', 'Host:', 'Host: a\u0000b', 'Connection: upgrade') },
    { weight: 1, arbitrary: fc.constantFrom('no colon here', ': empty name', ' folded continuation', 'Bad Name: x', 'X: \u0001\u007f', `X-Long: ${'y'.repeat(9000)}`, `X-Huge: ${'y'.repeat(20000)}`) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  );
export const bodyText = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('', 'user=mallory', 'user=%zz', '1', '{"__proto__":{"x":1}}', '5\r\nhello\r\n0\r\n\r\n', 'zz\r\n', 'GET /read HTTP/1.1\r\nHost: x\r\n\r\n') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

