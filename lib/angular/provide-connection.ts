import { DestroyRef, InjectionToken, PLATFORM_ID, inject, makeEnvironmentProviders, type EnvironmentProviders } from '@angular/core';
import { connect } from '../connect';
import type { Connection } from '../connection/connection';
import type { ConnectOptions } from '../options/connect-options';
import { ServerConnection } from './server-connection';

/**
 * Where a provided connection's options come from: the options themselves, a token that
 * provides them, or a factory run in the injection context (so it may call `inject()`).
 */
export type ConnectionOptionsSource<In, Out> =
  | ConnectOptions<In, Out>
  | InjectionToken<ConnectOptions<In, Out>>
  | (() => ConnectOptions<In, Out>);

/** How {@link provideConnection} behaves beyond the connection's own options. */
export interface ProvideConnectionOptions {
  /**
   * Open the connection during server-side rendering too. By default a server render
   * (`PLATFORM_ID` is `'server'`) gets a connection that opens no socket and stays `'idle'`
   * (see {@link ServerConnection}); the options are then not even read.
   * @default false
   */
  connectOnServer?: boolean;
}

/**
 * Provides one connection under `token` for the injector these providers are added to: the
 * application's (in `bootstrapApplication`'s or `ApplicationConfig`'s `providers`), or a route's
 * (`providers` of a route: the connection lives while the route does). It is made the first time
 * `token` is injected, from `options` (an object, a token, or a factory run in the injection
 * context), and closed with `close()` when the injector is destroyed (its `DestroyRef`).
 *
 * On the server platform no socket is opened unless `connectOnServer` is set (see
 * {@link ProvideConnectionOptions}). Read the state in a template with {@link connectionState}.
 *
 * @example
 * ```ts
 * export const FEED = new InjectionToken<Connection<Tick, Command>>('FEED');
 *
 * bootstrapApplication(App, {
 *   providers: [provideConnection(FEED, () => ({ url: inject(FEED_URL), lazy: true }))],
 * });
 *
 * // in a component or a service:
 * readonly feed = inject(FEED);
 * readonly state = connectionState(this.feed); // a Signal<ConnectionState>
 * ```
 */
export function provideConnection<In, Out>(
  token: InjectionToken<Connection<In, Out>>,
  options: ConnectionOptionsSource<In, Out>,
  settings: ProvideConnectionOptions = {},
): EnvironmentProviders {
  return makeEnvironmentProviders([
    {
      provide: token,
      useFactory: (): Connection<In, Out> => {
        const connection =
          inject(PLATFORM_ID, { optional: true }) === 'server' && settings.connectOnServer !== true
            ? new ServerConnection<In, Out>()
            : connect(readOptions(options));
        inject(DestroyRef).onDestroy(() => connection.close());
        return connection;
      },
    },
  ]);
}

function readOptions<In, Out>(source: ConnectionOptionsSource<In, Out>): ConnectOptions<In, Out> {
  if (source instanceof InjectionToken) return inject(source);
  return typeof source === 'function' ? source() : source;
}
