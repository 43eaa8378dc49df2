// Preloaded into the soaked server (node --expose-gc --import): a full GC every SOAK_GC_EVERY_MS, so
// that --trace-gc reports the live heap once a second instead of whenever V8 next needs the room
// (in a 30 s run that is only a handful of times, too few to tell a leak from warm-up).
const every = Number(process.env['SOAK_GC_EVERY_MS'] ?? '1000');
if (typeof globalThis.gc === 'function' && every > 0) setInterval(() => globalThis.gc(), every).unref();
