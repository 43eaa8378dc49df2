#!/usr/bin/env node
// Load and soak test of the reference app (issue 7, "Load and soak").
//
// Starts the built `dist/server.js` on 127.0.0.1 with a fresh temporary CACHET_DATA_DIR and drives
// mixed traffic at it from a bounded client of its own (node:http agents and raw node:net sockets):
// logins, session reads and writes, logouts followed by a replay of the old cookie, tampered /
// expired / oversized cookies, malformed requests and slow (slowloris) clients. It samples the
// server's RSS and open descriptors from /proc once a second and prints a report.
//
// It exits 1 when:
//   - any response has a 5xx status, or the server logs a failed request;
//   - the server exits before it is told to, or does not exit 0 on SIGTERM at the end;
//   - this process sees an unhandled rejection or an uncaught exception;
//   - a replayed cookie after logout, or a tampered or expired cookie, gets an authenticated page;
//   - memory keeps growing after warm-up (rule below), or sockets are still open after the load.
//
// Memory rule: samples from the first third of the run are warm-up (V8 sizes its heaps, the JIT
// compiles). Over the remaining two thirds, fit RSS = a + b·t by least squares. The growth the fit
// predicts across that window, b·(t_last − t_first), must stay under max(--max-growth-mb (8 MB),
// 10 % of the window's mean RSS). A leak of a few hundred bytes per request shows up as a steady
// slope; GC sawtooth does not, because the fit averages over many collection cycles. The short
// profile can only catch a fast leak; the long run (--duration 600) is the one that catches slow ones.
// Socket rule: after the clients close, the server's socket count returns to its idle value + 2
// within 5 s.
//
// Usage:
//   npm run build && node scripts/soak.mjs                  # short profile: 20 s (what CI runs)
//   node scripts/soak.mjs --duration 600                    # the long soak (10 minutes)
//   node scripts/soak.mjs --duration 60 --concurrency 8 --json /tmp/soak.json
// Flags: --duration S (20), --concurrency N (4 virtual users), --slow N (2 slow clients at a time),
//        --login-interval MS (1500: at most one password check per interval; PBKDF2 at 600 000
//        iterations is the most expensive thing the app does), --max-growth-mb MB (8),
//        --json FILE (write the report as JSON), --server FILE (dist/server.js).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;

function parseFlags(argv) {
  const flags = { duration: 600, concurrency: 4, slow: 2, loginInterval: 1500, maxGrowthMb: 8, maxLiveGrowthMb: 4, warmup: 0, thinkMs: 0, json: '', server: join(root, 'dist/server.js'), nodeFlags: '' };
  // The short profile is what CI runs (test/reliability/soak.test.ts): modest load on a 2-core box.
  // In 30 s V8 is still growing its heap, so RSS can only catch a gross leak there; the live-heap
  // rule is the sharp one. The long profile is the default (10 minutes at full speed).
  if (argv[0] === '--profile') {
    const profile = { short: { duration: 30, thinkMs: 2, maxGrowthMb: 48 }, long: {} }[argv[1]];
    if (profile === undefined) {
      console.error('soak: --profile is short or long');
      process.exit(2);
    }
    Object.assign(flags, profile);
    argv = argv.slice(2);
  }
  const names = { '--duration': 'duration', '--concurrency': 'concurrency', '--slow': 'slow', '--login-interval': 'loginInterval', '--max-growth-mb': 'maxGrowthMb', '--json': 'json', '--server': 'server', '--node-flags': 'nodeFlags', '--max-live-growth-mb': 'maxLiveGrowthMb', '--warmup': 'warmup', '--think-ms': 'thinkMs' };
  for (let i = 0; i < argv.length; i++) {
    const key = names[argv[i]];
    if (key === undefined || argv[i + 1] === undefined) {
      console.error(`soak: unknown or incomplete option "${argv[i]}" (see the header of scripts/soak.mjs)`);
      process.exit(2);
    }
    const text = argv[++i];
    flags[key] = typeof flags[key] === 'number' ? Number(text) : text;
    if (typeof flags[key] === 'number' && !(flags[key] >= 0)) {
      console.error(`soak: ${argv[i - 1]} needs a number, got "${text}"`);
      process.exit(2);
    }
  }
  return flags;
}

