/**
 * The client address, with an explicit number of trusted proxies.
 *
 * X-Forwarded-For is written by whoever sends the request, so only the entries appended by our own
 * proxies can be believed: with `trustProxy: n`, the client is the n-th address from the right of
 * `X-Forwarded-For, <socket peer>`. Taking the leftmost entry would let any client choose its ip.
 * @module
 */
import type { IncomingMessage } from 'node:http';

/** The client ip for `req` behind `hops` trusted proxies (0: the socket peer). */
export function clientIp(req: IncomingMessage, hops: number): string {
  const peer = req.socket.remoteAddress ?? '';
  if (hops <= 0) return peer;
  const header = req.headers['x-forwarded-for'];
  if (header === undefined || header === '') return peer;
  const chain = (typeof header === 'string' ? header : header.join(',')).split(',');
  // chain[last] was added by the nearest proxy; the peer itself is hop 0.
  const index = chain.length - hops;
  const picked = chain[index < 0 ? 0 : index];
  const ip = picked === undefined ? '' : picked.trim();
  return ip === '' ? peer : ip;
}
