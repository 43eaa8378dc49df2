// Framework hello: express 5 set up as every express session server here (no x-powered-by, no
// etag), answering GET / with "Hello, world!". The ceiling for the express session rows.
// HOOKS=empty (a diagnostic row) adds one middleware that only calls next().
import express from 'express';
import { announce } from '../../lib/announce.ts';

const app = express();
app.disable('x-powered-by');
app.disable('etag');
if (process.env['HOOKS'] === 'empty') app.use((_req, _res, next) => next());
app.get('/', (_req, res) => {
  res.type('text/plain').send('Hello, world!');
});
const server = app.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => announce(server));