const flags = parseFlags(process.argv.slice(2));
const failures = [];
const fail = (why) => {
  if (failures.length < 50) failures.push(why);
};
process.on('unhandledRejection', (err) => fail(`unhandled rejection in the soak client: ${err?.stack ?? err}`));
process.on('uncaughtException', (err) => fail(`uncaught exception in the soak client: ${err?.stack ?? err}`));

if (!existsSync(flags.server)) {
  console.error(`soak: ${flags.server} is missing; run "npm run build" first`);
  process.exit(2);
}

// --- the server ---------------------------------------------------------------------------------
const dataDir = mkdtempSync(join(tmpdir(), 'cachet-soak-'));
const spawnedAt = Date.now();
const child = spawn(process.execPath, ['--trace-gc', ...flags.nodeFlags.split(' ').filter(Boolean), flags.server, '--port', '0', '--host', '127.0.0.1'], {
  env: { ...process.env, CACHET_DATA_DIR: dataDir, NODE_ENV: '', CACHET_KEYS: '' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let serverOut = '';
let stderrText = '';
let failedRequests = 0;
const fullGcs = []; // { t (s since the server started), liveMb }
let stopping = false;
child.stdout.setEncoding('utf8').on('data', (d) => {
  // Only the start-up lines are kept; access log lines are counted for failures, then dropped.
  if (serverOut.length < 4096) serverOut += d;
  for (const line of d.split('\n')) {
    if (/^request \S+ failed/.test(line)) failedRequests++;
    // --trace-gc: "[pid:0x..]  8501 ms: Mark-Compact 21.4 (51.5) -> 7.4 (51.0) MB, ..." (live heap after a full GC)
    const gc = /\s(\d+) ms: Mark-Compact[^>]*-> ([\d.]+) \(/.exec(line);
    if (gc) fullGcs.push({ t: Number(gc[1]) / 1000, liveMb: Number(gc[2]) });
  }
});
child.stderr.setEncoding('utf8').on('data', (d) => {
  if (stderrText.length < 8192) stderrText += d;
});
const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
void exited.then(({ code, signal }) => {
  if (!stopping) fail(`the server exited during the run (code ${code}, signal ${signal}): ${stderrText.slice(0, 2000)}`);
});

async function waitForOutput(pattern, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const m = pattern.exec(serverOut);
    if (m) return m;
    if (child.exitCode !== null) break;
    await sleep(20);
  }
  throw new Error(`the server did not print ${pattern}:\n${serverOut}\n${stderrText}`);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- statistics ---------------------------------------------------------------------------------
const counts = Object.create(null); // "kind status" -> n
const byStatus = Object.create(null);
const latencies = [];
const passwordLatencies = [];
const rawLatencies = []; // malformed requests on raw sockets: until the server closes the connection
let served = 0;
function record(kind, status, ms) {
  counts[`${kind} ${status}`] = (counts[`${kind} ${status}`] ?? 0) + 1;
  if (typeof status === 'number') {
    served++;
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    if (status >= 500) fail(`${kind} got ${status}`);
  }
  // Password checks (PBKDF2, 600 000 iterations) are timed apart: they would swamp the p99.
  const passwordCheck = kind === 'login-post' || (kind === 'wrong-password' && status === 401);
  if (ms !== undefined) (passwordCheck ? passwordLatencies : kind === 'wrong-password' ? [] : latencies).push(ms);
}

const samples = [];
function sample(t0) {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    const fds = readdirSync(`/proc/${child.pid}/fd`);
    let sockets = 0;
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${child.pid}/fd/${fd}`).startsWith('socket:')) sockets++;
      } catch {
        // closed between readdir and readlink
      }
    }
    const s = { t: (Date.now() - t0) / 1000, rssKb, fds: fds.length, sockets };
    samples.push(s);
    return s;
  } catch {
    return undefined; // the process is gone; the exit handler reports it
  }
}

// --- the HTTP client ----------------------------------------------------------------------------
let port = 0;
const agent = new Agent({ keepAlive: true, maxSockets: flags.concurrency + 2 });

/** One request; resolves with { status, headers, body }, or { error } (never rejects). */
function send(method, path, { jar, headers = {}, form, cookie } = {}) {
  return new Promise((resolve) => {
    const h = { 'sec-fetch-site': 'same-origin', ...headers };
    const c = cookie ?? (jar ? [...jar].map(([n, v]) => `${n}=${v}`).join('; ') : '');
    if (c !== '') h['cookie'] = c;
    const body = form === undefined ? undefined : new URLSearchParams(form).toString();
    if (body !== undefined) h['content-type'] = 'application/x-www-form-urlencoded';
    const start = performance.now();
    const req = request({ host: '127.0.0.1', port, method, path, headers: h, agent }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        if (jar) {
          for (const line of res.headers['set-cookie'] ?? []) {
            const pair = line.split(';')[0] ?? '';
            const eq = pair.indexOf('=');
            if (/;\s*max-age=0\b/i.test(line)) jar.delete(pair.slice(0, eq));
            else jar.set(pair.slice(0, eq), pair.slice(eq + 1));
          }
        }
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - start });
      });
      res.on('error', (error) => resolve({ error }));
    });
    req.setTimeout(15_000, () => req.destroy(new Error('client timeout')));
    req.on('error', (error) => resolve({ error }));
    req.end(body);
  });
}

async function call(kind, method, path, options) {
  const r = await send(method, path, options);
  if (r.error) {
    record(kind, `error:${r.error.code ?? r.error.message}`);
    if (!stopping) fail(`${kind}: ${method} ${path} failed: ${r.error.message}`);
  } else record(kind, r.status, r.ms);
  return r;
}

const csrfOf = (html) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const sessionCookie = (jar) => [...jar].find(([n]) => n.endsWith('session'));

// Password checks are rationed: one at a time, at most one per --login-interval. A user who finds
// no free slot does anonymous traffic meanwhile, so the rest of the mix keeps its pace.
let nextLogin = 0;
function takeLoginSlot() {
  if (Date.now() < nextLogin) return false;
  nextLogin = Number.POSITIVE_INFINITY; // held until this check answers
  return true;
}
const releaseLoginSlot = () => (nextLogin = Date.now() + flags.loginInterval);

async function login(jar) {
  if (!takeLoginSlot()) return false;
  try {
    const form = await call('login-form', 'GET', '/login', { jar });
    if (form.error) return false;
    const r = await call('login-post', 'POST', '/login', { jar, form: { username: 'demo', password: demoPassword, _csrf: csrfOf(form.body ?? '') } });
    return r.status === 303;
  } finally {
    releaseLoginSlot();
  }
}

// Wrong passwords go to an unknown user: after 5 failures its per-user limit answers 429 before any
// password work. The per-IP limit (20 failures) is never reached, so the demo logins keep working.
let wrongLogins = 0;
async function wrongLogin() {
  const rationed = wrongLogins < 5;
  if (rationed && !takeLoginSlot()) return;
  wrongLogins++;
  try {
    const jar = new Map();
    const form = await call('login-form', 'GET', '/login', { jar });
    if (form.error) return;
    await call('wrong-password', 'POST', '/login', { jar, form: { username: 'nobody', password: 'wrong', _csrf: csrfOf(form.body ?? '') } });
  } finally {
    if (rationed) releaseLoginSlot();
  }
}

/** Asserts that a request carrying a cookie that must not open a session is sent to /login. */
async function mustBeAnonymous(kind, cookie) {
  const r = await call(kind, 'GET', '/', { cookie });
  if (r.status === 200) fail(`${kind}: an authenticated page was served for a cookie that must be refused`);
}

function tamper(value) {
  // Flip one character in the middle (the ciphertext or the tag): the AEAD tag must catch it.
  const i = Math.floor(value.length / 2);
  const c = value[i] === 'A' ? 'B' : 'A';
  return value.slice(0, i) + c + value.slice(i + 1);
}

let expiredValue = '';
async function makeExpiredCookie() {
  // Sealed with the server's own key, but issued two days ago with a one-hour lifetime.
  const { Keyring, CookieCodec } = await import(pathToFileURL(join(root, 'dist/index.js')).href);
  const file = JSON.parse(readFileSync(join(dataDir, 'keys.json'), 'utf8'));
  const keys = (Array.isArray(file) ? file : file.keys).map(({ id, secret }) => ({ id, secret }));
  const keyring = await Keyring.create(keys);
  const codec = new CookieCodec({ keyring, mode: 'sealed', maxAge: 3600, now: () => Date.now() - 2 * 86_400_000 });
  expiredValue = await codec.encode(sessionName, { v: 1 });
}

// --- malformed requests and slow clients (raw sockets) -------------------------------------------
const MALFORMED = [
  'GARBAGE\r\n\r\n',
  'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
  'GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
  'POST /login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nzz\r\nabc\r\n0\r\n\r\n',
  'POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{"a":',
  `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
  'GET http://evil.example/ HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET //..//..%2f HTTP/1.1\r\nHost: x\r\n\r\n',
  `GET / HTTP/1.1\r\nHost: x\r\nCookie: ${'__Host-session=%%%; '.repeat(300)}\r\n\r\n`,
];

function raw(kind, text) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks = [];
    const timer = setTimeout(() => socket.destroy(), 5_000);
    const start = performance.now();
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const head = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
      record(kind, Number.isFinite(status) ? status : 'closed');
      rawLatencies.push(performance.now() - start);
      if (/\bat .+\(.+:\d+:\d+\)/.test(head)) fail(`${kind}: a stack trace in a response`);
      resolve();
    });
    socket.write(text);
    socket.end();
  });
}

