import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO, type PackedInstall } from './support/packed-install';

const execFileAsync = promisify(execFile);

/**
 * An adopter's strict code against all four entries. The `@ts-expect-error` lines prove the
 * declarations carry real types (an `any` would make them unused, which is an error).
 */
const CONSUMER = `import { backoff, connect, ofType, type BreakerState, type ConnectionEvent, type DisconnectDetails } from 'rx-reconnect';
import { TestServer, type VirtualPeer } from 'rx-reconnect/testing';
import { natsConnect, type NatsConnection, type NatsMsg } from 'rx-reconnect/nats';

interface Tick { readonly channel: 'ticker'; readonly price: number }
interface Op { readonly op: 'subscribe' | 'order'; readonly qty?: number }

const server = new TestServer();
const conn = connect<Tick, Op>({ url: 'ws://test', WebSocket: server.WebSocket });
conn.send({ op: 'order', qty: 1 });
// @ts-expect-error the outbound type is checked
conn.send({ op: 'cancel' });
conn.events$.pipe(ofType('Reconnecting')).subscribe((e) => console.log(e.attempt + e.delay));
conn.channel({ subscribe: { op: 'subscribe' }, match: (m) => m.channel === 'ticker' }).subscribe((t) => console.log(t.price.toFixed(2)));
// @ts-expect-error inbound messages are typed
conn.messages$.subscribe((t) => t.volume);
const phase: BreakerState['phase'] = 'half-open';
const details: DisconnectDetails = {};
const last: ConnectionEvent['type'] = 'Closed';
const delay: number = backoff({ jitter: 0 })(2);
const peer: VirtualPeer | undefined = undefined;
const nats: (servers: string) => NatsConnection = (servers) => natsConnect({ servers });
const onMsg = (m: NatsMsg): string => m.subject;
console.log(phase, details, last, delay, peer, nats, onMsg);
conn.close();
`;

/**
 * The angular entry, in the ES module consumers only: @angular/core is ESM-only, so Angular apps
 * are ES modules (a CommonJS .cts file may not import it under node16).
 */
const ANGULAR_CONSUMER = `import { connectionState, provideConnection } from 'rx-reconnect/angular';
import { InjectionToken, type EnvironmentProviders, type Signal } from '@angular/core';
import type { Connection, ConnectionState } from 'rx-reconnect';

const FEED = new InjectionToken<Connection<Tick, Op>>('FEED');
const providers: EnvironmentProviders = provideConnection(FEED, () => ({ url: 'wss://feed.example/ws' }), { connectOnServer: false });
// @ts-expect-error the options are checked
provideConnection(FEED, { url: 42 });
const state: Signal<ConnectionState> = connectionState(conn);
console.log(providers, state());
`;

/** Strict, no @types (the declarations must stand alone), and the library's .d.ts checked. */
const STRICT = { strict: true, noEmit: true, skipLibCheck: false, types: [], lib: ['ES2022', 'DOM'], target: 'ES2022' };

const BUILDS = ['cjs', 'esm'] as const;

interface Resolution {
  readonly module: string;
  readonly moduleResolution: string;
  /** Consumer files: `.ts` takes the project's format, `.mts` is ESM, `.cts` CommonJS. */
  readonly files: readonly string[];
  /** The builds whose declarations must be the ones resolved. */
  readonly builds: readonly (typeof BUILDS)[number][];
}

const RESOLUTIONS: Record<string, Resolution> = {
  node10: { module: 'commonjs', moduleResolution: 'node10', files: ['consumer.ts'], builds: ['cjs'] },
  node16: { module: 'node16', moduleResolution: 'node16', files: ['consumer.mts', 'consumer.cts'], builds: ['esm', 'cjs'] },
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext', files: ['consumer.mts', 'consumer.cts'], builds: ['esm', 'cjs'] },
  bundler: { module: 'esnext', moduleResolution: 'bundler', files: ['consumer.ts'], builds: ['esm'] },
};

const ENTRIES = ['index.d.ts', 'testing/index.d.ts', 'nats/index.d.ts', 'angular/index.d.ts'];

/** tsc's verdict on one resolution: the files it read, or its diagnostics. */
type Checked = { readonly read: readonly string[] } | { readonly failure: string };

/** Type-checks the consumer under `name` (async: the four run side by side). */
async function typeCheck(install: PackedInstall, name: string, resolution: Resolution): Promise<Checked> {
  const dir = join(install.app, `types-${name}`);
  mkdirSync(dir, { recursive: true });
  for (const file of resolution.files) writeFileSync(join(dir, file), file.endsWith('.cts') ? CONSUMER : CONSUMER + ANGULAR_CONSUMER);
  const config = { compilerOptions: { ...STRICT, module: resolution.module, moduleResolution: resolution.moduleResolution }, files: resolution.files };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config));
  const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
  try {
    const { stdout } = await execFileAsync(process.execPath, [tsc, '-p', dir, '--listFiles'], { encoding: 'utf8', timeout: 60_000 });
    return { read: stdout.split('\n').map((line) => line.trim().split('\\').join('/')) };
  } catch (error) {
    const { stdout, stderr, message } = error as { stdout?: string; stderr?: string; message: string };
    return { failure: `tsc (${name}) failed: ${message}\n${stdout ?? ''}${stderr ?? ''}` };
  }
}

/** The packed declarations resolved and checked the ways TypeScript users resolve them. */
export function describeTypes(install: () => PackedInstall): void {
  describe('type declarations', () => {
    const checked = new Map<string, Checked>();

    beforeAll(async () => {
      const names = Object.keys(RESOLUTIONS);
      const results = await Promise.all(names.map((name) => typeCheck(install(), name, RESOLUTIONS[name]!)));
      names.forEach((name, i) => checked.set(name, results[i]!));
    }, 60_000);

    it.each(Object.entries(RESOLUTIONS))('type-check strictly under moduleResolution %s', (name, resolution) => {
      const { installed } = install();
      const result = checked.get(name);
      expect(result).toBeDefined();
      if (result === undefined || 'failure' in result) throw new Error(result?.failure ?? `${name} was not checked`);
      for (const build of resolution.builds) {
        // Where a .cts file reads the CommonJS build, only the .mts file imports the angular entry.
        const cjsBesideEsm = build === 'cjs' && resolution.builds.includes('esm');
        for (const entry of ENTRIES.filter((e) => !(cjsBesideEsm && e.startsWith('angular/')))) {
          expect(result.read).toContain(`${installed}/dist/${build}/${entry}`);
        }
      }
      for (const build of BUILDS.filter((b) => !resolution.builds.includes(b))) {
        expect(result.read.filter((file) => file.startsWith(`${installed}/dist/${build}/`))).toEqual([]);
      }
    });
  });
}
