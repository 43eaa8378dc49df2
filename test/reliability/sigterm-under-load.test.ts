// Fault test (issue 7): a SIGTERM while requests are in flight drops none of them. Every request
// the client sent either got its whole response or was never taken on by the server (connection
// refused or reset before the server's handler ran, with not one response byte).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';

interface Outcome {
  id: string;
  /** 'whole': status 200 and the full body; 'none': an error before any response byte; 'partial': anything else. */
  kind: 'whole' | 'none' | 'partial';
  detail: string;
}

function send(agent: Agent, port: number, id: string, ms: number): Promise<Outcome> {
  return new Promise((resolve) => {
    let gotBytes = false;
    const req = request({ host: '127.0.0.1', port, path: `/work?id=${id}&ms=${ms}`, agent }, (res) => {
      gotBytes = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        const whole = res.statusCode === 200 && body === `done ${id} ${'.'.repeat(4000)}`;
        resolve({ id, kind: whole ? 'whole' : 'partial', detail: `${res.statusCode} ${body.length} bytes` });
      });
      res.on('error', (err) => resolve({ id, kind: 'partial', detail: err.message }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ id, kind: gotBytes ? 'partial' : 'none', detail: err.code ?? err.message }));
    req.end();
  });
}

test('SIGTERM under load: every request sent gets its whole response or was never accepted', async (t) => {
  const script = new URL('./fixtures/load-server.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  try {
    const accepted = new Set<string>();
    let onAccepted = (): void => {};
    const listening = new Promise<number>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const e = JSON.parse(line) as { event: string; port?: number; id?: string };
        if (e.event === 'listening') resolve(e.port as number);
        if (e.event === 'accepted') {
          accepted.add(e.id as string);
          onAccepted();
        }
      });
    });
    const port = await listening;
    // Keep-alive, as browsers and proxies do: idle connections are closed under the clients' feet.
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const outcomes: Outcome[] = [];
    let next = 0;
    let refused = false;
    // Six clients in a loop; two of them ask for slow responses so that some are surely in flight.
    const client = async (ms: number): Promise<void> => {
      while (!refused) {
        const o = await send(agent, port, `r${next++}`, ms);
        outcomes.push(o);
        if (o.kind === 'none' && o.detail === 'ECONNREFUSED') refused = true;
      }
    };
    const clients = [0, 0, 0, 5, 300, 300].map((ms) => client(ms));

    // SIGTERM once the load is going and slow requests are inside their handlers.
    await new Promise<void>((resolve) => {
      onAccepted = () => {
        if (accepted.size >= 60) resolve();
      };
    });
    const done = new Set(outcomes.filter((o) => o.kind === 'whole').map((o) => o.id));
    const inFlight = [...accepted].filter((id) => !done.has(id)).length;
    child.kill('SIGTERM');
    // The clients keep sending until the port refuses; the server must exit 0 on its own.
    assert.deepEqual(await exit, { code: 0, signal: null });
    refused = true;
    await Promise.all(clients);
    agent.destroy();

    const never = outcomes.filter((o) => o.kind === 'none');
    t.diagnostic(`sent ${outcomes.length}, answered whole ${outcomes.length - never.length}, never accepted ${never.length} (${[...new Set(never.map((o) => o.detail))].join(', ')}), in handlers at SIGTERM ${inFlight}`);
    assert.ok(inFlight >= 1, 'at least one request was inside its handler when SIGTERM came');
    const partial = outcomes.filter((o) => o.kind === 'partial');
    assert.deepEqual(partial, [], 'no response was cut short');
    const dropped = outcomes.filter((o) => o.kind === 'none' && accepted.has(o.id));
    assert.deepEqual(dropped, [], 'no accepted request went unanswered');
    const whole = outcomes.filter((o) => o.kind === 'whole');
    for (const o of whole) assert.ok(accepted.has(o.id));
    assert.equal(whole.length, accepted.size, 'every accepted request was answered whole');
    assert.equal(whole.length + outcomes.filter((o) => o.kind === 'none').length, outcomes.length);
  } finally {
    child.kill('SIGKILL');
  }
});
