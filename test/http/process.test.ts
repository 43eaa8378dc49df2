// Process-level behaviour: a child process runs test/http/fixtures/server.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { get } from './helpers.js';

interface Fixture {
  child: ChildProcess;
  next(event: string): Promise<Record<string, unknown>>;
  exit: Promise<{ code: number | null; signal: string | null }>;
}

function spawnFixture(env: Record<string, string> = {}): Fixture {
  const script = new URL('./fixtures/server.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const events: Record<string, unknown>[] = [];
  const waiters: { event: string; resolve: (e: Record<string, unknown>) => void; reject: (err: Error) => void }[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const e = JSON.parse(line) as Record<string, unknown>;
    const i = waiters.findIndex((w) => w.event === e['event']);
    if (i === -1) events.push(e);
    else waiters.splice(i, 1)[0]?.resolve(e);
  });
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      for (const w of waiters.splice(0)) w.reject(new Error(`fixture exited (${code ?? signal}) before '${w.event}'`));
      resolve({ code, signal });
    }),
  );
  return {
    child,
    exit,
    next: (event) =>
      new Promise((resolve, reject) => {
        const i = events.findIndex((e) => e['event'] === event);
        if (i !== -1) resolve(events.splice(i, 1)[0] as Record<string, unknown>);
        else if (child.exitCode !== null || child.signalCode !== null) reject(new Error(`fixture already exited before '${event}'`));
        else waiters.push({ event, resolve, reject });
      }),
  };
}

test('SIGTERM during a slow request lets it finish, then the process exits 0', async () => {
  const f = spawnFixture();
  try {
    const { port } = (await f.next('listening')) as { port: number };
    const pending = get(port, '/slow?ms=400', 'GET');
    await f.next('slow-started');
    f.child.kill('SIGTERM');
    const r = await pending;
    assert.equal(r.status, 200);
    assert.equal(r.body, 'done');
    assert.deepEqual(await f.exit, { code: 0, signal: null });
  } finally {
    f.child.kill('SIGKILL');
  }
});

test('under workers: 2, killing one worker still leaves the port answering, and its replacement serves', async () => {
  const f = spawnFixture({ FIXTURE_WORKERS: '2' });
  try {
    const { port, pids } = (await f.next('listening')) as { port: number; pids: number[] };
    await f.next('online');
    await f.next('online');
    assert.equal(pids.length, 2);
    const victim = pids[0] as number;
    process.kill(victim, 'SIGKILL');
    const exited = await f.next('exit');
    assert.equal(exited['pid'], victim);
    for (let i = 0; i < 4; i++) {
      const r = await get(port, '/pid');
      assert.equal(r.status, 200);
      assert.notEqual(Number(r.body), victim);
    }
    const replacement = await f.next('online');
    assert.notEqual(replacement['pid'], victim);
    // The replacement takes its share of the traffic (the primary deals connections round-robin),
    // and the surviving worker is still among those answering.
    const answered = new Set<number>();
    for (let i = 0; i < 40 && answered.size < 2; i++) {
      const r = await get(port, '/pid');
      assert.equal(r.status, 200);
      answered.add(Number(r.body));
    }
    assert.deepEqual([...answered].sort(), [pids[1] as number, replacement['pid'] as number].sort());
    f.child.kill('SIGTERM');
    assert.deepEqual(await f.exit, { code: 0, signal: null });
  } finally {
    f.child.kill('SIGKILL');
  }
});
