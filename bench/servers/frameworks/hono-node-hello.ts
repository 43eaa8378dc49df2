// Framework hello: hono on Node through @hono/node-server, answering GET / with "Hello, world!".
// The ceiling for the hono session rows.
// HOOKS=empty (a diagnostic row) adds one middleware that only awaits next(), as cachet/hono
// does: what Hono charges any middleware, before any session work.
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { announce } from '../../lib/announce.ts';

const app = new Hono();
if (process.env['HOOKS'] === 'empty') app.use(async (_c, next) => void (await next()));
app.get('/', (c) => c.text('Hello, world!'));
const server = serve({ fetch: app.fetch, port: Number(process.env['PORT'] ?? 0), hostname: '127.0.0.1' }, () => announce(server as Server));
