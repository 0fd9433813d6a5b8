#!/usr/bin/env node
// Browser bundle sizes of the built package, as an app bundler sees it: esbuild, platform
// browser, ESM, minified, a production build (`process.env.NODE_ENV` is "production"); size =
// min+gzip (zlib level 9, as gzip-size and size-limit count). `connect (development)` is the same
// bundle with NODE_ENV "development" (did-you-mean, what each option accepts). The peers (the
// libraries a reader compares us with, devDependencies here) are measured with the same options,
// rxjs external; centrifuge is not among them: its protobufjs dependency runs an install script.
//
//   node scripts/bundle-sizes.mjs                 table, against this repo's dist/ (build first)
//   node scripts/bundle-sizes.mjs --json          the same as JSON
//   node scripts/bundle-sizes.mjs --project DIR   bundle from DIR, where `rx-reconnect` and
//                                                 `rxjs` resolve (spec/package installs the
//                                                 packed tarball there)
//
// Per source file, with each file's share of min+gzip: scripts/bundle-breakdown.mjs.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const esbuild = createRequire(join(root, 'package.json'))('esbuild');

/** What an app imports; each is bundled with rxjs external (the app's) and included. */
export const SCENARIOS = {
  connect: `import { connect, ofType } from 'rx-reconnect';
const conn = connect({ url: 'wss://feed.example/ws' });
conn.events$.pipe(ofType('Reconnecting')).subscribe((e) => console.log(e.attempt, e.delay));
conn.channel({ subscribe: { op: 'subscribe' }, match: () => true }).subscribe({ next: console.log, error: console.error });
conn.send({ op: 'hello' });`,
  backoff: `import { backoff, retryWithBackoff } from 'rx-reconnect';
import { defer } from 'rxjs';
console.log(backoff({ initialDelay: 100 })(3));
defer(() => fetch('/api')).pipe(retryWithBackoff({ maxAttempts: 5 })).subscribe({ next: console.log, error: console.error });`,
  nats: `import { natsConnect } from 'rx-reconnect/nats';
const nc = natsConnect({ servers: 'wss://nats.example' });
nc.subscribe('ticks').subscribe({ next: (m) => console.log(m.subject), error: console.error });
nc.publish('orders', 'hello');`,
  testing: `import { connect } from 'rx-reconnect';
import { TestServer } from 'rx-reconnect/testing';
const server = new TestServer();
connect({ url: 'ws://test', WebSocket: server.WebSocket }).state$.subscribe(console.log);`,
  angular: `import { InjectionToken } from '@angular/core';
import { connectionState, provideConnection } from 'rx-reconnect/angular';
const FEED = new InjectionToken('FEED');
console.log(provideConnection(FEED, { url: 'wss://feed.example/ws' }), connectionState);`,
  // The app's own rxjs and rx-reconnect's must be one copy.
  app: `import { Subject, map } from 'rxjs';
import { connect } from 'rx-reconnect';
const clicks = new Subject();
clicks.pipe(map((n) => n * 2)).subscribe(console.log);
connect({ url: 'wss://feed.example/ws' }).state$.subscribe(console.log);`,
};

/** The same shape of use of each peer: open one reconnecting connection, listen, send. */
export const PEERS = {
  'reconnecting-websocket': `import ReconnectingWebSocket from 'reconnecting-websocket';
const ws = new ReconnectingWebSocket('wss://feed.example/ws');
ws.addEventListener('message', (e) => console.log(e.data));
ws.send('hello');`,
  partysocket: `import { WebSocket } from 'partysocket';
const ws = new WebSocket('wss://feed.example/ws');
ws.addEventListener('message', (e) => console.log(e.data));
ws.send('hello');`,
  'graphql-ws': `import { createClient } from 'graphql-ws';
const client = createClient({ url: 'wss://feed.example/graphql' });
client.subscribe({ query: 'subscription { ticks }' }, { next: console.log, error: console.error, complete: () => {} });`,
  '@stomp/rx-stomp': `import { RxStomp } from '@stomp/rx-stomp';
const stomp = new RxStomp();
stomp.configure({ brokerURL: 'wss://feed.example/ws' });
stomp.activate();
stomp.watch('/topic/ticks').subscribe(console.log);
stomp.publish({ destination: '/app/hello', body: 'hello' });`,
  'socket.io-client': `import { io } from 'socket.io-client';
const socket = io('https://feed.example');
socket.on('tick', console.log);
socket.emit('hello');`,
  'nats.ws': `import { connect } from 'nats.ws';
connect({ servers: 'wss://nats.example' }).then((nc) => { nc.subscribe('ticks'); nc.publish('orders'); });`,
};

/** Text only development builds carry (did-you-mean, what an option accepts, the test-clock check, the figures and explanations of runtime messages). */
const DEVELOPMENT_DETAIL = /did you mean|a finite number of milliseconds|REAL_CLOCK|1e12|messages buffered|buffer: false|iterator protocol/;

