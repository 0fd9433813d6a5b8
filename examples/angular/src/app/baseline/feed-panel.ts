import { Component, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { map, Subject } from 'rxjs';

/**
 * The same panel without rx-reconnect, for the size comparison in ci.sh: it keeps the rxjs and
 * rxjs-interop calls of the real panel, so the difference is rx-reconnect and its Angular entry.
 */
@Component({
  selector: 'app-feed-panel',
  template: `<p class="state">{{ state() }}</p>
    <p class="price">{{ price() ?? '—' }}</p>
    <button (click)="order()">Buy 1 BTC</button>`,
})
export class FeedPanel {
  private readonly orders = new Subject<{ op: string; symbol: string; qty: number }>();
  protected readonly state = signal('closed');
  protected readonly price = toSignal(new Subject<{ price: number }>().pipe(map((tick) => tick.price)));

  protected order(): void {
    this.orders.next({ op: 'order', symbol: 'BTC', qty: 1 });
  }
}
