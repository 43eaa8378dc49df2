// The entry point of `node dist/server.js`: everything lives in src/app/; this file only starts it.
import { startServer } from './app/main.js';

await startServer(process.argv.slice(2), {
  env: process.env,
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
});
