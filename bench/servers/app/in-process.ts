// The in-process driver of bench:app-instructions. It starts one server the way the HTTP scenario
// does (`base`: bench:sessions (b)'s cachet server; `app`: the reference app from dist/, logged in
// as the demo user), takes its node request listener and calls it directly: 50 requests in
// flight, each on a stream that discards what is written, so no socket, no kernel and no load
// generator share the count. After WARM requests it prints READY and waits for a line on stdin;
// then it serves N requests, prints DONE and waits for another line before it exits. The parent
// turns callgrind's instruction counting on and off around those N requests.
import { IncomingMessage, Server, ServerResponse, type RequestListener } from 'node:http';
import { Duplex } from 'node:stream';
import { createInterface } from 'node:readline';
import { mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachetRoot } from '../../lib/cachet.ts';

const kind = process.argv[2];
const warm = Number(process.env['WARM'] ?? 20_000);
const n = Number(process.env['N'] ?? 15_000);
const IN_FLIGHT = 50;

class Discard extends Duplex {
  override _read(): void {}
  override _write(_chunk: unknown, _encoding: BufferEncoding, done: () => void): void {
    done();
  }
  override _writev(_chunks: unknown[], done: () => void): void {
    done();
  }
}

/** The one http.Server this process listens with (the one the started server made), found among its handles. */
function server(): Server {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  const found = handles.find((h): h is Server => h instanceof Server);
  if (found === undefined) throw new Error('in-process: no http.Server is listening');
  return found;
}

function listener(): RequestListener {
  const fn = server().listeners('request')[0];
  if (typeof fn !== 'function') throw new Error('in-process: the http.Server has no request listener');
  return fn as RequestListener;
}

function port(): number {
  const address = server().address();
  if (address === null || typeof address === 'string') throw new Error('in-process: the http.Server has no port');
  return address.port;
}

const cookiesOf = (res: Response, jar: Map<string, string>): void => {
  for (const c of res.headers.getSetCookie()) {
    const pair = c.split(';')[0]!;
    jar.set(pair.slice(0, pair.indexOf('=')), pair);
  }
};

async function startBase(): Promise<{ path: string; cookie: string }> {
  process.env['STORE'] = 'cookie';
  await import('../sessions/cachet.ts');
  const res = await fetch(`http://127.0.0.1:${port()}/login`);
  await res.text();
  return { path: '/count', cookie: res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ') };
}

async function startApp(): Promise<{ path: string; cookie: string }> {
  const root = cachetRoot();
  if (!root) throw new Error('in-process: cachet could not be built');
  const { startServer } = (await import(join(root, 'dist/app/main.js'))) as { startServer: (argv: string[], io: object) => Promise<unknown> };
  const { batchLines } = (await import(join(root, 'dist/app/line-batch.js'))) as {
    batchLines: (write: (text: string) => void, onExit: (flush: () => void) => void) => { line(text: string): void };
  };
  // The access log as server.js writes it (one write per event-loop turn), to /dev/null here.
  const devNull = openSync('/dev/null', 'w');
  const out = batchLines((text) => void writeSync(devNull, text), () => {});
  const dataDir = mkdtempSync(join(tmpdir(), 'cachet-bench-inproc-'));
  process.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  let startup: string | undefined = '';
  await startServer(['--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], {
    env: { NODE_ENV: 'production' },
    out: (line: string) => {
      if (startup !== undefined) startup += `${line}\n`;
      out.line(line);
    },
    err: (line: string) => console.error(line),
  });
  const password = /created user "demo" with password (\S+)/.exec(startup ?? '')?.[1];
  startup = undefined;
  if (!password) throw new Error('in-process: the app printed no demo password');
  const url = `http://127.0.0.1:${port()}`;
  const jar = new Map<string, string>();
  const header = (): string => [...jar.values()].join('; ');
  let res = await fetch(`${url}/login`);
  cookiesOf(res, jar);
  const token = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1] ?? '';
  res = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: header(), origin: url, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: 'demo', password, _csrf: token }).toString(),
  });
  cookiesOf(res, jar);
  await res.text();
  // Two views, as bench:app's client makes: the second cookie is the one a browser then holds.
  for (let i = 0; i < 2; i++) {
    res = await fetch(`${url}/`, { headers: { cookie: header() } });
    cookiesOf(res, jar);
    if (!(await res.text()).includes('Welcome, demo')) throw new Error('in-process: not logged in');
  }
  return { path: '/', cookie: header() };
}

const { path, cookie } = kind === 'base' ? await startBase() : kind === 'app' ? await startApp() : (() => { throw new Error('usage: in-process.ts base|app'); })();
const handle = listener();

function one(socket: Discard): Promise<void> {
  const req = new IncomingMessage(socket as never);
  req.method = 'GET';
  req.url = path;
  req.httpVersion = '1.1';
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  req.headers = { host: '127.0.0.1', cookie };
  req.rawHeaders = ['Host', '127.0.0.1', 'Cookie', cookie];
  req.complete = true;
  req.push(null);
  const res = new ServerResponse(req);
  res.shouldKeepAlive = true;
  res.assignSocket(socket as never);
  return new Promise((resolve, reject) => {
    res.once('finish', () => {
      res.detachSocket(socket as never);
      if (res.statusCode === 200) resolve();
      else reject(new Error(`in-process: GET ${path} answered ${res.statusCode}`));
    });
    handle(req, res);
  });
}

async function serve(count: number): Promise<void> {
  let left = count;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    const socket = new Discard();
    while (left-- > 0) await one(socket);
  }));
}

await serve(warm);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
console.log('READY');
await lines.next();
await serve(n);
console.log('DONE');
await lines.next();
process.exit(0);
