// Deliberately simple reference implementations the fuzz tests compare cachet against. Written
// from the RFCs, not from the code under test, and slow on purpose: clarity over speed.

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Percent-decodes a string (RFC 3986 §2.1), or null for a lone '%', a bad hex pair, or escaped
 * bytes that are not UTF-8 (overlong forms and encoded surrogates included).
 */
export function oracleDecode(text: string): string | null {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '%') {
      out += text[i];
      i++;
      continue;
    }
    const bytes: number[] = [];
    while (text[i] === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return null;
      bytes.push(parseInt(hex, 16));
      i += 3;
    }
    const decoded = oracleUtf8(Uint8Array.from(bytes));
    if (decoded === null) return null;
    out += decoded;
  }
  return out;
}

/** Strict UTF-8 decoding (WHATWG "UTF-8 decode": a leading BOM is dropped), or null. */
export function oracleUtf8(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * application/x-www-form-urlencoded (WHATWG URL §5.1) made strict: the name/value pairs in order,
 * or null when a component holds a malformed escape.
 */
export function oracleForm(text: string): [string, string][] | null {
  const pairs: [string, string][] = [];
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = oracleDecode((eq === -1 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
    const value = oracleDecode(eq === -1 ? '' : part.slice(eq + 1).replace(/\+/g, ' '));
    if (name === null || value === null) return null;
    pairs.push([name, value]);
  }
  return pairs;
}

/** True when parsed JSON holds a key that reaches a prototype when merged naively. */
export function hasForbiddenKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasForbiddenKey);
  if (typeof value !== 'object' || value === null) return false;
  for (const key of Object.keys(value)) {
    const child = (value as Record<string, unknown>)[key];
    if (key === '__proto__') return true;
    if (key === 'constructor' && typeof child === 'object' && child !== null && Object.hasOwn(child, 'prototype')) return true;
    if (hasForbiddenKey(child)) return true;
  }
  return false;
}
