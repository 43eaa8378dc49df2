// A small model of how a browser stores a Set-Cookie: RFC 6265bis §5.6 (parsing the header) and
// §5.7 (storage model), for a secure request to https://www.example.com/app/page, plus Chrome's
// CHIPS rule (Partitioned needs Secure). Tests use it as the oracle for "would a browser keep this,
// exactly as intended?". It is deliberately written from the RFC text, not from src/.

export const MODEL_HOST = 'www.example.com';
export const MODEL_DEFAULT_PATH = '/app';
export const MODEL_NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const AGE_LIMIT_MS = 400 * 24 * 3600 * 1000;

export interface StoredCookie {
  name: string;
  value: string;
  hostOnly: boolean;
  domain: string;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: 'Strict' | 'Lax' | 'None' | 'Default';
  partitioned: boolean;
  /** ms since the epoch, or undefined for a session cookie. */
  expiry: number | undefined;
}

const CTL = /[\x00-\x08\x0a-\x1f\x7f]/;
const trim = (s: string): string => s.replace(/^[ \t]+|[ \t]+$/g, '');
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// §5.1.1, reduced to the IMF-fixdate form (all a server should send) and its year rules.
function parseDate(text: string): number | undefined {
  const m = /^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec(text);
  if (m === null) return undefined;
  const month = MONTHS.indexOf(m[2]!.toLowerCase());
  const year = Number(m[3]);
  if (month < 0 || year < 1601) return undefined;
  return Date.UTC(year, month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** Returns the cookie the browser stores, or null when it ignores the header or the cookie is already expired. */
export function browserStore(header: string): StoredCookie | null {
  const outcome = browserReceive(header);
  return outcome.kind === 'stored' ? outcome.cookie : null;
}

/**
 * What the browser does with a Set-Cookie: ignores it, stores the cookie, or accepts it with an
 * expiry in the past, which deletes the cookie with the same name, domain and path (§5.7 step 23).
 */
export function browserReceive(
  header: string,
): { kind: 'ignored' } | { kind: 'stored' | 'deleted'; cookie: StoredCookie; /** attributes whose value the browser discarded */ discarded: string[] } {
  const ignored = { kind: 'ignored' } as const;
  if (CTL.test(header)) return ignored; // §5.6 step 1
  const semi = header.indexOf(';');
  const pair = semi === -1 ? header : header.slice(0, semi);
  let rest = semi === -1 ? '' : header.slice(semi);
  const eq = pair.indexOf('=');
  const name = trim(eq === -1 ? '' : pair.slice(0, eq));
  const value = trim(eq === -1 ? pair : pair.slice(eq + 1));
  if (name.length + value.length === 0) return ignored;
  if (Buffer.byteLength(name) + Buffer.byteLength(value) > 4096) return ignored;

  let expires: number | undefined;
  let maxAge: number | undefined;
  let domain: string | undefined;
  let path: string | undefined;
  let secure = false;
  let httpOnly = false;
  let partitioned = false;
  let sameSite: StoredCookie['sameSite'] = 'Default';
  const discarded: string[] = [];
  while (rest.length > 0) {
    rest = rest.slice(1);
    const next = rest.indexOf(';');
    const av = next === -1 ? rest : rest.slice(0, next);
    rest = next === -1 ? '' : rest.slice(next);
    const aeq = av.indexOf('=');
    const key = trim(aeq === -1 ? av : av.slice(0, aeq)).toLowerCase();
    const val = trim(aeq === -1 ? '' : av.slice(aeq + 1));
    if (Buffer.byteLength(val) > 1024) {
      discarded.push(key);
      continue;
    }
    if (key === 'expires') {
      const t = parseDate(val);
      if (t !== undefined) expires = Math.min(t, MODEL_NOW + AGE_LIMIT_MS);
      else discarded.push(key);
    } else if (key === 'max-age') {
      if (!/^-?\d+$/.test(val)) {
        discarded.push(key);
        continue;
      }
      const delta = Number(val);
      maxAge = delta <= 0 ? -Infinity : MODEL_NOW + Math.min(delta * 1000, AGE_LIMIT_MS);
    } else if (key === 'domain') {
      if (val !== '') domain = (val.startsWith('.') ? val.slice(1) : val).toLowerCase();
      else discarded.push(key);
    } else if (key === 'path') {
      path = val.startsWith('/') ? val : undefined;
      if (path === undefined) discarded.push(key);
    } else if (key === 'secure') secure = true;
    else if (key === 'httponly') httpOnly = true;
    else if (key === 'partitioned') partitioned = true;
    else if (key === 'samesite') {
      const v = val.toLowerCase();
      sameSite = v === 'strict' ? 'Strict' : v === 'lax' ? 'Lax' : v === 'none' ? 'None' : 'Default';
      if (sameSite === 'Default') discarded.push(key);
    }
  }
  // §5.7 storage model
  let hostOnly = true;
  let cookieDomain = MODEL_HOST;
  if (domain !== undefined) {
    if (!(domain === MODEL_HOST || MODEL_HOST.endsWith(`.${domain}`))) return ignored;
    if (domain === 'com') return ignored; // public suffix
    hostOnly = false;
    cookieDomain = domain;
  }
  if (sameSite === 'None' && !secure) return ignored;
  if (partitioned && !secure) return ignored; // Chrome's CHIPS rule
  const lower = name.toLowerCase();
  if (lower.startsWith('__secure-') && !secure) return ignored;
  if (lower.startsWith('__host-') && !(secure && hostOnly && path === '/')) return ignored;
  const expiry = maxAge ?? expires;
  const cookie = { name, value, hostOnly, domain: cookieDomain, path: path ?? MODEL_DEFAULT_PATH, secure, httpOnly, sameSite, partitioned, expiry };
  return { kind: expiry !== undefined && expiry <= MODEL_NOW ? 'deleted' : 'stored', cookie, discarded };
}
