// Shared helpers for the http tests: real servers on 127.0.0.1:0, raw sockets for broken requests.
import { connect } from 'node:net';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from '../../src/http/app.js';
import type { ListenOptions } from '../../src/http/listen.js';

export interface Running {
  port: number;
  server: Server;
  close(): Promise<void>;
}

export async function start(app: App, options: ListenOptions = {}): Promise<Running> {
  const server = await app.listen({ port: 0, host: '127.0.0.1', ...options });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string[]>;
  body: string;
  raw: string;
}

export function parseRaw(raw: string): RawResponse {
  const end = raw.indexOf('\r\n\r\n');
  const head = end === -1 ? raw : raw.slice(0, end);
  const lines = head.split('\r\n');
  const status = Number((lines[0] ?? '').split(' ')[1]);
  const headers: Record<string, string[]> = Object.create(null);
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    const name = line.slice(0, i).trim().toLowerCase();
    (headers[name] ??= []).push(line.slice(i + 1).trim());
  }
  return { status, headers, body: end === -1 ? '' : raw.slice(end + 4), raw };
}

/** Sends `text` on a fresh socket and collects everything until the server closes (or `waitMs`). */
export function rawRequest(port: number, text: string | string[], waitMs = 2_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (err) => (chunks.length === 0 ? reject(err) : undefined));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseRaw(Buffer.concat(chunks).toString('utf8')));
    });
    socket.on('connect', () => {
      for (const part of Array.isArray(text) ? text : [text]) socket.write(part, 'latin1');
    });
  });
}

/** A request with `Connection: close`, so the server closes after one response. */
export function get(port: number, path: string, method = 'GET', headers = ''): Promise<RawResponse> {
  return rawRequest(port, `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${headers}\r\n`);
}

export function post(port: number, path: string, type: string, body: string | Buffer, extra = ''): Promise<RawResponse> {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return rawRequest(
    port,
    `POST ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: ${type}\r\nContent-Length: ${bytes.length}\r\n${extra}\r\n` +
      bytes.toString('latin1'),
  );
}
