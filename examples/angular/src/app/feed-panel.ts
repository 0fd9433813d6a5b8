import { Component, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { map } from 'rxjs';
import { LiveFeedService } from '../live-feed/live-feed.service';

/** The connection state and the last BTC price, both as signals. */
@Component({
  selector: 'app-feed-panel',
  template: `<p>{{ state() }}</p><p>{{ price() ?? '—' }}</p>`,
})
export class FeedPanel {
  private readonly feed = inject(LiveFeedService);
  protected readonly state = this.feed.state;
  // The component's own injector ends this subscription; the connection outlives it.
  protected readonly price = toSignal(this.feed.btc$.pipe(map((tick) => tick.price)));
}
