/**
 * Running a middleware chain: `(ctx, next)` functions, Koa-style, where `next()` runs the rest.
 * @module
 */
import type { Context } from './context.js';
import type { Middleware, Next } from './types.js';

const DONE: Promise<void> = Promise.resolve();
const endOfChain: Next = () => DONE;

/**
 * Runs `chain` on `ctx`. A chain of one (just the handler, the common case) is called directly
 * and may complete synchronously: no promise, no closure. Longer chains get one `next` closure
 * per step, which refuses a second call (running the rest of the chain twice would send twice).
 */
export function runChain(ctx: Context, chain: readonly Middleware[]): Promise<void> | void {
  if (chain.length === 1) {
    const out: unknown = (chain[0] as Middleware)(ctx, endOfChain);
    // Plain JavaScript callers may return anything; only a thenable is waited for.
    return typeof (out as Promise<void> | undefined)?.then === 'function' ? (out as Promise<void>) : undefined;
  }
  return dispatch(ctx, chain, 0);
}

function dispatch(ctx: Context, chain: readonly Middleware[], index: number): Promise<void> {
  const fn = chain[index];
  if (fn === undefined) return DONE;
  let called = false;
  const next: Next = () => {
    if (called) return Promise.reject(new Error('next() was called twice in one middleware'));
    called = true;
    return dispatch(ctx, chain, index + 1);
  };
  try {
    return Promise.resolve(fn(ctx, next));
  } catch (err) {
    return Promise.reject(err);
  }
}