/** Slowloris: one header byte every 250 ms, never finishing, until the server gives up or 12 s pass. */
function slowClient(deadline) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks = [];
    const text = `GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ${'z'.repeat(1000)}`;
    let i = 0;
    let end = 'client-gave-up';
    const started = Date.now();
    const tick = setInterval(() => {
      if (i < text.length && Date.now() - started < 12_000 && Date.now() < deadline) socket.write(text[i++]);
      else socket.destroy();
    }, 250);
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => {});
    socket.on('end', () => (end = 'server-closed'));
    socket.on('close', () => {
      clearInterval(tick);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(Buffer.concat(chunks).toString('latin1'))?.[1]);
      record('slow-client', Number.isFinite(status) ? status : end);
      resolve();
    });
  });
}

// --- the traffic mix ----------------------------------------------------------------------------
let demoPassword = '';
let sessionName = '__Host-session';

async function virtualUser(deadline) {
  const jar = new Map();
  let loggedIn = false;
  let lastCookie = ''; // the last session cookie this user held, replayed while logged out
  while (Date.now() < deadline && failures.length === 0) {
    const session = sessionCookie(jar);
    if (session !== undefined) lastCookie = `${session[0]}=${session[1]}`;
    if (!loggedIn || session === undefined) {
      loggedIn = await login(jar);
      if (!loggedIn) await anonymous(lastCookie);
      if (flags.thinkMs > 0) await sleep(flags.thinkMs);
      continue;
    }
    loggedIn = await step(Math.random(), session, jar);
    if (flags.thinkMs > 0) await sleep(flags.thinkMs);
  }
}

