import { LinearRouter } from '../../../src/http/router/linear.js';
import { runRouterConformance } from './router.case.js';

runRouterConformance('LinearRouter', (options) => new LinearRouter<string>(options));
