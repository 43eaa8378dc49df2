// The entry point of `node dist/server.js`: everything lives in src/app/; this file only starts it.
import { commandStyleAt } from './app/commands.js';
import { batchLines } from './app/line-batch.js';
import { startServer } from './app/main.js';

// The access log goes out one write per event-loop turn, not one per request (app/line-batch.ts).
const out = batchLines((text) => void process.stdout.write(text));

await startServer(process.argv.slice(2), {
  env: process.env,
  // The hints name the commands that exist here: npm scripts in a clone, node dist/cli/cachet.js
  // in a built copy such as docs/deploy.md's image (app/commands.ts).
  commands: commandStyleAt(new URL('..', import.meta.url)),
  out: out.line,
  // Queued lines first, so that the two streams keep their order on a terminal.
  err: (line) => {
    out.flush();
    process.stderr.write(`${line}\n`);
  },
});
out.flush(); // the start-up lines (or --help) now, not a turn later
