import { firstValueFrom } from 'rxjs';
import { WebSocket } from 'ws';
import { connect, ofType, type Connection, type ConnectOptions } from '../lib';

/** A plain `ws` client, open. */
export function openRaw(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url);
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}

/** Closes a plain client and waits for the close handshake. */
export function closeRaw(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.close();
  return closed;
}

/**
 * An rx-reconnect connection with its first link up (and, when channels were subscribed in
 * `beforeOpen`, their subscriptions sent).
 */
export async function openLib<In, Out>(
  url: string,
  options: Partial<ConnectOptions<In, Out>> = {},
  beforeOpen: (conn: Connection<In, Out>) => void = () => undefined,
): Promise<Connection<In, Out>> {
  const conn = connect<In, Out>({ url, ...options });
  const connected = firstValueFrom(conn.events$.pipe(ofType('Connected', 'Closed')));
  beforeOpen(conn);
  const event = await connected;
  if (event.type === 'Closed') throw new Error(`rx-reconnect could not connect: ${String(event.error)}`);
  return conn;
}
