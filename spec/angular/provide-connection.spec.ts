import {
  createEnvironmentInjector,
  inject,
  InjectionToken,
  Injector,
  PLATFORM_ID,
  type EnvironmentInjector,
  type EnvironmentProviders,
  type Provider,
} from '@angular/core';
import { map, take, timer } from 'rxjs';
import { connectionState, provideConnection, ServerConnection } from '../../lib/angular';
import type { Connection, ConnectionEvent, ConnectOptions } from '../../lib';
import { TestServer } from '../../lib/testing';
import { testScheduler } from '../support/marbles';

type Msg = { readonly op: string };
const FEED = new InjectionToken<Connection<Msg, Msg>>('FEED');
const FEED_URL = new InjectionToken<string>('FEED_URL');
const FEED_OPTIONS = new InjectionToken<ConnectOptions<Msg, Msg>>('FEED_OPTIONS');

/** An environment injector as an application's or a route's, without TestBed or a platform. */
function environment(providers: Array<Provider | EnvironmentProviders>): EnvironmentInjector {
  return createEnvironmentInjector(providers, Injector.create({ providers: [] }) as EnvironmentInjector);
}

describe('provideConnection()', () => {
  it('makes one connection per injector on first inject, and closes it with the injector: the state signal shows closed', () => {
    let server!: TestServer;
    const seen: string[] = [];
    testScheduler().run(({ expectObservable }) => {
      server = new TestServer();
      const injector = environment([provideConnection(FEED, { url: 'ws://feed.test/ws', WebSocket: server.WebSocket })]);
      const feed = injector.get(FEED);
      expect(injector.get(FEED)).toBe(feed);
      const state = connectionState(feed);
      seen.push(state());
      timer(1, 10)
        .pipe(take(4))
        .subscribe(() => seen.push(state()));
      timer(25).subscribe(() => injector.destroy());
      expectObservable(feed.events$.pipe(map((e: ConnectionEvent<Msg>) => e.type))).toBe('(ab) 21ms (cd|)', {
        a: 'Connecting',
        b: 'Connected',
        c: 'Disconnected',
        d: 'Closed',
      });
    });
    expect(seen).toEqual(['connecting', 'connected', 'connected', 'connected', 'closed']);
    expect(server.open).toEqual([]);
  });

  it('a route-like child injector owns its own connection, closed when it is destroyed while the parent lives', () => {
    testScheduler().run(() => {
      const server = new TestServer();
      const options = { url: 'ws://feed.test/ws', WebSocket: server.WebSocket };
      const app = environment([provideConnection(FEED, options)]);
      const route = createEnvironmentInjector([provideConnection(FEED, options)], app);
      const appFeed = app.get(FEED);
      const routeFeed = route.get(FEED);
      expect(routeFeed).not.toBe(appFeed);
      route.destroy();
      expect([appFeed.state, routeFeed.state]).toEqual(['connecting', 'closed']);
      app.destroy();
      expect(appFeed.state).toBe('closed');
    });
  });

  it('runs an options factory in the injection context, so it can inject()', () => {
    let server!: TestServer;
    testScheduler().run(() => {
      server = new TestServer();
      const injector = environment([
        { provide: FEED_URL, useValue: 'ws://from-a-token.test/ws' },
        provideConnection(FEED, () => ({ url: inject(FEED_URL), WebSocket: server.WebSocket })),
      ]);
      injector.get(FEED);
      timer(5).subscribe(() => injector.destroy());
    });
    expect(server.connections.map((c) => c.url)).toEqual(['ws://from-a-token.test/ws']);
  });

  it('reads options from an InjectionToken', () => {
    let server!: TestServer;
    testScheduler().run(() => {
      server = new TestServer();
      const injector = environment([
        { provide: FEED_OPTIONS, useValue: { url: 'ws://options-token.test/ws', WebSocket: server.WebSocket } },
        provideConnection(FEED, FEED_OPTIONS),
      ]);
      injector.get(FEED);
      timer(5).subscribe(() => injector.destroy());
    });
    expect(server.connections.map((c) => c.url)).toEqual(['ws://options-token.test/ws']);
  });

  it('throws the ConfigError of bad options when the connection is injected', () => {
    const injector = environment([provideConnection(FEED, { url: 'ftp://feed.test' })]);
    expect(() => injector.get(FEED)).toThrow(/Invalid option url/);
    injector.destroy();
  });
});

