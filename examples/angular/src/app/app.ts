import { Component } from '@angular/core';
import { FeedPanel } from './feed-panel';

/** The tiny app the production build measures: one panel showing the live feed. */
@Component({
  selector: 'app-root',
  imports: [FeedPanel],
  template: `<h1>BTC</h1><app-feed-panel />`,
})
export class App {}
