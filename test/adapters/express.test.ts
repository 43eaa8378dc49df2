// cachet/express on Express 5: the Node-level response cases, then Express's own helpers.
import express from 'express';
import { nodeResponseCases, type NodeFramework } from './node-response-cases.js';
import { expressHelperCases } from './express-helper-cases.js';

const framework: NodeFramework = { name: 'express 5', create: () => express() as unknown as ReturnType<NodeFramework['create']> };
nodeResponseCases(framework);
expressHelperCases('express 5', express);
