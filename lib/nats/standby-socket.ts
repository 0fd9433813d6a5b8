import type { SchedulerLike, Subscription } from 'rxjs';
import { defaultWebSocket, type WebSocketConstructor, type WebSocketLike } from '../index';

/** `readyState` values. */
const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

type Listener = (...args: never[]) => void;

/** See {@link StandbySocket}'s `inspect`. */
export type StandbyInspector = (data: unknown, send: (frame: string | ArrayBufferLike | ArrayBufferView) => void) => boolean | undefined;

/** What `ws` adds to the browser API, and the core uses when present (pings, abrupt ends). */
interface NodeExtras {
  ping(): void;
  terminate(): void;
  on(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
}

function hasNodeExtras(socket: WebSocketLike): socket is WebSocketLike & NodeExtras {
  const candidate = socket as Partial<NodeExtras>;
  return (
    typeof candidate.ping === 'function' &&
    typeof candidate.terminate === 'function' &&
    typeof candidate.on === 'function' &&
    typeof candidate.off === 'function'
  );
}

/**
 * A socket opened to the next server before the move away from a lame-duck one, so that the
 * move does not wait for a TCP connection and a WebSocket upgrade. Until the core adopts it (the
 * URL factory names its server and the `WebSocket` constructor hands it over, see
 * {@link standbyConstructor}), what the server sends (its `INFO`) is kept; once adopted, it
 * reports `open` and then replays what it kept, as a socket that has just opened would.
 *
 * It is a {@link WebSocketLike} on the `on*` properties; over a `ws` socket it also has `ws`'s
 * `ping()`, `terminate()` and `pong` events, so the core's heartbeat works on it.
 */
export class StandbySocket implements WebSocketLike {
  binaryType = 'arraybuffer';
  onopen: ((event: never) => unknown) | null = null;
  onmessage: ((event: never) => unknown) | null = null;
  onclose: ((event: never) => unknown) | null = null;
  onerror: ((event: never) => unknown) | null = null;
  /** The server's first frame arrived (its `INFO`): the socket is ready to be adopted. */
  readonly ready: Promise<boolean>;
  private resolveReady: (ready: boolean) => void = () => undefined;
  private readonly kept: unknown[] = [];
  private adopted = false;
  /** Adopted, and `open` reported to the core. */
  private announced = false;
  private closedEvent: unknown;
  private readonly pongListeners = new Map<Listener, Listener>();

  constructor(
    /** The server it is open to. */
    readonly url: string,
    private readonly raw: WebSocketLike,
    /**
     * Reads each frame the server sends before adoption (the frames are kept all the same) and
     * may answer on the socket: true once the socket is ready, false if it cannot be used,
     * undefined to wait for more. Without it, the first frame makes it ready.
     */
    private readonly inspect?: StandbyInspector,
  ) {
    this.ready = new Promise<boolean>((resolve) => (this.resolveReady = resolve));
    raw.binaryType = 'arraybuffer';
    raw.onmessage = ((event: { data: unknown }) => {
      if (this.announced) (this.onmessage as ((e: unknown) => unknown) | null)?.(event);
      else {
        this.kept.push(event);
        const verdict = this.verdict(event.data);
        if (verdict !== undefined) this.resolveReady(verdict);
      }
    }) as WebSocketLike['onmessage'];
    raw.onerror = ((event: unknown) => {
      if (this.announced) (this.onerror as ((e: unknown) => unknown) | null)?.(event);
    }) as WebSocketLike['onerror'];
    raw.onclose = ((event: unknown) => {
      this.resolveReady(false);
      if (this.announced) (this.onclose as ((e: unknown) => unknown) | null)?.(event);
      else this.closedEvent = event;
    }) as WebSocketLike['onclose'];
    if (hasNodeExtras(raw)) {
      const extras: NodeExtras = {
        ping: () => raw.ping(),
        terminate: () => raw.terminate(),
        on: (event, listener) => {
          if (event !== 'pong' || this.pongListeners.has(listener)) return this;
          const bound = (() => (listener as () => void).call(this)) as Listener;
          this.pongListeners.set(listener, bound);
          raw.on('pong', bound);
          return this;
        },
        off: (event, listener) => {
          const bound = this.pongListeners.get(listener);
          if (event !== 'pong' || bound === undefined) return this;
          this.pongListeners.delete(listener);
          raw.off('pong', bound);
          return this;
        },
      };
      Object.assign(this, extras);
    }
  }

  private verdict(data: unknown): boolean | undefined {
    if (this.inspect === undefined) return true;
    try {
      return this.inspect(data, (frame) => this.raw.send(frame));
    } catch {
      return false;
    }
  }

  get readyState(): number {
    if (!this.announced) return this.closedEvent === undefined ? CONNECTING : CLOSED;
    return this.raw.readyState;
  }

  get protocol(): string | undefined {
    const protocol = (this.raw as { protocol?: unknown }).protocol;
    return typeof protocol === 'string' ? protocol : undefined;
  }

  /** Whether the core may still adopt it (not adopted yet, not closed). */
  get available(): boolean {
    return !this.adopted && this.closedEvent === undefined && this.raw.readyState === OPEN;
  }

  send(data: string | ArrayBufferLike | ArrayBufferView): void {
    this.raw.send(data);
  }

