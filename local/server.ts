// The contract every embedded server follows, so `npm start`, the tests and the benchmarks wire them alike.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ComponentHealth {
  ok: boolean;
  detail?: string;
}

export interface LocalServer {
  /** Component name as shown by `GET /health`, e.g. `kms`. */
  name: string;
  /** Base URL clients use, e.g. `http://127.0.0.1:4599`. */
  url: string;
  port: number;
  health(): Promise<ComponentHealth>;
  close(): Promise<void>;
}

export class PortInUseError extends Error {
  override name = 'PortInUseError';
  constructor(
    readonly component: string,
    readonly port: number,
  ) {
    super(`${component}: port ${port} is already in use; stop whatever holds it or choose another port`);
  }
}

/** Listens on host:port (0 = any free port) and turns EADDRINUSE into a PortInUseError that names the port. */
export function listen(server: Server | import('node:net').Server, port: number, host: string, component: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(component, port) : err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Closes a node server, also dropping idle keep-alive sockets so shutdown does not hang. */
export function closeServer(server: Server | import('node:net').Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err && (err as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING' ? reject(err) : resolve()));
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
}