/** rxjs's Subscriber class as esbuild prints it unminified (a second copy becomes Subscriber2). */
const SUBSCRIBER_DEFINITION = /\bvar Subscriber\d* = (?:\/\* @__PURE__ \*\/ )?\(?function ?\(_super\)|\bclass Subscriber\d* extends\b/g;
const SUBSCRIBER_MODULE = /node_modules\/rxjs\/dist\/[^/]+\/internal\/Subscriber\.js$/;

/** The esbuild options of every measurement: an app's browser bundle of `source`. */
export function appBundleOptions(project, source, { external, minify, nodeEnv = 'production', alsoExternal = [] }) {
  return {
    stdin: { contents: source, resolveDir: project, sourcefile: 'app.js', loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify,
    metafile: true,
    logLevel: 'silent',
    // @angular/core is the app's, as rxjs is (the `angular` scenario measures only our entry).
    external: [...(external ? ['rxjs', 'rxjs/*'] : []), '@angular/core', ...alsoExternal],
    define: { 'process.env.NODE_ENV': JSON.stringify(nodeEnv) },
  };
}

async function bundle(project, source, options) {
  const result = await esbuild.build(appBundleOptions(project, source, options));
  const text = result.outputFiles[0].text;
  const [output] = Object.values(result.metafile.outputs);
  const inputs = Object.entries(output.inputs)
    .map(([path, { bytesInOutput }]) => ({ path: path.replace(/^.*node_modules\//, ''), bytes: bytesInOutput }))
    .filter(({ bytes }) => bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
  return { text, inputs, metaInputs: Object.keys(result.metafile.inputs) };
}

/** Measures every scenario from `project`. */
export async function measure(project) {
  const sizes = {};
  for (const [name, source] of Object.entries(SCENARIOS)) {
    for (const external of [true, false]) {
      const { text, inputs, metaInputs } = await bundle(project, source, { external, minify: true });
      sizes[`${name}${external ? '' : '+rxjs'}`] = {
        minified: Buffer.byteLength(text),
        gzip: gzipSync(text, { level: 9 }).length,
        ws: metaInputs.filter((path) => /(^|\/)node_modules\/ws\//.test(path) || /(^|\/)node-require\.js$/.test(path)),
        nodeBuiltins: /\bnode:|createRequire/.test(text),
        developmentDetail: DEVELOPMENT_DETAIL.test(text),
        inputs,
      };
    }
  }
  const development = await bundle(project, SCENARIOS.connect, { external: true, minify: true, nodeEnv: 'development' });
  sizes['connect (development)'] = {
    minified: Buffer.byteLength(development.text),
    gzip: gzipSync(development.text, { level: 9 }).length,
    ws: [],
    nodeBuiltins: /\bnode:|createRequire/.test(development.text),
    developmentDetail: DEVELOPMENT_DETAIL.test(development.text),
    inputs: development.inputs,
  };
  const unminified = await bundle(project, SCENARIOS.app, { external: false, minify: false });
  return {
    sizes,
    rxjsCopies: {
      subscriberDefinitions: (unminified.text.match(SUBSCRIBER_DEFINITION) ?? []).length,
      subscriberModules: unminified.metaInputs.filter((path) => SUBSCRIBER_MODULE.test(path)),
    },
  };
}

/** The peers' sizes, bundled from this repo (where they are devDependencies), rxjs external. */
export async function measurePeers() {
  const peers = {};
  for (const [name, source] of Object.entries(PEERS)) {
    // nats.ws's tweetnacl has a `require('crypto')` that browsers never reach.
    const { text } = await bundle(root, source, { external: true, minify: true, alsoExternal: ['crypto'] });
    peers[name] = { minified: Buffer.byteLength(text), gzip: gzipSync(text, { level: 9 }).length };
  }
  return peers;
}

/** A throwaway project resolving `rx-reconnect` to this repo (its built dist/) and its rxjs. */
export function repoProject() {
  const project = mkdtempSync(join(tmpdir(), 'rx-reconnect-size-'));
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(root, join(project, 'node_modules/rx-reconnect'), 'dir');
  symlinkSync(join(root, 'node_modules/rxjs'), join(project, 'node_modules/rxjs'), 'dir');
  return project;
}

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--project');
  const project = at === -1 ? repoProject() : resolve(args[at + 1]);
  try {
    const result = await measure(project);
    if (at === -1) result.peers = await measurePeers();
    if (args.includes('--json')) {
      console.log(JSON.stringify(result));
    } else {
      for (const [name, size] of Object.entries(result.sizes)) {
        console.log(`${name.padEnd(22)} ${kb(size.gzip).padStart(9)} min+gzip  ${kb(size.minified).padStart(9)} min`);
      }
      console.log('\npeers, same options (rxjs external):');
      for (const [name, size] of Object.entries(result.peers ?? {})) {
        console.log(`${name.padEnd(22)} ${kb(size.gzip).padStart(9)} min+gzip  ${kb(size.minified).padStart(9)} min`);
      }
      console.log(`rxjs copies in an app bundle: ${result.rxjsCopies.subscriberDefinitions}`);
      console.log('\nconnect, largest inputs (minified bytes):');
      for (const { path, bytes } of result.sizes.connect.inputs.slice(0, 12)) console.log(`  ${String(bytes).padStart(6)}  ${path}`);
    }
  } finally {
    if (at === -1) rmSync(project, { recursive: true, force: true });
  }
}
