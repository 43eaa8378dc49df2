/**
 * The child side of the server protocol: a benchmark server listens on 127.0.0.1 port 0
 * and tells the parent its port over the IPC channel. Every server file calls this, so
 * no two runs ever fight over a fixed port.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export function announce(server: Server): void {
  const { port } = server.address() as AddressInfo;
  if (process.send) process.send({ port });
  else console.log(`listening on http://127.0.0.1:${port}/`);
}

/** Listens a plain node:http server on 127.0.0.1 port 0 (or $PORT) and announces it. */
export function listenAndAnnounce(server: Server): void {
  server.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => announce(server));
}
