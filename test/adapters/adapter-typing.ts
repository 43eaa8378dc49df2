// The typing snippets docs/adapters/express.md and koa.md give users, compiled as they are written
// there (npm run typecheck covers test/): `req.session` and `ctx.session` typed by declaration
// merging, with cachet importing neither framework. The values are the suite's, since merging is
// global to this program.
import type { SessionRequest } from '../../src/adapters/express/index.js';
import type { SessionFields } from '../../src/adapters/koa/index.js';
import type Koa from 'koa';
import { sessions as koaSessions } from '../../src/adapters/koa/index.js';
import type { Store } from '../../src/session/core/types.js';
import type { SuiteValues } from './harness.js';

declare global {
  namespace Express {
    interface Request extends SessionRequest<SuiteValues> {}
  }
}

declare module 'koa' {
  interface DefaultContext extends SessionFields<SuiteValues> {}
}

// The Koa `ip` option takes a function of Koa's own context, annotated as such (docs/adapters/koa.md).
export const koaIpTyped = (store: Store<SuiteValues>) => koaSessions({ store, ip: (ctx: Koa.Context) => ctx.get('x-real-ip') || undefined });
