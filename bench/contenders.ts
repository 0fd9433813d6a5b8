/**
 * The reconnecting clients compared, behind one interface. Each is given the same server, the
 * same messages and the same base delay; each parses every message with `JSON.parse` (its own
 * deserializer where it has one) and hands it to `onMessage`. The options given to each are
 * written next to it, and in `bench/results.md`.
 */
import PartySocket from 'partysocket/ws';
import ReconnectingWebSocket from 'reconnecting-websocket';
import { retry, type Subscription } from 'rxjs';
import { webSocket } from 'rxjs/webSocket';
import { WebSocket, type RawData } from 'ws';
import { resolve } from 'node:path';
import { connect, type WebSocketConstructor } from '../lib';

/** `ws`'s `WebSocket`, or a subclass of it (the attempt-counting wrapper of the storm). */
export type WsConstructor = typeof WebSocket;

export interface ClientOptions {
  readonly url: string;
  /** The base delay before a reconnect, ms. */
  readonly delay: number;
  /**
   * `true`: every reconnect waits exactly `delay` (no growth, no jitter), where the contender
   * lets that be set; used where only the link's own cost is measured.
   */
  readonly fixed: boolean;
  /** The WebSocket constructor the contender must use. */
  readonly WebSocket: WsConstructor;
  /** Every inbound message, parsed. */
  readonly onMessage: (message: unknown) => void;
}

/** An open client: `close()` closes it for good (no reconnect). */
export interface Client {
  close(): void;
}

export interface Contender {
  /** Column heading. */
  readonly name: string;
  /** The options it is given, in words (for the results). */
  readonly options: string;
  open(options: ClientOptions): Client;
}

const ignore = (): void => undefined;

/**
 * A bare `ws` client that reconnects in the simplest reasonable way: on every `close`, a new
 * socket `delay` ms later (no backoff, no jitter, no limit), until closed.
 */
export const rawWs: Contender = {
  name: 'raw ws',
  options: '`ws` `WebSocket`; on every `close`, a new socket after `delay` (fixed: no backoff, no jitter); `JSON.parse(data.toString())` in the `message` listener',
  open({ url, delay, WebSocket: Ws, onMessage }) {
    let closing = false;
    let socket: WebSocket;
    const message = (data: RawData): void => onMessage(JSON.parse(data.toString()));
    const reopen = (): void => {
      if (!closing) setTimeout(openOne, delay);
    };
    const openOne = (): void => {
      socket = new Ws(url);
      socket.on('error', ignore);
      socket.on('message', message);
      socket.on('close', reopen);
    };
    openOne();
    return {
      close() {
        closing = true;
        socket.close();
      },
    };
  },
};

/** `rxjs/webSocket` (its default `JSON.parse` deserializer) piped through `retry({ delay })`. */
export const rxjsWebSocket: Contender = {
  name: 'rxjs webSocket',
  options: '`webSocket({ url, WebSocketCtor: ws })` piped through `retry({ delay })` (a fixed delay: `retry` has no backoff of its own)',
  open({ url, delay, WebSocket: Ws, onMessage }) {
    const subject = webSocket<unknown>({ url, WebSocketCtor: Ws as unknown as typeof globalThis.WebSocket });
    const subscription: Subscription = subject.pipe(retry({ delay })).subscribe({ next: onMessage, error: ignore });
    return { close: () => subscription.unsubscribe() };
  },
};

interface RwsLike {
  addEventListener(type: 'message', listener: (event: { data: string }) => void): void;
  close(): void;
}
type RwsConstructor = new (url: string, protocols: undefined, options: Record<string, unknown>) => RwsLike;

/** `reconnecting-websocket` and `partysocket/ws` (its fork) take the same options. */
function rwsContender(name: string, Rws: RwsConstructor, note: string): Contender {
  return {
    name,
    options:
      `\`{ WebSocket: ws, minReconnectionDelay: delay }\`, the rest default (×1.3 per retry up to 10 s, no jitter, ` +
      `\`minUptime\` 5 s, \`connectionTimeout\` 4 s); fixed: also \`maxReconnectionDelay: delay\`${note}`,
    open({ url, delay, fixed, WebSocket: Ws, onMessage }) {
      const socket = new Rws(url, undefined, {
        WebSocket: Ws,
        minReconnectionDelay: delay,
        ...(fixed ? { maxReconnectionDelay: delay } : {}),
      });
      socket.addEventListener('message', (event) => onMessage(JSON.parse(event.data)));
      return { close: () => socket.close() };
    },
  };
}

export const reconnectingWebSocket = rwsContender(
  'reconnecting-websocket',
  ReconnectingWebSocket as unknown as RwsConstructor,
  '',
);

export const partySocket = rwsContender(
  'partysocket',
  PartySocket as unknown as RwsConstructor,
  ' (`partysocket/ws`, the fork of reconnecting-websocket)',
);

/** rx-reconnect, default options except the base delay (and, with `heartbeat: false`, no heartbeat). */
function rxReconnect(heartbeat: boolean, connectFn: typeof connect = connect, label = 'rx-reconnect'): Contender {
  return {
    name: heartbeat ? label : `${label} (heartbeat: false)`,
    options:
      `\`connect({ url, WebSocket: ws, retry: { initialDelay: delay }${heartbeat ? '' : ', heartbeat: false'} })\`, ` +
      'everything else default (backoff growth, jitter, `stableAfter`' + (heartbeat ? ', heartbeat' : '') + '); ' +
      'fixed: `retry: { initialDelay: delay, maxDelay: delay, jitter: 0 }`; `messages$.subscribe(…)`',
    open({ url, delay, fixed, WebSocket: Ws, onMessage }) {
      const conn = connectFn<unknown, never>({
        url,
        WebSocket: Ws as unknown as WebSocketConstructor,
        retry: fixed ? { initialDelay: delay, maxDelay: delay, jitter: 0 } : { initialDelay: delay },
        ...(heartbeat ? {} : { heartbeat: false as const }),
      });
      conn.messages$.subscribe({ next: onMessage, error: ignore });
      return { close: () => conn.close() };
    },
  };
}

export const rxReconnectDefault = rxReconnect(true);
export const rxReconnectNoHeartbeat = rxReconnect(false);

/**
 * `BENCH_AB=<checkout>`: the same figures for the rx-reconnect of another checkout (its `lib/`,
 * e.g. a `git worktree` of the previous release), as extra columns in the same run: an A/B
 * comparison on one machine at one moment, where run-to-run noise cannot pass for a change.
 */
const abRoot = process.env.BENCH_AB;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const abConnect: typeof connect | undefined = abRoot ? (require(resolve(abRoot, 'lib')) as { connect: typeof connect }).connect : undefined;
export const AB_CONTENDERS: readonly Contender[] = abConnect
  ? [rxReconnect(true, abConnect, 'rx-reconnect A/B'), rxReconnect(false, abConnect, 'rx-reconnect A/B')]
  : [];

/** Every contender, in column order (`raw ws` first: it is the baseline of every ratio). */
export const CONTENDERS: readonly Contender[] = [rawWs, rxjsWebSocket, reconnectingWebSocket, partySocket, rxReconnectDefault, ...AB_CONTENDERS.slice(0, 1)];

/** A `ws` `WebSocket` that calls `onAttempt` for every socket constructed: one connection attempt. */
export function countingWebSocket(onAttempt: () => void): WsConstructor {
  class CountingWebSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      onAttempt();
    }
  }
  return CountingWebSocket as unknown as WsConstructor;
}
