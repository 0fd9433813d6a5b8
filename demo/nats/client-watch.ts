import { filter, firstValueFrom, ReplaySubject, throwError, timeout, type Observable, type Subscription } from 'rxjs';
import type { ConnectionEvent, ConnectionEventType, ConnectionState } from '../../lib';

type EventOf<T extends ConnectionEventType> = Extract<ConnectionEvent<unknown>, { type: T }>;

/** An event and when it reached the watch (`Date.now()`, ms). */
export interface Stamped<E = ConnectionEvent<unknown>> {
  readonly at: number;
  readonly event: E;
}

/** What a watch needs: a NatsConnection has both. */
export interface Watchable {
  readonly events$: Observable<ConnectionEvent<unknown>>;
  readonly state$: Observable<ConnectionState>;
}

/**
 * Records a client's events with wall-clock stamps and its current state, from the moment it is
 * made (make it in the tick the client is created to see the first `Connecting`).
 */
export class ClientWatch {
  /** Every event so far, stamped, in order. */
  readonly events: Stamped[] = [];
  /** The client's current state (`state$` replays it, so it is set from the start). */
  state: ConnectionState | undefined;
  /** Resolves when `events$` completes (after `Closed`). */
  readonly completed: Promise<void>;
  private markCompleted!: () => void;
  private readonly replay = new ReplaySubject<Stamped>();
  private readonly subscriptions: Subscription[];

  constructor(client: Watchable) {
    this.completed = new Promise<void>((resolve) => (this.markCompleted = resolve));
    this.subscriptions = [
      client.events$.subscribe({
        next: (event) => {
          const stamped = { at: Date.now(), event };
          this.events.push(stamped);
          this.replay.next(stamped);
        },
        complete: () => {
          this.replay.complete();
          this.markCompleted();
        },
      }),
      client.state$.subscribe((state) => (this.state = state)),
    ];
  }

  /** The recorded events of one type. */
  of<T extends ConnectionEventType>(type: T): Array<Stamped<EventOf<T>>> {
    return this.events.filter((s): s is Stamped<EventOf<T>> => s.event.type === type);
  }

  /**
   * The first `type` event stamped at or after `since` (ms, default: any) that passes `where`,
   * recorded or still to come; fails after `ms` or when `events$` completes without one.
   */
  async waitFor<T extends ConnectionEventType>(
    type: T,
    options: { since?: number; where?: (event: EventOf<T>) => boolean; ms?: number } = {},
  ): Promise<Stamped<EventOf<T>>> {
    const { since = 0, where = () => true, ms = 5_000 } = options;
    const what = `${type} (events: ${this.summary()})`;
    try {
      return await firstValueFrom(
        this.replay.pipe(
          filter((s): s is Stamped<EventOf<T>> => s.event.type === type && s.at >= since && where(s.event as EventOf<T>)),
          timeout({ first: ms, with: () => throwError(() => new Error(`no ${what} within ${ms} ms`)) }),
        ),
      );
    } catch (error) {
      if (error instanceof Error && error.name === 'EmptyError') throw new Error(`events$ completed without ${what}`);
      throw error;
    }
  }

  /** The event types so far, for failure messages. */
  summary(): string {
    return this.events.map((s) => s.event.type).join(' → ');
  }

  /** Stops watching (the client itself is left alone). */
  stop(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.replay.complete();
  }
}
