// Framework hello: express 5 set up as every express session server here (no x-powered-by, no
// etag), answering GET / with "Hello, world!". The ceiling for the express session rows.
import express from 'express';
import { announce } from '../../lib/announce.ts';

const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.get('/', (_req, res) => {
  res.type('text/plain').send('Hello, world!');
});
const server = app.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => announce(server));
