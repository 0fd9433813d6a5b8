import type { ApplicationConfig } from '@angular/core';
import { provideLiveFeed } from '../live-feed/provide-live-feed';

/** One connection for the whole app, closed when the app is destroyed. */
export const appConfig: ApplicationConfig = {
  providers: [provideLiveFeed({ url: 'wss://feed.example/ws' })],
};
