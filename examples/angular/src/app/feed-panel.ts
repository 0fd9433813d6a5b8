import { Component, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { map } from 'rxjs';
import { connectionState } from 'rx-reconnect/angular';
import { btcPrices, LIVE_FEED } from '../live-feed/live-feed';

/** The connection state and the last BTC price, both as signals, and an order button. */
@Component({
  selector: 'app-feed-panel',
  template: `<p class="state">{{ state() }}</p>
    <p class="price">{{ price() ?? '—' }}</p>
    <button (click)="order()">Buy 1 BTC</button>`,
})
export class FeedPanel {
  private readonly feed = inject(LIVE_FEED);
  protected readonly state = connectionState(this.feed);
  // The component's own injector ends this subscription; the connection outlives it.
  protected readonly price = toSignal(btcPrices(this.feed).pipe(map((tick) => tick.price)));

  /** Sent now, or buffered while offline and sent after the next restore. */
  protected order(): void {
    this.feed.send({ op: 'order', symbol: 'BTC', qty: 1 });
  }
}
