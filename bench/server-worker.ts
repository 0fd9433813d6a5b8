/**
 * The bench's ws server, run in a worker thread (see {@link ServerHandle}). It sends bursts
 * honouring backpressure, counts what it receives, and drops sockets on request.
 */
import { parentPort } from 'node:worker_threads';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { DROP_MARKER, type ServerCommand, type ServerNotice } from './control';

const port = parentPort!;
const post = (notice: ServerNotice): void => port.postMessage(notice);

/** Messages per batch; the last of each batch carries a write callback. */
const BATCH = 512;
/** Batches written but not yet flushed to the kernel, at most. */
const WINDOW = 8;

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
let expected = 0;
let expectId = 0;
let received = 0;
let dropMode = false;
let dropped = 0;

wss.on('listening', () => post({ event: 'listening', port: (wss.address() as { port: number }).port }));
wss.on('connection', (socket) => {
  socket.on('error', () => undefined);
  socket.on('message', (data) => onFrame(socket, data));
});

function onFrame(socket: WebSocket, data: RawData): void {
  if (dropMode && (data as Buffer).includes(DROP_MARKER)) {
    socket.terminate();
    post({ event: 'dropped', total: ++dropped });
    return;
  }
  if (expected > 0 && ++received === expected) {
    expected = 0;
    post({ event: 'received', id: expectId, n: received });
  }
}

function openClients(): WebSocket[] {
  return [...wss.clients].filter((client) => client.readyState === WebSocket.OPEN);
}

/**
 * The TCP socket under a `ws` connection (a private field of `ws`). Corking it around a batch
 * turns a batch into one write instead of one syscall per frame, so the server is never the
 * bottleneck of what the bench measures: the client.
 */
function socketOf(client: WebSocket): { cork(): void; uncork(): void } | undefined {
  const socket = (client as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
  return typeof socket?.cork === 'function' ? socket : undefined;
}

function frame(seq: number, topics: number): string {
  return topics > 0
    ? `{"topic":"t:${seq % topics}","seq":${seq}}`
    : `{"sym":"BTC","seq":${seq},"price":${100 + (seq % 100) / 100}}`;
}

/** Writes `n` frames to every open client, at most {@link WINDOW} batches ahead of the kernel. */
function blast(id: number, n: number, topics: number): void {
  const targets = openClients();
  let sent = 0;
  let inFlight = 0;
  let done = false;
  const flushed = (): void => {
    inFlight--;
    pump();
  };
  const pump = (): void => {
    while (inFlight < WINDOW && sent < n) {
      const end = Math.min(n, sent + BATCH);
      for (const target of targets) socketOf(target)?.cork();
      for (; sent < end; sent++) {
        const text = frame(sent, topics);
        const callback = sent === end - 1 ? flushed : undefined;
        for (const target of targets) target.send(text, callback);
      }
      for (const target of targets) socketOf(target)?.uncork();
      inFlight += targets.length;
    }
    if (sent === n && inFlight === 0 && !done) {
      done = true;
      post({ event: 'blasted', id, n });
    }
  };
  pump();
}

port.on('message', (command: ServerCommand) => {
  const ack = (): void => post({ event: 'ack', id: command.id, clients: openClients().length });
  switch (command.cmd) {
    case 'blast':
      ack();
      blast(command.id, command.n, command.topics);
      break;
    case 'expect':
      expected = command.n;
      expectId = command.id;
      received = 0;
      ack();
      break;
    case 'drop-mode':
      dropMode = command.on;
      ack();
      break;
    case 'reset':
      for (const client of wss.clients) client.terminate();
      ack();
      break;
    case 'stop':
      for (const client of wss.clients) client.terminate();
      wss.close(() => {
        ack();
        port.close();
      });
      break;
  }
});
