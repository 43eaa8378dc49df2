// workerd (Cloudflare Workers): a module worker. The key arrives as the text binding
// CACHET_DEMO_KEY in `env`, which exists only per request, so the app is built on the first one
// (a Worker may not do crypto work, or any I/O, at the top level).
import { createDemo } from './demo.js';

interface Env {
  CACHET_DEMO_KEY: string;
}

let app: ReturnType<typeof createDemo> | undefined;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    app ??= createDemo({ secret: env.CACHET_DEMO_KEY, runtime: 'workerd' });
    return (await app)(request);
  },
};
