// Preloaded into the soaked server (node --expose-gc --import): a full GC every SOAK_GC_EVERY_MS,
// then one stdout line "soak-live-heap <uptime ms> <bytes>" with the heap left after it. That gives
// the live-heap rule a point a second, instead of whenever V8 next needs room (a handful in 30 s).
// One process.stdout.write per line: lines never interleave with the access log (V8's --trace-gc
// goes through C stdio buffers and does, which is why it is not used).
const every = Number(process.env['SOAK_GC_EVERY_MS'] ?? '1000');
if (typeof globalThis.gc === 'function' && every > 0) {
  setInterval(() => {
    globalThis.gc();
    process.stdout.write(`soak-live-heap ${Math.round(performance.now())} ${process.memoryUsage().heapUsed}\n`);
  }, every).unref();
}