  close(code?: number, reason?: string): void {
    this.resolveReady(false);
    if (this.raw.readyState === CLOSED) return;
    this.raw.close(code, reason);
  }

  /**
   * The core takes it as the socket of an attempt: once its handlers are set (the constructor
   * has returned), `open` is reported, then what the server sent so far.
   */
  adopt(): this {
    this.adopted = true;
    void Promise.resolve().then(() => {
      this.announced = true;
      if (this.closedEvent !== undefined) {
        (this.onclose as ((e: unknown) => unknown) | null)?.(this.closedEvent);
        return;
      }
      (this.onopen as ((e: unknown) => unknown) | null)?.({ type: 'open' });
      for (const event of this.kept.splice(0)) {
        if (!this.announced || this.raw.readyState !== OPEN) break;
        (this.onmessage as ((e: unknown) => unknown) | null)?.(event);
      }
    });
    return this;
  }

  /** Not needed after all: closed, unless the core has it. */
  discard(): void {
    if (!this.adopted) this.close(1000);
  }
}

/**
 * The `WebSocket` constructor given to the core: it hands over the standby socket when an
 * attempt is for its server, and otherwise makes a socket with `Impl` as the core would have.
 * Every frame the core writes on either goes through `mayWrite` first: a frame it refuses is not
 * written (the client reports it).
 */
export function linkSocketConstructor(
  Impl: WebSocketConstructor,
  take: (url: string) => StandbySocket | undefined,
  mayWrite: (frame: string | ArrayBufferLike | ArrayBufferView) => boolean,
): WebSocketConstructor {
  function LinkSocket(url: string, protocols?: string | string[], options?: object): WebSocketLike {
    const standby = take(url);
    let socket: WebSocketLike;
    if (standby) socket = standby.adopt();
    else if (options !== undefined) socket = new Impl(url, protocols, options);
    else socket = protocols === undefined ? new Impl(url) : new Impl(url, protocols);
    const send = socket.send;
    socket.send = function guardedSend(this: WebSocketLike, frame) {
      if (mayWrite(frame)) send.call(this, frame);
    };
    return socket;
  }
  return LinkSocket as unknown as WebSocketConstructor;
}

/** The transport the core uses without a `WebSocket` option, or undefined where there is none. */
export function coreWebSocket(): WebSocketConstructor | undefined {
  try {
    return defaultWebSocket();
  } catch {
    return undefined;
  }
}

/** The `transport` option as the core takes it: options, or a factory of them per attempt. */
type TransportOption = object | ((context: { attempt: number; url: string }) => object | Promise<object>);

/**
 * The one standby socket a client may hold: opened by {@link open}, handed to the core by
 * {@link take} (from the `WebSocket` constructor, {@link linkSocketConstructor}) when an attempt
 * is for its server, closed when it is not taken within `timeout` ms of being ready, when another
 * replaces it, and by {@link clear}.
 */
export class StandbySlot {
  private current: StandbySocket | undefined;
  private expiry: Subscription | undefined;
  private cleared = false;

  constructor(
    private readonly Impl: WebSocketConstructor | undefined,
    private readonly transport: TransportOption | undefined,
    private readonly scheduler: SchedulerLike,
    private readonly timeout: number,
    /** A fresh {@link StandbyInspector} per standby socket (the protocol's handshake, done ahead). */
    private readonly inspector?: () => StandbyInspector,
  ) {}

  /** Opens a standby socket to `url`; resolves with it once it is ready (see {@link StandbySocket}), or undefined after `timeout` ms or a failure. */
  async open(url: string): Promise<StandbySocket | undefined> {
    const Impl = this.Impl;
    if (Impl === undefined || this.cleared) return undefined;
    const transport = typeof this.transport === 'function' ? await this.transport({ attempt: 1, url }) : this.transport;
    if (this.cleared) return undefined;
    const raw = transport === undefined ? new Impl(url) : new Impl(url, undefined, transport);
    const standby = new StandbySocket(url, raw, this.inspector?.());
    this.replace(standby);
    const deadline = new Promise<boolean>((resolve) => {
      this.expiry = this.scheduler.schedule(() => resolve(false), this.timeout);
    });
    const ready = await Promise.race([standby.ready, deadline]);
    if (this.current !== standby) return undefined;
    this.expiry?.unsubscribe();
    if (!ready) {
      this.replace(undefined);
      return undefined;
    }
    // Ready: the core takes it soon (after one round trip on the old link), or never.
    this.expiry = this.scheduler.schedule(() => {
      if (this.current === standby) this.replace(undefined);
    }, this.timeout);
    return standby;
  }

  /** The standby socket, if it is open to `url`'s server and still free; it is the core's from now on. */
  take(url: string): StandbySocket | undefined {
    const standby = this.current;
    if (standby === undefined || standby.url !== url || !standby.available) return undefined;
    this.expiry?.unsubscribe();
    this.current = undefined;
    return standby;
  }

  /** The client closed: the standby socket (if any) is closed, and no other is opened. */
  clear(): void {
    this.cleared = true;
    this.replace(undefined);
  }

  private replace(next: StandbySocket | undefined): void {
    this.expiry?.unsubscribe();
    this.expiry = undefined;
    this.current?.discard();
    this.current = next;
  }
}
