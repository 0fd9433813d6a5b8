import { DestroyRef, Injectable, inject, type Signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import type { Observable } from 'rxjs';
import { connect, type ConnectionEvent, type ConnectionState } from 'rx-reconnect';
import { LIVE_FEED_OPTIONS, type FeedCommand, type Tick } from './live-feed.options';

/** The one channel of this example: BTC prices, re-subscribed after every reconnect. */
const BTC = { op: 'subscribe', channel: 'ticker', symbol: 'BTC' } as const;

/**
 * Owns one live connection for as long as its injector lives: the connection opens when the
 * service is first injected and is closed when the injector is destroyed (the app, a route, or
 * `TestBed.resetTestingModule()`).
 */
@Injectable()
export class LiveFeedService {
  private readonly connection = connect(inject(LIVE_FEED_OPTIONS));

  /** Every lifecycle event of the connection (completes after `Closed`). */
  readonly events$: Observable<ConnectionEvent<FeedCommand>> = this.connection.events$;

  /** The connection state as an Observable: replays the current state, completes after `'closed'`. */
  readonly state$: Observable<ConnectionState> = this.connection.state$;

  /**
   * The connection state as a signal; it reads `'closed'` once the service is destroyed.
   *
   * `manualCleanup`: a plain `toSignal(state$)` would unsubscribe on the same `DestroyRef`,
   * before `close()` below, and stay at `'connected'` for ever. Keeping the subscription is
   * safe because `state$` completes right after `'closed'`, which `close()` always brings.
   * `requireSync`: `state$` replays the current state at once, so the signal is never
   * `undefined`.
   */
  readonly state: Signal<ConnectionState> = toSignal(this.state$, { requireSync: true, manualCleanup: true });

  /** BTC prices; the server subscription is sent with the first subscriber and after every reconnect. */
  readonly btc$: Observable<Tick> = this.connection.channel({
    key: 'ticker:BTC',
    subscribe: BTC,
    unsubscribe: { ...BTC, op: 'unsubscribe' },
    match: (m) => m.channel === 'ticker' && m.symbol === 'BTC',
  });

  constructor() {
    inject(DestroyRef).onDestroy(() => this.connection.close());
  }

  /** Sends now, or buffers while offline (flushed in order after the next restore). */
  order(symbol: string, qty: number): void {
    this.connection.send({ op: 'order', symbol, qty });
  }
}