/** What a user does while logged out and no password check is free. */
async function anonymous(lastCookie) {
  const dice = Math.random();
  if (dice < 0.3) await call('anonymous-home', 'GET', '/'); // 303 to /login
  else if (dice < 0.5) await call('healthz', 'GET', '/healthz');
  else if (dice < 0.7 && lastCookie !== '') await mustBeAnonymous('replay-after-logout', lastCookie);
  else if (dice < 0.8) await raw('malformed', MALFORMED[Math.floor(Math.random() * MALFORMED.length)]);
  else await call('login-form', 'GET', '/login');
}

/** One action of the mix; resolves false when the user's session is gone (log in again). */
async function step(dice, session, jar) {
  if (dice < 0.45) {
    // A session write: the home page counts visits in the session and re-seals it.
    return (await call('home', 'GET', '/', { jar })).status === 200;
  } else if (dice < 0.6) {
    await call('login-page-read', 'GET', '/login', { jar }); // a session read: 303 to /
  } else if (dice < 0.68) {
    await call('healthz', 'GET', '/healthz');
  } else if (dice < 0.74) {
    await call('explain', 'GET', '/explain', { jar });
  } else if (dice < 0.8) {
    await mustBeAnonymous('tampered', `${session[0]}=${tamper(session[1])}`);
  } else if (dice < 0.84) {
    await mustBeAnonymous('expired', `${session[0]}=${expiredValue}`);
  } else if (dice < 0.87) {
    await mustBeAnonymous('oversized', `${session[0]}=${'A'.repeat(6000)}`);
  } else if (dice < 0.88) {
    await call('header-too-large', 'GET', '/', { cookie: `x=${'A'.repeat(20_000)}` });
  } else if (dice < 0.89) {
    await wrongLogin(); // 401, then 429 with Retry-After
  } else if (dice < 0.9 && Date.now() >= nextLogin) {
    // Log out (only when a password check is free, so the user can log straight back in), then replay the cookie the session had: it must not get back in (revocation hook).
    const home = await call('home', 'GET', '/', { jar });
    const before = sessionCookie(jar);
    await call('logout', 'POST', '/logout', { jar, form: { _csrf: csrfOf(home.body ?? '') } });
    if (before !== undefined) await mustBeAnonymous('replay-after-logout', `${before[0]}=${before[1]}`);
    return false;
  } else {
    await raw('malformed', MALFORMED[Math.floor(Math.random() * MALFORMED.length)]);
  }
  return true;
}

