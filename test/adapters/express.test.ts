// cachet/express on Express 5: the shared session suite, the Node-level response cases, then
// Express's own helpers.
import express from 'express';
import { sessionSuite } from './session-suite.js';
import { expressHarness } from './express-harness.js';
import { nodeResponseCases, type NodeFramework } from './node-response-cases.js';
import { expressHelperCases } from './express-helper-cases.js';

sessionSuite(expressHarness('express 5', express));
const framework: NodeFramework = { name: 'express 5', create: () => express() as unknown as ReturnType<NodeFramework['create']> };
nodeResponseCases(framework);
expressHelperCases('express 5', express);