describe('provideConnection() on the server platform', () => {
  it('opens no socket and does not read the options; the connection is idle, keeps sends and returns them when closed', () => {
    const factory = jest.fn((): ConnectOptions<Msg, Msg> => ({ url: 'ws://feed.test/ws' }));
    const injector = environment([{ provide: PLATFORM_ID, useValue: 'server' }, provideConnection(FEED, factory)]);
    const feed = injector.get(FEED);
    expect(feed).toBeInstanceOf(ServerConnection);
    expect(factory).not.toHaveBeenCalled();
    const events: ConnectionEvent<Msg>[] = [];
    const delivered: Msg[] = [];
    let channelCompleted = false;
    feed.events$.subscribe((e) => events.push(e));
    feed.channel({ subscribe: { op: 'sub' }, match: () => true }).subscribe({ next: (m) => delivered.push(m), complete: () => (channelCompleted = true) });
    const state = connectionState(feed);
    expect(state()).toBe('idle');
    feed.send({ op: 'order' });
    expect(feed.sendNow({ op: 'now' })).toBe(false);
    expect(feed.buffered).toBe(1);
    injector.destroy();
    expect(state()).toBe('closed');
    expect(events).toEqual([{ type: 'Closed', reason: 'manual', unsent: [{ op: 'order' }] }]);
    expect(delivered).toEqual([]);
    expect(channelCompleted).toBe(true);
    expect(() => feed.send({ op: 'late' })).toThrow(/Connection closed/);
  });

  it('connects on the server too with connectOnServer: true', () => {
    let server!: TestServer;
    testScheduler().run(() => {
      server = new TestServer();
      const injector = environment([
        { provide: PLATFORM_ID, useValue: 'server' },
        provideConnection(FEED, { url: 'ws://feed.test/ws', WebSocket: server.WebSocket }, { connectOnServer: true }),
      ]);
      const feed = injector.get(FEED);
      expect(feed).not.toBeInstanceOf(ServerConnection);
      timer(5).subscribe(() => injector.destroy());
    });
    expect(server.connections).toHaveLength(1);
  });
});

describe('connectionState()', () => {
  it('gives one signal per connection, however many callers', () => {
    testScheduler().run(() => {
      const server = new TestServer();
      const injector = environment([provideConnection(FEED, { url: 'ws://feed.test/ws', WebSocket: server.WebSocket })]);
      const feed = injector.get(FEED);
      expect(connectionState(feed)).toBe(connectionState(feed));
      injector.destroy();
    });
  });

  it("follows the connection to 'closed' whatever injector asked for it first (a component destroyed before the app)", () => {
    const seen: string[] = [];
    testScheduler().run(() => {
      const server = new TestServer();
      const app = environment([provideConnection(FEED, { url: 'ws://feed.test/ws', WebSocket: server.WebSocket })]);
      const component = createEnvironmentInjector([], app);
      // toSignal here would stop with the component; this signal stops with the connection.
      const state = component.runInContext(() => connectionState(inject(FEED)));
      timer(5).subscribe(() => component.destroy());
      timer(10).subscribe(() => app.destroy());
      for (const at of [1, 6, 11]) timer(at).subscribe(() => seen.push(state()));
    });
    expect(seen).toEqual(['connected', 'connected', 'closed']);
  });

  it("shows 'idle' for a lazy connection nobody needs yet, then its life", () => {
    const seen: string[] = [];
    testScheduler().run(() => {
      const server = new TestServer();
      const injector = environment([provideConnection(FEED, { url: 'ws://feed.test/ws', WebSocket: server.WebSocket, lazy: true })]);
      const feed = injector.get(FEED);
      const state = connectionState(feed);
      seen.push(state());
      timer(5).subscribe(() => feed.messages$.pipe(take(1)).subscribe());
      timer(6).subscribe(() => seen.push(state()));
      timer(10).subscribe(() => injector.destroy());
      timer(11).subscribe(() => seen.push(state()));
    });
    expect(seen).toEqual(['idle', 'connected', 'closed']);
  });
});
