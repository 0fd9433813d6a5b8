import { WsTestServer, type ServerSocket } from '../../support/ws-server';

/**
 * A scripted stand-in for nats-server over `ws`, for what a real server will not do on demand
 * (malformed frames, lame-duck INFO at a chosen moment): it sends `INFO` on every connection and
 * answers every `PING` line with `PONG`. Everything else is up to the test (`connection.socket.send`).
 */
export async function startFakeNats(
  info: (server: WsTestServer) => Record<string, unknown> = () => ({}),
  /** Whether to answer the `PING`s of a connection's messages after its first one (the handshake's). Default: always. */
  answerPings: () => boolean = () => true,
): Promise<WsTestServer> {
  const server: WsTestServer = await WsTestServer.start({
    onConnection: (connection: ServerSocket) => {
      const fields = { server_id: `FAKE${server.port}`, max_payload: 1_048_576, headers: true, ...info(server) };
      connection.socket.send(`INFO ${JSON.stringify(fields)}\r\n`);
    },
    onMessage: (connection: ServerSocket, text: string) => {
      const pings = text.split('\r\n').filter((line) => line === 'PING').length;
      const handshake = connection.received.length === 1;
      if (pings > 0 && (handshake || answerPings())) connection.socket.send('PONG\r\n'.repeat(pings));
    },
  });
  return server;
}
