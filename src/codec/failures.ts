/**
 * The codec's errors: one fixed message per code, the precise reason only in `detail`.
 * @module
 */
import { SessionError, type DecodeErrorCode } from '../errors.js';

// One message per code. Every authentication failure shares ERR_COOKIE_TAMPERED and its
// message (habit 4): a response must not tell an attacker which check failed.
export type CodecDecodeCode = Extract<DecodeErrorCode, `ERR_COOKIE_${string}`>;
export const MESSAGES: Record<CodecDecodeCode, string> = {
  ERR_COOKIE_TOO_LARGE: 'cookie is larger than 4096 bytes',
  ERR_COOKIE_TAMPERED: 'cookie value could not be authenticated',
  ERR_COOKIE_VERSION: 'cookie value has an unsupported format version or mode',
  ERR_COOKIE_KEY_UNKNOWN: 'cookie value names a key that is not in the keyring',
  ERR_COOKIE_EXPIRED: 'cookie value has expired',
  ERR_COOKIE_NOT_YET_VALID: 'cookie value is not valid yet',
  ERR_COOKIE_MALFORMED: 'cookie value does not hold JSON data',
};

export function fail(code: CodecDecodeCode, detail: string): SessionError {
  return new SessionError(code, 'decode', MESSAGES[code], { detail });
}

export function usage(code: 'ERR_OPTIONS_INVALID' | 'ERR_DATA_INVALID' | 'ERR_COOKIE_NAME_INVALID' | 'ERR_COOKIE_TOO_LARGE', message: string, cause?: unknown): SessionError {
  return new SessionError(code, 'usage', message, cause === undefined ? {} : { cause });
}

export function seconds(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw usage('ERR_OPTIONS_INVALID', `${what} must be an integer number of seconds from ${min} to ${max}`);
  }
  return value;
}

export function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) throw usage('ERR_COOKIE_NAME_INVALID', 'cookie name must be a non-empty string');
}
