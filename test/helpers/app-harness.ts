import { after } from 'node:test';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCachetApp, type CachetApp, type CachetAppOptions } from '../../src/app/create-app.js';
import { newStoredKey, type StoredKey } from '../../src/app/key-file.js';
import { addUser } from '../../src/app/user-file.js';
import { tempDir } from './temp-dir.js';
import { TestBrowser } from './browser-client.js';

/** Test-only: a weak work factor so each login costs a millisecond, not 300. */
export const WEAK = { iterations: 1000, unsafeAllowWeakIterationsForTests: true } as const;
export const PASSWORD = 'correct horse battery staple';

export interface Harness {
  built: CachetApp;
  origin: string;
  dir: string;
  keys: StoredKey[];
  logs: string[];
  clock: { now: () => number; advance(ms: number): void };
  browser(): TestBrowser;
  close(): Promise<void>;
}

/** Starts the app on 127.0.0.1:0 with a user "demo", a fixed clock and captured logs. */
export async function startApp(options: Partial<Omit<CachetAppOptions, 'keys'>> & { dir?: string; keys?: StoredKey[]; clockStart?: number } = {}): Promise<Harness> {
  const { dir: givenDir, keys: givenKeys, clockStart, ...appOptions } = options;
  const dir = givenDir ?? tempDir();
  if (givenDir === undefined) await addUser(dir, 'demo', PASSWORD, WEAK);
  const keys = givenKeys ?? [newStoredKey()];
  let t = clockStart ?? 1_764_115_200_000;
  const clock = { now: () => t, advance: (ms: number) => void (t += ms) };
  const logs: string[] = [];
  const built = await createCachetApp({
    dataDir: dir,
    keys,
    now: clock.now,
    log: (line) => logs.push(line),
    passwordHashOptions: WEAK,
    ...appOptions,
  });
  const server = (await built.app.listen({ port: 0, host: '127.0.0.1' })) as Server;
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await built.app.close();
  };
  after(close);
  return { built, origin, dir, keys, logs, clock, browser: () => new TestBrowser(origin), close };
}
