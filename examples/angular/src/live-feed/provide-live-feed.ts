import { makeEnvironmentProviders, type EnvironmentProviders } from '@angular/core';
import { LIVE_FEED_OPTIONS, type LiveFeedOptions } from './live-feed.options';
import { LiveFeedService } from './live-feed.service';

/**
 * Provides {@link LiveFeedService} and its options, in `bootstrapApplication`'s providers (one
 * connection for the app) or a route's (one connection while the route is active: it is closed
 * when the route's injector is destroyed).
 *
 * @example
 * ```ts
 * bootstrapApplication(App, { providers: [provideLiveFeed({ url: 'wss://feed.example/ws' })] });
 * ```
 */
export function provideLiveFeed(options: LiveFeedOptions): EnvironmentProviders {
  return makeEnvironmentProviders([{ provide: LIVE_FEED_OPTIONS, useValue: options }, LiveFeedService]);
}
