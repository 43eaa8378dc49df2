// Peer (for context): express 5 answering "hello" from a route.
import express from 'express';
import { announce } from '../../lib/announce.ts';

const app = express();
app.disable('x-powered-by');
app.get('/', (_req, res) => {
  res.type('text/plain').send('Hello, world!');
});
const server = app.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => announce(server));
