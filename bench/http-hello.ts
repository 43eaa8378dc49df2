/**
 * Scenario "HTTP hello" (issue 3): cachet's router, context and helpers against raw node:http,
 * over loopback with wrk (or autocannon). express and fastify answer the same route for context.
 *
 *   npm run bench:http            BENCH_DURATION / BENCH_ROUNDS / BENCH_CONNECTIONS to change the load
 */
import { machineInfo } from './lib/machine.ts';
import { serverNodeVersion } from './lib/server-process.ts';
import { runHttpTable, httpOptionsFromEnv, expectText, type HttpTarget } from './lib/http-table.ts';
import { heading, publish, httpTable } from './lib/report.ts';
import { cachetAvailable } from './lib/cachet.ts';

const hello = (name: string, role: HttpTarget['role'], server: string): HttpTarget => ({
  name,
  role,
  server,
  path: '/',
  async prepare(url) {
    await expectText(url + '/', {}, 'Hello, world!');
    return {};
  },
});

const targets: HttpTarget[] = [
  hello('raw node:http (baseline)', 'baseline', 'servers/hello/raw-node.ts'),
  hello('express 5', 'peer', 'servers/hello/express.ts'),
  hello('fastify 5', 'peer', 'servers/hello/fastify.ts'),
];
if (await cachetAvailable('createApp')) {
  targets.push(
    hello('cachet createApp + app.listen', 'cachet', 'servers/hello/cachet.ts'),
    hello('cachet app.handler on plain node:http', 'cachet', 'servers/hello/cachet-handler.ts'),
  );
}

const machine = machineInfo({ serverNode: serverNodeVersion() });
const options = httpOptionsFromEnv();
console.error(`http hello: ${targets.length} servers, ${options.rounds} rounds × ${options.duration}s, ${options.connections} connections`);
const results = await runHttpTable(targets, options);
publish(
  'http-hello',
  heading('HTTP hello', machine, [
    `${options.connections} connections, ${options.rounds} interleaved rounds of ${options.duration} s each (median shown), ${results[0]!.rounds[0]!.tool}, one server process each.`,
  ]) +
    '\n' +
    httpTable(results, '× raw'),
);
