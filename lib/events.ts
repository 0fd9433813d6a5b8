import { filter } from './rx';
import type { OperatorFunction } from 'rxjs';
import type { DisconnectReason } from './errors/disconnect-error';

/** Why the connection ended: the `reason` of `Closed`. */
export type ClosedReason = 'manual' | 'stopped' | 'max-attempts' | 'timeout' | 'fatal';

/** An attempt starts: the first connect and every reconnect. */
export interface ConnectingEvent {
  readonly type: 'Connecting';
  /** 0 for the initial connection; n for the n-th retry of an outage. */
  readonly attempt: number;
  /** The server this attempt goes to. */
  readonly url: string;
}

/** The first link of the connection's life is open (and its handshake acked). */
export interface ConnectedEvent {
  readonly type: 'Connected';
  readonly url: string;
}

/** A link was lost or an attempt failed. */
export interface DisconnectedEvent {
  readonly type: 'Disconnected';
  readonly reason: DisconnectReason;
  /** The close code, when the socket reported one. */
  readonly code?: number;
  /** What went wrong, when something did (a {@link DisconnectError} for network causes). */
  readonly error?: unknown;
  /** True when no retry follows (unless `retry()` is called from this event's handler). */
  readonly permanent: boolean;
  /** The attempt that failed, or 0 when an established link was lost. */
  readonly attempt: number;
  /** The limit of consecutive failed attempts in force (`Infinity` when unbounded). */
  readonly maxAttempts: number;
}

/** A retry is scheduled `delay` ms from now. */
export interface ReconnectingEvent {
  readonly type: 'Reconnecting';
  /** The attempt about to be made: 1 for the first retry of an outage. */
  readonly attempt: number;
  /** Milliseconds until it starts. */
  readonly delay: number;
  /** The failure that led here. */
  readonly error?: unknown;
}

/**
 * A link is back after an outage. `SubscriptionsRestored` follows once every channel has been
 * re-sent (and acked where asked) — unless this link is lost first: then `Disconnected` comes
 * instead, and the restore starts over on the next link. So `Reconnected` alone is not the
 * all-clear; wait for `SubscriptionsRestored`.
 */
export interface ReconnectedEvent {
  readonly type: 'Reconnected';
  /** The attempt that succeeded. */
  readonly attempt: number;
  readonly url: string;
  /** Milliseconds since the previous link was lost. */
  readonly downtime: number;
}

/**
 * Every channel subscription is re-sent (and acked where asked): the all-clear. It follows
 * `Reconnected` on the same link (with `count: 0` when there are no channels), unless that link
 * is lost before the restore is done; the offline buffer flushes right after it.
 */
export interface SubscriptionsRestoredEvent {
  readonly type: 'SubscriptionsRestored';
  /** How many channels were restored. */
  readonly count: number;
}

/** The circuit breaker opened: no attempt is made for `retryIn` ms. */
export interface CircuitBreakerOpenEvent {
  readonly type: 'CircuitBreakerOpen';
  /** How many times it has opened in a row (1, then 2 after a failed probe, …). */
  readonly trips: number;
  /** Milliseconds until the half-open probe. */
  readonly retryIn: number;
}

/**
 * An inbound frame could not be deserialized or decoded (the serializer or the codec's decoder
 * threw, or its result could not be read), or `route` or `isPong` threw on one of its
 * messages. The stream goes on.
 */
export interface InvalidMessageEvent {
  readonly type: 'InvalidMessage';
  /**
   * For a frame: a {@link DeserializeError} wrapping what the serializer or decoder threw; for
   * `route` or `isPong`: what it threw.
   */
  readonly error: unknown;
  /** The raw frame. */
  readonly data: unknown;
}

/**
 * A `lazy` connection went idle: nothing needed the link for `lazy.idleAfter` ms (no
 * `messages$` subscriber, no channel, nothing buffered), so it closed it and makes no attempt
 * until something needs one again. When a link was up, `Disconnected{reason: 'manual',
 * permanent: true}` precedes it (no retry follows). Not terminal.
 */
export interface IdleEvent {
  readonly type: 'Idle';
}

/** Terminal: the connection is over. `events$` and `state$` complete after it. */
export interface ClosedEvent<Out = unknown> {
  readonly type: 'Closed';
  readonly reason: ClosedReason;
  /** What ended it, when something did. */
  readonly error?: unknown;
  /** Messages accepted by `send()` that never reached a link, oldest first. */
  readonly unsent: readonly Out[];
}

/**
 * Everything that happens in a connection's life, discriminated on `type`.
 * Narrow it with {@link ofType}.
 */
export type ConnectionEvent<Out = unknown> =
  | ConnectingEvent
  | ConnectedEvent
  | DisconnectedEvent
  | ReconnectingEvent
  | ReconnectedEvent
  | SubscriptionsRestoredEvent
  | CircuitBreakerOpenEvent
  | InvalidMessageEvent
  | IdleEvent
  | ClosedEvent<Out>;

/** The `type` tag of a {@link ConnectionEvent}. */
export type ConnectionEventType = ConnectionEvent['type'];

/**
 * Keeps only the events of the given types, narrowed to them.
 *
 * @example
 * ```ts
 * conn.events$.pipe(ofType('Reconnecting')).subscribe(e => console.log(e.attempt, e.delay)); // events$ never errors
 * ```
 */
export function ofType<E extends { readonly type: string }, T extends E['type']>(
  ...types: [T, ...T[]]
): OperatorFunction<E, Extract<E, { type: T }>> {
  const wanted: ReadonlySet<string> = new Set(types);
  return filter((event: E): event is Extract<E, { type: T }> => wanted.has(event.type));
}
