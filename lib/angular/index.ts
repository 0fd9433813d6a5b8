/**
 * rx-reconnect for Angular: one connection per injector, closed with it, its state as a signal,
 * and no socket during server-side rendering. Plain functions (no decorators): it needs no
 * Angular compiler, and `@angular/core` (17 or later) is an optional peer dependency of
 * rx-reconnect, needed only by apps that import this entry.
 *
 * @module rx-reconnect/angular
 */
export { connectionState } from './connection-state';
export { provideConnection, type ConnectionOptionsSource, type ProvideConnectionOptions } from './provide-connection';
export { ServerConnection } from './server-connection';
