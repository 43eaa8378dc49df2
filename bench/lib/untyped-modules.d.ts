// Just enough types for the untyped competitors, so `npm run typecheck` covers the bench too.
declare module 'autocannon' {
  interface Histogram { average: number; p50: number; p99: number; total: number }
  interface Result { requests: Histogram; latency: Histogram; non2xx: number; errors: number; timeouts: number }
  export default function autocannon(opts: { url: string; headers?: Record<string, string>; duration: number; connections: number }): Promise<Result>;
}
declare module 'cookie-session' {
  import type { RequestHandler } from 'express';
  export default function cookieSession(options: Record<string, unknown>): RequestHandler;
}
declare module 'express-session' {
  import type { RequestHandler } from 'express';
  function session(options: Record<string, unknown>): RequestHandler;
  namespace session {
    class MemoryStore {}
  }
  export default session;
}
declare namespace Express {
  interface Request {
    session: Record<string, unknown> | null;
  }
}
