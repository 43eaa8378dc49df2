/**
 * `HttpError`: the one error a handler throws to choose the response status.
 *
 * The public message is what the client reads, so it must never carry internals. Anything else
 * thrown from a handler becomes a generic 500 (see docs/http.md, "Error outcomes").
 * @module
 */
import { STATUS_CODES } from 'node:http';
import { checkOptionKeys, type OptionKeys } from '../errors.js';

/** Options for {@link HttpError}. */
export interface HttpErrorOptions {
  /** Extra response headers, e.g. `Retry-After` or `Allow`. Names are case-insensitive. */
  headers?: Readonly<Record<string, string>>;
  /** The underlying error, for logs only (never sent). */
  cause?: unknown;
}

const OPTION_KEYS: OptionKeys<HttpErrorOptions> = { headers: true, cause: true };

/**
 * An error with an HTTP status and a message that is safe to show the client.
 *
 * @example
 * ```ts
 * app.get('/admin', (ctx) => {
 *   if (!ctx.state.user) throw new HttpError(403, 'Forbidden');
 *   ctx.text('welcome');
 * });
 * ```
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  /** The response status, 400–599. */
  readonly status: number;
  /** The text sent as the response body. */
  readonly publicMessage: string;
  /** Headers added to the error response. */
  readonly headers: Readonly<Record<string, string>>;

  /**
   * @param status an integer in 400–599 (a TypeError otherwise: that is a bug in the caller)
   * @param publicMessage defaults to the standard reason phrase (`Not Found`, ...)
   */
  constructor(status: number, publicMessage?: string, options: HttpErrorOptions = {}) {
    checkOptionKeys('HttpError', options, OPTION_KEYS);
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new TypeError(`HttpError: status must be an integer in 400-599, got ${String(status)}`);
    }
    const message = publicMessage ?? STATUS_CODES[status] ?? 'Error';
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.publicMessage = message;
    this.headers = options.headers ?? {};
  }
}
