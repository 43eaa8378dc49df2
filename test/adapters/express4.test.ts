// cachet/express on Express 4: the shared session suite, the Node-level response cases, then
// Express's own helpers.
import express4 from 'express4';
import { sessionSuite } from './session-suite.js';
import { expressHarness } from './express-harness.js';
import { nodeResponseCases, type NodeFramework } from './node-response-cases.js';
import { expressHelperCases } from './express-helper-cases.js';

sessionSuite(expressHarness('express 4', express4));
const framework: NodeFramework = { name: 'express 4', create: () => express4() as unknown as ReturnType<NodeFramework['create']> };
nodeResponseCases(framework);
expressHelperCases('express 4', express4);
