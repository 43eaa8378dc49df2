// Holds calls of a prototype method open until the test releases them, so that a test decides
// the interleaving of a race (no sleeps, no timing). Not a test file.
import { mock } from 'node:test';

export interface HeldCalls {
  /** Resolves once `count` calls have started (each is then waiting for `release`). */
  readonly started: Promise<void>;
  /** Lets every held call, and every later one, finish. */
  release(): void;
  /** Calls seen so far. */
  readonly calls: number;
  restore(): void;
}

/**
 * Wraps `target[method]` so that its first `count` calls start (the original runs at once, so it
 * captures what it captures synchronously, e.g. the keyring) but their results are handed back
 * only after `release()`. Later calls pass straight through.
 */
export function holdCalls<O extends object, K extends keyof O>(target: O, method: K, count = 1): HeldCalls {
  const original = target[method] as unknown as (...args: unknown[]) => Promise<unknown>;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  let entered!: () => void;
  const started = new Promise<void>((resolve) => { entered = resolve; });
  let calls = 0;
  const m: { mock: { restore(): void } } = mock.method(target as Record<string, () => unknown>, method as string, async function (this: unknown, ...args: unknown[]) {
    calls++;
    const result = original.apply(this, args);
    if (calls > count) return result;
    if (calls === count) entered();
    // The original's outcome is kept as it is (a rejection included), and handed back after the gate.
    const settled = result.then((value) => ({ value }), (error: unknown) => ({ error }));
    await gate;
    const outcome = await settled;
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  });
  return {
    started,
    release: () => release(),
    get calls() { return calls; },
    restore: () => m.mock.restore(),
  };
}
