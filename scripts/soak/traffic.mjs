// The soak's client (see scripts/soak.mjs): virtual users on a node:http keep-alive agent, raw
// node:net sockets for malformed requests, and slowloris clients. Bounded: one request at a time
// per user, at most --slow slow clients, and password checks rationed by --login-interval.
import { Agent, request } from 'node:http';
import { connect } from 'node:net';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {object} ctx
 * @param {number} ctx.port the server's port on 127.0.0.1
 * @param {{ concurrency: number, loginInterval: number, thinkMs: number }} ctx.flags
 * @param {string} ctx.demoPassword
 * @param {string} ctx.expiredValue a session cookie value sealed with the server's key, expired
 * @param {(kind: string, status: number | string, ms?: number) => void} ctx.record
 * @param {(why: string) => void} ctx.fail
 * @param {() => boolean} ctx.healthy false once a failure is recorded (the users stop)
 * @param {() => boolean} ctx.stopping true once the server is being stopped on purpose
 */
export function createTraffic({ port, flags, demoPassword, expiredValue, record, fail, healthy, stopping }) {
  // --- the HTTP client ----------------------------------------------------------------------------
  const rawLatencies = []; // malformed requests on raw sockets: until the server closes the connection
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
      if (!stopping()) fail(`${kind}: ${method} ${path} failed: ${r.error.message}`);
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

  async function virtualUser(deadline) {
    const jar = new Map();
    let loggedIn = false;
    let lastCookie = ''; // the last session cookie this user held, replayed while logged out
    while (Date.now() < deadline && healthy()) {
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
    while (Date.now() < deadline - 1_000 && healthy()) await slowClient(deadline);
  }

  return { virtualUser, slowClients, rawLatencies, close: () => agent.destroy() };
}
