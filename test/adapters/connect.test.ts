// cachet/express on Connect: the Node-level response cases (Connect has no res helpers of its own).
import connect from 'connect';
import { createServer } from 'node:http';
import { nodeResponseCases, type NodeFramework } from './node-response-cases.js';

const framework: NodeFramework = {
  name: 'connect',
  create: () => {
    const app = connect();
    return {
      use: (...args: unknown[]) => (app.use as (...a: unknown[]) => unknown)(...args),
      listen: (port, host, cb) => createServer(app).listen(port, host, cb),
    };
  },
};
nodeResponseCases(framework);
