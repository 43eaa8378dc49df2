// The contract between the shared session suite (session-suite.ts) and each server it runs on:
// cachet's own createApp, and every adapter on its real framework (issue #16). A harness knows
// one server; the suite knows the behaviours. A behaviour that passes on one server and fails on
// another is a bug in that adapter.
import type { JsonValue, Session, Store } from '../../src/index.js';

/** The values the suite's sessions hold. */
export interface SuiteValues {
  [key: string]: JsonValue | undefined;
  count?: number;
  user?: string;
  big?: string;
}

/**
 * What an action answers: JSON (200), a redirect (302 to `redirect`), text with a status, or a
 * streamed `text/plain` 200 whose body the server writes chunk by chunk, the framework's way (a
 * Node stream, a web `ReadableStream`, `res.write`), so that the headers leave before the body ends.
 * With `appCookie` (`'name=value'`) the route also sets a cookie of its own, the framework's way.
 */
export type Outcome =
  | { json: JsonValue; appCookie?: { name: string; value: string } }
  | { redirect: string }
  | { text: string; status?: number }
  | { chunks: readonly string[] };

/** The adapter's way to load another session of the request by name (`req.sessions(name)`, ...). */
export type SessionsOf = (name: string) => Promise<Session<SuiteValues>>;

/** One neutral route: what the suite asks the server to do with the session named `'session'`. */
export type Action = (session: Session<SuiteValues>, query: URLSearchParams, sessions: SessionsOf) => Outcome | Promise<Outcome>;

/** What a harness serves. */
export interface HarnessOptions {
  /** The store the server's sessions come from. */
  store: Store<SuiteValues>;
  /**
   * The routes: a request `GET|POST /a/<name>?<query>` loads the session `'session'` the
   * framework's way (`req.session`, `ctx.session`, `c.get('session')`, `session()`, or
   * `store.get(ctx, 'session')` on createApp), runs `actions[name](session, query)` and sends
   * its outcome. An unknown name is a 404. An action that throws (or rejects) is left to the
   * framework's own error handling, untouched: its default answer, a 500.
   */
  actions: Readonly<Record<string, Action>>;
  /**
   * When true, the adapter's CSRF protection is on for every route (form field `_csrf`, header
   * `x-csrf-token`, the guard's defaults), urlencoded bodies are readable by it (mount the
   * framework's own body parser where it needs one), `multipart/form-data` bodies reach the check
   * (an app that takes uploads has a parser for them: register one, even a no-op, where the
   * framework refuses an unknown type before any hook, as Fastify does with 415), and `GET /token` answers
   * `{ "token": <the masked token the adapter gives templates> }`.
   */
  csrf: boolean;
}

/** A running server. */
export interface Mounted {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  close(): Promise<void>;
}

/** One server the suite runs on. */
export interface Harness {
  /** Shown in the test titles: `'createApp'`, `'express 5'`, `'fastify'`... */
  name: string;
  /** Why this server cannot stream an answer that carries the session, when it cannot: the streamed case is skipped with it. */
  cannotStream?: string;
  start(options: HarnessOptions): Promise<Mounted>;
}
