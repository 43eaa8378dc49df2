// Baseline: the least a node:http server can do to answer "hello".
import { createServer } from 'node:http';
import { listenAndAnnounce } from '../../lib/announce.ts';

const body = 'Hello, world!';
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length });
  res.end(body);
});
listenAndAnnounce(server);
