import { execFileSync } from 'node:child_process';
import type { PackedInstall } from './support/packed-install';

/** Node as an adopter runs it, from the app directory: CommonJS (`-e`) or ESM (`--input-type=module`). */
function node(install: PackedInstall, format: 'cjs' | 'esm', script: string): string {
  const args = format === 'esm' ? ['--input-type=module', '-e', script] : ['-e', script];
  return execFileSync(process.execPath, args, { cwd: install.app, encoding: 'utf8', timeout: 15_000 }).trim();
}

/** Connects with the default transport (`ws`, loaded lazily) to a real server, then closes. */
const roundTrip = (imports: string): string => `${imports}
const timer = setTimeout(() => { console.log('timed out'); process.exit(2); }, 10_000);
const server = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => {
  const conn = connect({ url: 'ws://127.0.0.1:' + server.address().port });
  const types = [];
  conn.events$.subscribe({
    next: (e) => { types.push(e.type); if (e.type === 'Connected') conn.close(); },
    complete: () => server.close(() => { clearTimeout(timer); console.log(types.join(' ')); }),
  });
});`;

/** The packed package loaded by Node through its `exports`, from CommonJS and from ESM. */
export function describeLoading(install: () => PackedInstall): void {
  describe('loading in Node', () => {
    it('requires the main, testing and nats entries from CommonJS', () => {
      const out = node(
        install(),
        'cjs',
        `const r = require('rx-reconnect'); const t = require('rx-reconnect/testing'); const n = require('rx-reconnect/nats');
         console.log(typeof r.connect, typeof r.ofType, r.backoff({ jitter: 0, multiplier: 2 })(3), typeof t.TestServer, typeof n.natsConnect, typeof n.NatsError,
           require.resolve('rx-reconnect').includes('/dist/cjs/'))`,
      );
      expect(out).toBe('function function 400 function function function true');
    });

    it('imports the main, testing and nats entries from ESM, as ES modules', () => {
      const out = node(
        install(),
        'esm',
        `import { connect, circuitBreaker, ConnectionClosedError, backoff } from 'rx-reconnect';
         import { TestServer } from 'rx-reconnect/testing';
         import { natsConnect } from 'rx-reconnect/nats';
         console.log(typeof connect, typeof circuitBreaker, typeof ConnectionClosedError, backoff({ jitter: 0, multiplier: 2 })(2), typeof TestServer, typeof natsConnect,
           import.meta.resolve('rx-reconnect').includes('/dist/esm/'), import.meta.resolve('rx-reconnect/nats').includes('/dist/esm/nats/'))`,
      );
      expect(out).toBe('function function function 200 function function true true');
    });

    it('loads the angular entry from ESM and CommonJS, and provides a connection that closes with its injector', () => {
      const script = (load: string): string => `${load}
         const FEED = new InjectionToken('FEED');
         const parent = Injector.create({ providers: [] });
         const injector = createEnvironmentInjector([provideConnection(FEED, () => ({ url: 'ws://test', WebSocket: new TestServer().WebSocket }))], parent);
         const state = connectionState(injector.get(FEED));
         const before = state();
         injector.destroy();
         console.log(before, state())`;
      const esm = node(
        install(),
        'esm',
        script(`import { InjectionToken, Injector, createEnvironmentInjector } from '@angular/core';
         import { connectionState, provideConnection } from 'rx-reconnect/angular';
         import { TestServer } from 'rx-reconnect/testing';`),
      );
      expect(esm).toBe('connecting closed');
      const cjs = node(
        install(),
        'cjs',
        script(`const { InjectionToken, Injector, createEnvironmentInjector } = require('@angular/core');
         const { connectionState, provideConnection } = require('rx-reconnect/angular');
         const { TestServer } = require('rx-reconnect/testing');`),
      );
      expect(cjs).toBe('connecting closed');
    });

    it('connects and closes through the built CommonJS code, leaving the process free to exit', () => {
      const out = node(
        install(),
        'cjs',
        `const { connect } = require('rx-reconnect');
         const { TestServer } = require('rx-reconnect/testing');
         const server = new TestServer();
         const conn = connect({ url: 'ws://test', WebSocket: server.WebSocket });
         const types = [];
         conn.events$.subscribe({ next: (e) => { types.push(e.type); if (e.type === 'Connected') conn.close(); }, complete: () => console.log(types.join(' ')) });`,
      );
      expect(out).toBe('Connecting Connected Disconnected Closed');
    });

    it('loads ws as the default transport from CommonJS', () => {
      const out = node(install(), 'cjs', roundTrip("const { WebSocketServer } = require('ws'); const { connect } = require('rx-reconnect');"));
      expect(out).toBe('Connecting Connected Disconnected Closed');
    });

    it('loads ws as the default transport from ESM, where require does not exist', () => {
      const out = node(install(), 'esm', roundTrip("import { WebSocketServer } from 'ws'; import { connect } from 'rx-reconnect';"));
      expect(out).toBe('Connecting Connected Disconnected Closed');
    });
  });
}
