/**
 * Log lines written in batches: every line given during one turn of the event loop goes out in one
 * write, after the turn.
 *
 * Why: `process.stdout` is synchronous for files and pipes on Linux, so an access-log line per
 * request was a `write` system call per request: about 10% of the reference app's CPU per page
 * view under load (docs/reference-app-speed.md). A batch costs one call per turn, however
 * many requests the turn finished.
 *
 * What it costs: a line reaches the file one turn later, and a process killed with SIGKILL loses
 * the lines of its last turn. Lines still pending when the process exits normally (also after an
 * uncaught exception, or `process.exit`) are written by the `exit` hook.
 * @module
 */

/** A line sink that batches, and the way to force out what it holds. */
export interface LineBatch {
  /** Queues one line (without its newline). */
  line(text: string): void;
  /** Writes what is queued now. */
  flush(): void;
}

/**
 * Batches the lines given to it into one `write` per event-loop turn.
 *
 * @example
 * ```ts
 * const out = batchLines((text) => process.stdout.write(text));
 * out.line('GET / 200 1.2ms 1a2b-1'); // written after this turn, with the others of the turn
 * ```
 */
export function batchLines(write: (text: string) => void, onExit: (flush: () => void) => void = (flush) => void process.on('exit', flush)): LineBatch {
  let pending = '';
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending === '') return;
    const text = pending;
    pending = '';
    write(text);
  };
  onExit(flush);
  return {
    line(text) {
      pending += `${text}\n`;
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