async function slowClients(deadline) {
  while (Date.now() < deadline - 1_000 && failures.length === 0) await slowClient(deadline);
}

// --- the run ------------------------------------------------------------------------------------
function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Least-squares growth of y over the points with t >= from: slope, and slope x the window's span. */
function trend(points, y, from) {
  const w = points.filter((p) => p.t >= from);
  const n = w.length;
  if (n < 2) return { points: n, slopePerS: NaN, growth: NaN, mean: NaN };
  const mt = w.reduce((a, p) => a + p.t, 0) / n;
  const my = w.reduce((a, p) => a + y(p), 0) / n;
  let num = 0;
  let den = 0;
  for (const p of w) {
    num += (p.t - mt) * (y(p) - my);
    den += (p.t - mt) ** 2;
  }
  const slope = den === 0 ? 0 : num / den;
  return { points: n, slopePerS: slope, growth: slope * (w[n - 1].t - w[0].t), mean: my };
}

async function main() {
  const [, password] = await waitForOutput(/user "demo" with password (\S+)/, 20_000);
  const [, p] = await waitForOutput(/listening on http:\/\/127\.0\.0\.1:(\d+)/, 20_000);
  demoPassword = password;
  port = Number(p);
  await makeExpiredCookie();
  const t0 = Date.now();
  await sleep(200);
  const idle = sample(t0);
  const sampler = setInterval(() => sample(t0), 1_000);
  const deadline = t0 + flags.duration * 1000;
  const users = Array.from({ length: flags.concurrency }, (_, i) => virtualUser(deadline));
  const slow = Array.from({ length: flags.slow }, () => slowClients(deadline));
  await Promise.all([...users, ...slow]);
  clearInterval(sampler);
  sample(t0);

  // Sockets: the client closes its side; the server's count must return near its idle value.
  agent.destroy();
  let settled;
  for (let i = 0; i < 50; i++) {
    settled = sample(t0);
    if (settled === undefined || idle === undefined || settled.sockets <= idle.sockets + 2) break;
    await sleep(100);
  }
  if (settled !== undefined && idle !== undefined && settled.sockets > idle.sockets + 2) {
    fail(`sockets did not return to idle: ${settled.sockets} open, ${idle.sockets} at idle`);
  }

  const warmup = flags.warmup > 0 ? flags.warmup : flags.duration / 3;
  const rss = trend(samples, (s) => s.rssKb / 1024, warmup);
  const rssLimit = Math.max(flags.maxGrowthMb, 0.1 * rss.mean);
  if (rss.points >= 5 && rss.growth > rssLimit) {
    fail(`RSS keeps growing after warm-up: +${rss.growth.toFixed(1)} MB fitted over the window (limit ${rssLimit.toFixed(1)} MB)`);
  }
  const shift = (t0 - spawnedAt) / 1000; // --trace-gc times count from the server's start
  const live = trend(fullGcs.map((g) => ({ t: g.t - shift, liveMb: g.liveMb })), (g) => g.liveMb, warmup);
  const liveLimit = Math.max(flags.maxLiveGrowthMb, 0.5 * live.mean);
  if (live.points >= 3 && live.growth > liveLimit) {
    fail(`the live heap after full GCs keeps growing: +${live.growth.toFixed(1)} MB fitted over the window (limit ${liveLimit.toFixed(1)} MB)`);
  }
  if (failedRequests > 0) fail(`the server logged ${failedRequests} failed request(s)`);

  stopping = true;
  child.kill('SIGTERM');
  const end = await Promise.race([exited, sleep(10_000).then(() => ({ code: 'timeout', signal: null }))]);
  if (end.code !== 0) fail(`the server did not exit 0 on SIGTERM (${end.code}, ${end.signal})`);
  if (/unhandled|uncaught/i.test(stderrText)) fail(`the server printed an unhandled error: ${stderrText.slice(0, 2000)}`);

  const sorted = latencies.sort((a, b) => a - b);
  const pw = passwordLatencies.sort((a, b) => a - b);
  const rl = rawLatencies.sort((a, b) => a - b);
  const report = {
    durationS: flags.duration,
    concurrency: flags.concurrency,
    served,
    requestsPerSecond: served / flags.duration,
    byStatus,
    byKind: counts,
    latencyMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] },
    malformedMs: { p50: percentile(rl, 50), max: rl[rl.length - 1] },
    passwordCheckMs: { p50: percentile(pw, 50), p99: percentile(pw, 99), count: pw.length },
    warmupS: warmup,
    rss: { idleMb: (idle?.rssKb ?? NaN) / 1024, peakMb: Math.max(...samples.map((s) => s.rssKb)) / 1024, windowSamples: rss.points, slopeKbPerS: rss.slopePerS * 1024, growthMb: rss.growth, limitMb: rssLimit },
    liveHeap: { fullGcs: fullGcs.map((g) => g.liveMb), windowGcs: live.points, growthMb: live.growth, limitMb: liveLimit, meanMb: live.mean },
    sockets: { idle: idle?.sockets, peak: Math.max(...samples.map((s) => s.sockets)), end: settled?.sockets },
    samples,
    failures,
  };
  print(report);
  if (flags.json !== '') writeFileSync(flags.json, JSON.stringify(report, null, 2));
}

