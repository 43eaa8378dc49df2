/**
 * Request bodies: URL-encoded forms and JSON, read once, with limits.
 *
 * Limits are checked before buffering: a `Content-Length` over the limit is refused (413) before a
 * byte is read, and a chunked body is refused the moment the running total crosses the limit; we
 * stop listening and let the app close the connection, so the rest is never buffered.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { OptionKeys } from '../errors.js';
import { HttpError } from './http-error.js';

/** Body limits. */
export interface BodyOptions {
  /** Largest body accepted, in bytes. Default 100 000 (100 kB). */
  limit?: number;
  /** Most fields accepted in a form. Default 1000. */
  fields?: number;
}

/**
 * The default body limits.
 *
 * @example
 * ```ts
 * const app = createApp({ body: { ...BODY_DEFAULTS, limit: 1_000_000 } }); // 1 MB bodies
 * ```
 */
export const BODY_DEFAULTS: Readonly<Required<BodyOptions>> = Object.freeze({ limit: 100_000, fields: 1000 });

/** @internal The keys of {@link BodyOptions}, for the unknown-option check. */
export const BODY_OPTION_KEYS: OptionKeys<BodyOptions> = { limit: true, fields: true };

const FORM_TYPE = 'application/x-www-form-urlencoded';
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The media type of a `Content-Type` value, lowercased, and whether its charset (if any) is UTF-8. */
function mediaType(header: string | undefined): { type: string; utf8: boolean } {
  if (header === undefined) return { type: '', utf8: true };
  const semi = header.indexOf(';');
  const type = (semi === -1 ? header : header.slice(0, semi)).trim().toLowerCase();
  if (semi === -1) return { type, utf8: true };
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(header.slice(semi));
  return { type, utf8: charset === null || /^utf-?8$/i.test(charset[1] ?? '') };
}

/**
 * @internal Set by cachet's server on a request that sent `Expect: 100-continue`: sends the
 * "100 Continue" the client waits for before its body. Called once, when the body is read.
 */
export const SEND_CONTINUE: unique symbol = Symbol('cachet.sendContinue');

/** @internal A request that may carry {@link SEND_CONTINUE}. */
export type ContinueRequest = IncomingMessage & { [SEND_CONTINUE]?: (() => void) | undefined };

/**
 * Reads the raw body with a byte limit. Rejects with HttpError 413 before reading when
 * Content-Length is over the limit, and as soon as the running total crosses it. A client that
 * asked `Expect: 100-continue` is told to send its body only here, after those checks.
 */
export function readRawBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(new HttpError(413, 'Payload Too Large'));
  }
  const sendContinue = (req as ContinueRequest)[SEND_CONTINUE];
  if (sendContinue !== undefined) {
    (req as ContinueRequest)[SEND_CONTINUE] = undefined;
    sendContinue();
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > limit) {
        cleanup();
        // Stop reading: the app answers 413 with Connection: close and the rest is never buffered.
        req.pause();
        reject(new HttpError(413, 'Payload Too Large'));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(new HttpError(400, 'Bad Request', { cause: err }));
    };
    const onAborted = (): void => onError(new Error('request aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new HttpError(400, 'Bad Request: body is not UTF-8');
  }
}

function checkEncoding(req: IncomingMessage): void {
  const enc = req.headers['content-encoding'];
  if (enc !== undefined && enc.toLowerCase() !== 'identity') throw new HttpError(415, 'Unsupported Media Type');
}

/**
 * Parses an `application/x-www-form-urlencoded` body into `URLSearchParams`.
 * Stricter than `URLSearchParams` itself: a malformed escape or non-UTF-8 bytes give 400
 * instead of being kept or replaced silently; more than `fields` fields give 413.
 */
export async function readForm(req: IncomingMessage, options: Required<BodyOptions>): Promise<URLSearchParams> {
  const { type, utf8: isUtf8 } = mediaType(req.headers['content-type']);
  if (type !== FORM_TYPE || !isUtf8) throw new HttpError(415, 'Unsupported Media Type');
  checkEncoding(req);
  const text = decodeUtf8(await readRawBody(req, options.limit));
  const form = new URLSearchParams();
  if (text === '') return form;
  const parts = text.split('&');
  if (parts.length > options.fields) throw new HttpError(413, 'Payload Too Large: too many fields');
  for (const part of parts) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? '' : part.slice(eq + 1);
    form.append(decodeFormComponent(rawName), decodeFormComponent(rawValue));
  }
  return form;
}

function decodeFormComponent(raw: string): string {
  const spaced = raw.includes('+') ? raw.replaceAll('+', ' ') : raw;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    throw new HttpError(400, 'Bad Request: malformed form encoding');
  }
}

// Keys that would reach an object's prototype if the parsed value is later merged with
// Object.assign or a naive deep merge (prototype pollution). Refused rather than dropped so the
// client learns its request was not taken as sent.
function refuseProtoKeys(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new HttpError(400, 'Bad Request: forbidden JSON key');
  if (key === 'constructor' && typeof value === 'object' && value !== null && 'prototype' in value) {
    throw new HttpError(400, 'Bad Request: forbidden JSON key');
  }
  return value;
}

/**
 * Parses a JSON body (`application/json` or `application/*+json`, UTF-8).
 * Malformed JSON, an empty body, and the keys `__proto__` / `constructor.prototype` give 400.
 */
export async function readJson(req: IncomingMessage, options: Required<BodyOptions>): Promise<unknown> {
  const { type, utf8: isUtf8 } = mediaType(req.headers['content-type']);
  const isJson = type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
  if (!isJson || !isUtf8) throw new HttpError(415, 'Unsupported Media Type');
  checkEncoding(req);
  const text = decodeUtf8(await readRawBody(req, options.limit));
  // The reviver costs a call per value; only pay it when a forbidden key could be present
  // (escapes such as \u005f_proto__ decode to the same key, hence the backslash test).
  const suspicious = text.includes('__proto__') || text.includes('constructor') || text.includes('\\u');
  try {
    return suspicious ? JSON.parse(text, refuseProtoKeys) : JSON.parse(text);
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(400, 'Bad Request: malformed JSON');
  }
}
