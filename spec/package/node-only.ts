import { buildSync } from 'esbuild';
import { execFileSync } from 'node:child_process';
import type { PackedInstall } from './support/packed-install';

/** An app using `connect()`, as the size budget measures it. */
const APP = `import { connect, ofType } from 'rx-reconnect';
const conn = connect({ url: 'wss://feed.example/ws' });
conn.events$.pipe(ofType('Disconnected')).subscribe((e) => console.log(e.error));
conn.send({ op: 'hello' });`;

/**
 * Text that only the Node `ws` paths carry (transport/node-socket.ts and what it uses): the
 * EventEmitter wiring, `terminate()`, the refused upgrade's status and headers, Retry-After
 * parsing, ws's words for a subprotocol mismatch.
 */
const NODE_ONLY_TEXT = {
  'unexpected-response listener': /unexpected-response/,
  'terminate()': /\bterminate\b/,
  "ws's refused-upgrade message": /Unexpected server response/,
  'the Retry-After header': /retry-after/i,
  'the HTTP date of Retry-After': /Mon\|Tue\|Wed/,
  "ws's subprotocol mismatch words": /Server sent/,
  'the checks of ws client options': /joinDuplicateHeaders/,
  "loading ws as the default transport": /createRequire|cannot load/,
};

/** The modules the Node paths live in, and the stubs that stand for them elsewhere. */
const NODE_MODULES = [
  'transport/node-socket.js',
  'transport/upgrade-failure.js',
  'transport/node-websocket.js',
  'options/node-transport-options.js',
];
const STUBS = ['transport/no-node-socket.js', 'transport/no-node-websocket.js', 'options/no-node-transport-options.js'];

/** The production bundle of {@link APP} from the packed package, for a browser or for Node (rxjs and ws external). */
function bundle(install: PackedInstall, platform: 'browser' | 'node'): { text: string; inputs: string[] } {
  const result = buildSync({
    stdin: { contents: APP, resolveDir: install.app, sourcefile: 'app.js', loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform,
    target: 'es2020',
    minify: true,
    metafile: true,
    logLevel: 'silent',
    external: ['rxjs', 'rxjs/*', 'ws'],
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const inputs = Object.keys(result.metafile!.inputs).map((path) => path.replace(/^.*node_modules\/rx-reconnect\/dist\/esm\//, ''));
  return { text: result.outputFiles[0]!.text, inputs };
}

/** Which of {@link NODE_ONLY_TEXT} `text` carries. */
const nodeOnlyTextIn = (text: string): string[] =>
  Object.entries(NODE_ONLY_TEXT)
    .filter(([, pattern]) => pattern.test(text))
    .map(([name]) => name);

/** Node as an adopter runs it, ESM, from the app directory. */
function nodeEsm(install: PackedInstall, script: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: install.app, encoding: 'utf8', timeout: 15_000 }).trim();
}

/**
 * The Node `ws` code is chosen by the `node` condition of `#node-socket` in the ESM build:
 * browser bundles leave it out (with a browser's WebSocket none of it can run), Node keeps it.
 */
export function describeNodeOnlyCode(install: () => PackedInstall): void {
  describe('Node-only code (the #node-… specifiers)', () => {
    it('a production browser bundle of connect() has none of the ws paths: the stub stands for them', () => {
      const { text, inputs } = bundle(install(), 'browser');
      expect(nodeOnlyTextIn(text)).toEqual([]);
      expect(inputs.filter((input) => NODE_MODULES.includes(input))).toEqual([]);
      expect(inputs).toEqual(expect.arrayContaining(STUBS));
    });

    it('a bundle built for Node (the node condition) keeps all of them, and not the stub', () => {
      const { text, inputs } = bundle(install(), 'node');
      expect(nodeOnlyTextIn(text)).toEqual(Object.keys(NODE_ONLY_TEXT));
      expect(inputs).toEqual(expect.arrayContaining(NODE_MODULES));
      expect(inputs.filter((input) => STUBS.includes(input))).toEqual([]);
    });

    it('Node running the ESM build gets the ws paths: a refused upgrade keeps its status, headers and Retry-After', () => {
      const out = nodeEsm(
        install(),
        `import http from 'node:http';
         import { connect } from 'rx-reconnect';
         const timer = setTimeout(() => { console.log('timed out'); process.exit(2); }, 10_000);
         const server = http.createServer();
         server.on('upgrade', (_request, socket) => socket.end('HTTP/1.1 401 No\\r\\nConnection: close\\r\\nRetry-After: 3\\r\\nContent-Length: 0\\r\\n\\r\\n'));
         server.listen(0, '127.0.0.1', () => {
           const conn = connect({ url: 'ws://127.0.0.1:' + server.address().port });
           conn.events$.subscribe((e) => {
             if (e.type !== 'Closed') return;
             const { status, headers, retryAfter } = e.error;
             console.log(e.reason, status, headers['retry-after'], retryAfter);
             server.close(() => clearTimeout(timer));
           });
         });`,
      );
      expect(out).toBe('fatal 401 3 3000');
    });

    it("Node running the ESM build checks the ws client options in transport", () => {
      const out = nodeEsm(
        install(),
        `import { connect } from 'rx-reconnect';
         try {
           connect({ url: 'ws://127.0.0.1:9', transport: { headers: { 'bad name': 'x' } } });
           console.log('accepted');
         } catch (error) {
           console.log(error.name, error.field);
         }`,
      );
      expect(out).toBe('ConfigError transport.headers');
    });
  });
}
