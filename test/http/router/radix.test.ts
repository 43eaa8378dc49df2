import { Router } from '../../../src/http/router/radix.js';
import { runRouterConformance } from './router.case.js';

runRouterConformance('Router', (options) => new Router<string>(options));
