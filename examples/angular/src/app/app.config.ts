import type { ApplicationConfig } from '@angular/core';
import { provideConnection } from 'rx-reconnect/angular';
import { LIVE_FEED } from '../live-feed/live-feed';

/**
 * One connection for the whole app, closed when the app is destroyed. In a browser a relative
 * URL is resolved against the page (`/feed` on https://app.example is wss://app.example/feed).
 */
export const appConfig: ApplicationConfig = {
  providers: [provideConnection(LIVE_FEED, { url: '/feed' })],
};
