import { Component, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { map, Subject } from 'rxjs';

/**
 * The same panel without rx-reconnect, for the size comparison in ci.sh: it keeps the rxjs and
 * rxjs-interop calls of the real panel, so the difference is rx-reconnect and the service.
 */
@Component({
  selector: 'app-feed-panel',
  template: `<p>{{ state() }}</p><p>{{ price() ?? '—' }}</p>`,
})
export class FeedPanel {
  protected readonly state = signal('closed');
  protected readonly price = toSignal(new Subject<{ price: number }>().pipe(map((tick) => tick.price)));
}
