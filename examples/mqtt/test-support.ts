import type { Packet } from 'mqtt-packet';
import type { Subscription } from 'rxjs';
import type { ConnectionEvent, ConnectionEventType } from '../../lib';
import type { MqttClient } from './client';

/** How long one awaited step may take before the test fails instead of hanging. */
export const STEP_MS = 5_000;

/** Fast, deterministic reconnects for tests: 20, 40, 80, 100, 100… ms. */
export const FAST_RETRY = { initialDelay: 20, maxDelay: 100, multiplier: 2, jitter: 0 } as const;

/** `promise`, or a rejection naming `what` after `ms` (the timer is cleared either way). */
export function within<T>(promise: Promise<T>, what: string, ms = STEP_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** Resolves once `condition()` holds (checked every 10 ms); rejects naming `what` after `ms`. */
export function until(condition: () => boolean, what: string, ms = STEP_MS): Promise<void> {
  return within(
    (async () => {
      while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
    })(),
    what,
    ms,
  );
}

/** One entry of a client's timeline: an event, or an inbound packet, in the order delivered. */
export type Entry = { readonly event: ConnectionEvent<Packet> } | { readonly packet: Packet };

/**
 * Records a client's events and inbound packets in one timeline (both come through the core's
 * one delivery queue, so their order is the order things happened). Create it in the tick the
 * client is made, so it sees the first `Connecting`.
 */
export class Timeline {
  readonly entries: Entry[] = [];
  private readonly subscriptions: Subscription[];

  constructor(client: MqttClient) {
    this.subscriptions = [
      client.events$.subscribe((event) => this.entries.push({ event })),
      client.packets$.subscribe({ next: (packet) => this.entries.push({ packet }), error: () => undefined }),
    ];
  }

  /** The recorded events, optionally of one type. */
  events<T extends ConnectionEventType>(type?: T): Extract<ConnectionEvent<Packet>, { type: T }>[] {
    return this.entries.flatMap((entry) =>
      'event' in entry && (type === undefined || entry.event.type === type)
        ? [entry.event as Extract<ConnectionEvent<Packet>, { type: T }>]
        : [],
    );
  }

  /** Index in {@link entries} of the first `type` event at or after `from`, or -1. */
  indexOf(type: ConnectionEventType, from = 0): number {
    return this.entries.findIndex((entry, i) => i >= from && 'event' in entry && entry.event.type === type);
  }

  /** The first `type` event at or after index `from`, recorded or still to come (bounded). */
  async next<T extends ConnectionEventType>(type: T, from = 0, ms = STEP_MS): Promise<Extract<ConnectionEvent<Packet>, { type: T }>> {
    await until(() => this.indexOf(type, from) >= 0, `${type} (timeline: ${this.summary()})`, ms);
    return (this.entries[this.indexOf(type, from)] as { event: Extract<ConnectionEvent<Packet>, { type: T }> }).event;
  }

  /** The timeline in short form, for failure messages. */
  summary(): string {
    return this.entries
      .map((entry) => ('event' in entry ? entry.event.type : entry.packet.cmd.toUpperCase()))
      .join(' ');
  }

  /** Stops recording. */
  stop(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }
}
