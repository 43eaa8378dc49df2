/**
 * Scenario "codec" (issue 2): encode+decode round trip and decode alone of a ~150-byte
 * session, sequentially and with 64 operations in flight, against the bare crypto.subtle
 * floor measured in the same run, and against that floor plus what the format requires
 * (codec/spec-floor.ts).
 *
 *   npm run bench:codec           BENCH_MICRO_ROUNDS / BENCH_MICRO_MS to change the rounds
 */
import { machineInfo } from './lib/machine.ts';
import { runCases, type MicroResult } from './lib/micro.ts';
import { heading, publish, table, num, ratio } from './lib/report.ts';
import { cachetAvailable } from './lib/cachet.ts';
import { SESSION_JSON_BYTES } from './lib/fixture.ts';
import type { CodecAdapter, CodecOps } from './codec/adapter.ts';
import bareSubtle from './codec/bare-subtle.ts';
import { floorWithAad, floorWithAadAndJson } from './codec/spec-floor.ts';
import jose from './codec/jose.ts';
import ironSession from './codec/iron-session.ts';
import hapiIron from './codec/hapi-iron.ts';
import { cachetSealed, cachetSigned } from './codec/cachet.ts';

const adapters: CodecAdapter[] = [bareSubtle, floorWithAad, floorWithAadAndJson, jose, ironSession, hapiIron];
if (await cachetAvailable('Keyring', 'CookieCodec')) adapters.push(cachetSealed, cachetSigned);

const machine = machineInfo();
const rounds = Number(process.env['BENCH_MICRO_ROUNDS'] ?? 7);
const roundMs = Number(process.env['BENCH_MICRO_MS'] ?? 200);
const IN_FLIGHT = [1, 64];

const ops: CodecOps[] = [];
for (const a of adapters) ops.push(await a.setup());

async function measureOp(pick: (o: CodecOps) => () => Promise<unknown>): Promise<MicroResult[][]> {
  const cases = adapters.map((a, i) => ({ name: a.name, fn: pick(ops[i]!) }));
  const out: MicroResult[][] = [];
  for (const inFlight of IN_FLIGHT) {
    console.error(`codec: ${inFlight === 1 ? 'sequential' : `${inFlight} in flight`} ...`);
    out.push(await runCases(cases, { inFlight, rounds, roundMs }));
  }
  return out;
}

console.error(`codec: ${adapters.length} codecs, ${rounds} rounds × ${roundMs} ms`);
const roundTrip = await measureOp((o) => o.roundTrip);
const decode = await measureOp((o) => o.decode);

function opTable(results: MicroResult[][]): string {
  const [seq, par] = results as [MicroResult[], MicroResult[]];
  const cols = (r: MicroResult[], i: number): string[] => [
    num(r[i]!.opsPerSec),
    ratio(r[i]!.opsPerSec, r[0]!.opsPerSec),
    num(r[i]!.opsPerCpuSec),
    ratio(r[i]!.opsPerCpuSec, r[0]!.opsPerCpuSec),
  ];
  return table(
    ['codec', 'value bytes', 'sequential ops/s', '× floor', 'ops/CPU-s', '× floor', '64 in flight ops/s', '× floor', 'ops/CPU-s', '× floor'],
    adapters.map((a, i) => [a.name, String(ops[i]!.sample.length), ...cols(seq, i), ...cols(par, i)]),
  );
}

publish(
  'codec',
  heading('Codec', machine, [
    `Session of ${SESSION_JSON_BYTES} bytes of JSON; ${rounds} interleaved rounds of ${roundMs} ms per codec (median shown); ` +
      `floor = bare crypto.subtle AES-256-GCM encrypt/decrypt with a cached key, same run. The two "floor +" rows add what ` +
      `issue 2's format requires (a 38-byte associated data; then JSON and UTF-8 both ways): the least any design meeting it does.`,
  ]) +
    '\n#### Round trip (encode + decode)\n\n' +
    opTable(roundTrip) +
    '\n\n#### Decode alone\n\n' +
    opTable(decode),
);
