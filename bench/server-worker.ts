/**
 * The bench's ws server, run in a worker thread or a child process (see {@link BenchServer}).
 * It greets every connection with a {@link Hello} carrying its TCP accept time, sends bursts
 * honouring backpressure, counts what it receives, drops sockets on request, and goes down
 * for an outage (stops listening, drops every socket) and back up on the same port.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { now } from './clock';
import { DROP_MARKER, type ServerCommand, type ServerNotice } from './control';

/** The parent: the main thread (worker mode) or the parent process (child-process mode). */
const parent = parentPort ?? {
  postMessage: (notice: ServerNotice) => void process.send!(notice),
  on: (event: 'message', listener: (command: ServerCommand) => void) => process.on(event, listener),
  close: () => process.disconnect(),
};
const post = (notice: ServerNotice): void => parent.postMessage(notice);
/** Listen backlog (`--scale` raises it so 10 000 reconnects are not dropped by the kernel). */
const backlog = Number((workerData as { backlog?: number } | null)?.backlog ?? process.argv[2] ?? 511);

/** Bytes per batch at most; the last frame of each batch carries a write callback. */
const BATCH_BYTES = 256 * 1024;
/** Messages per batch at most. */
const BATCH = 512;
/** Batches written but not yet flushed to the kernel, at most. */
const WINDOW = 8;

const acceptedAt = new WeakMap<Socket, number>();
const sockets = new Set<Socket>();
const http: Server = createServer((_, res) => res.writeHead(426).end());
const wss = new WebSocketServer({ server: http });
let port = 0;
let expected = 0;
let expectId = 0;
let received = 0;
let dropMode = false;
let dropped = 0;
/** TCP accept times since the server came back up after an outage (until asked for). */
let acceptLog: number[] | undefined;

http.on('connection', (socket: Socket) => {
  const at = now();
  acceptedAt.set(socket, at);
  acceptLog?.push(at);
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket));
});
http.listen({ host: '127.0.0.1', port: 0, backlog }, () => {
  port = (http.address() as { port: number }).port;
  post({ event: 'listening', port });
});
wss.on('connection', (socket, request) => {
  socket.on('error', () => undefined);
  socket.on('message', (data) => onFrame(socket, data));
  socket.send(`{"hello":${acceptedAt.get(request.socket as Socket) ?? now()}}`);
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

function framer(topics: number, bytes: number): (seq: number) => string {
  if (topics > 0) return (seq) => `{"topic":"t:${seq % topics}","seq":${seq}}`;
  const tick = (seq: number): string => `{"sym":"BTC","seq":${seq},"price":${100 + (seq % 100) / 100}`;
  if (bytes <= 0) return (seq) => `${tick(seq)}}`;
  const pad = 'x'.repeat(bytes);
  // `,"pad":""}` is 10 bytes.
  return (seq) => {
    const head = tick(seq);
    return `${head},"pad":"${pad.slice(0, Math.max(0, bytes - head.length - 10))}"}`;
  };
}

/** Writes `n` frames to every open client, at most {@link WINDOW} batches ahead of the kernel. */
function blast(id: number, n: number, topics: number, bytes: number): void {
  const targets = openClients();
  const frame = framer(topics, bytes);
  const batch = bytes > 0 ? Math.max(1, Math.min(BATCH, Math.floor(BATCH_BYTES / bytes))) : BATCH;
  let sent = 0;
  let inFlight = 0;
  let done = false;
  const flushed = (): void => {
    inFlight--;
    pump();
  };
  const pump = (): void => {
    while (inFlight < WINDOW && sent < n) {
      const end = Math.min(n, sent + batch);
      for (const target of targets) socketOf(target)?.cork();
      for (; sent < end; sent++) {
        const text = frame(sent);
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

/** Stops listening, drops every socket, and listens again on the same port after `ms`. */
function outage(id: number, ms: number): void {
  http.close();
  const clients = wss.clients.size;
  for (const client of wss.clients) client.terminate();
  for (const socket of sockets) socket.destroy();
  post({ event: 'down', id, at: now(), clients });
  setTimeout(() => {
    acceptLog = [];
    http.listen({ host: '127.0.0.1', port, backlog }, () => post({ event: 'up', id, at: now() }));
  }, ms);
}

parent.on('message', (command: ServerCommand) => {
  const ack = (): void => post({ event: 'ack', id: command.id, clients: openClients().length });
  switch (command.cmd) {
    case 'blast':
      ack();
      blast(command.id, command.n, command.topics, command.bytes);
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
      ack();
      for (const client of wss.clients) client.terminate();
      break;
    case 'outage':
      ack();
      outage(command.id, command.ms);
      break;
    case 'accepts':
      ack();
      post({ event: 'accepts', id: command.id, times: acceptLog ?? [] });
      acceptLog = undefined;
      break;
    case 'stop':
      for (const client of wss.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      wss.close();
      http.close(() => {
        ack();
        parent.close();
      });
      break;
  }
});