function print(r) {
  const out = [];
  out.push(`soak: ${r.served} responses in ${r.durationS} s (${r.requestsPerSecond.toFixed(0)}/s), ${r.concurrency} users + ${flags.slow} slow clients`);
  out.push(`  by status: ${Object.entries(r.byStatus).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  out.push(`  latency: p50 ${r.latencyMs.p50?.toFixed(2)} ms, p99 ${r.latencyMs.p99?.toFixed(2)} ms, max ${r.latencyMs.max?.toFixed(1)} ms (without password checks)`);
  out.push(`  malformed requests (raw socket, until closed): p50 ${r.malformedMs.p50?.toFixed(1)} ms, max ${r.malformedMs.max?.toFixed(1)} ms`);
  out.push(`  password checks (POST /login): ${r.passwordCheckMs.count}, p50 ${r.passwordCheckMs.p50?.toFixed(0)} ms, p99 ${r.passwordCheckMs.p99?.toFixed(0)} ms`);
  out.push(`  RSS: idle ${r.rss.idleMb.toFixed(1)} MB, peak ${r.rss.peakMb.toFixed(1)} MB; after the ${r.warmupS.toFixed(0)} s warm-up ${r.rss.slopeKbPerS.toFixed(1)} KB/s, fitted growth ${r.rss.growthMb.toFixed(2)} MB (limit ${r.rss.limitMb.toFixed(1)} MB)`);
  out.push(`  live heap after full GCs (MB): ${r.liveHeap.fullGcs.map((x) => x.toFixed(1)).join(' ')}; after warm-up fitted growth ${r.liveHeap.growthMb.toFixed(2)} MB over ${r.liveHeap.windowGcs} GCs (limit ${r.liveHeap.limitMb.toFixed(1)} MB${r.liveHeap.windowGcs < 3 ? ', not judged: fewer than 3' : ''})`);
  out.push(`  sockets: idle ${r.sockets.idle}, peak ${r.sockets.peak}, after the load ${r.sockets.end}`);
  out.push('  by kind:');
  for (const [k, v] of Object.entries(r.byKind).sort()) out.push(`    ${k.padEnd(32)} ${v}`);
  out.push('  over time (t s, RSS MB, fds, sockets):');
  const step = Math.max(1, Math.ceil(r.samples.length / 12));
  for (let i = 0; i < r.samples.length; i += step) {
    const s = r.samples[i];
    out.push(`    ${s.t.toFixed(0).padStart(5)}  ${(s.rssKb / 1024).toFixed(1).padStart(7)}  ${String(s.fds).padStart(4)}  ${String(s.sockets).padStart(4)}`);
  }
  out.push(r.failures.length === 0 ? 'soak: PASS' : `soak: FAIL\n  - ${r.failures.join('\n  - ')}`);
  console.log(out.join('\n'));
}

try {
  await main();
} catch (err) {
  fail(`soak aborted: ${err?.stack ?? err}`);
  console.log(`soak: FAIL\n  - ${failures.join('\n  - ')}`);
} finally {
  if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(failures.length === 0 ? 0 : 1);
