import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The published shape: `npm run build` output, resolved through package.json `exports` as a
 * user would, from CommonJS and from ESM, with type declarations beside it.
 */
describe('the built package', () => {
  const root = resolve(__dirname, '..');
  let sandbox: string;
  let packageDir: string;

  beforeAll(() => {
    sandbox = mkdtempSync(join(tmpdir(), 'rx-reconnect-package-'));
    const modules = join(sandbox, 'node_modules');
    packageDir = join(modules, 'rx-reconnect');
    mkdirSync(packageDir, { recursive: true });
    cpSync(join(root, 'package.json'), join(packageDir, 'package.json'));
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', join(packageDir, 'dist')], {
      stdio: 'pipe',
    });
    for (const dependency of ['rxjs', 'ws']) {
      symlinkSync(join(root, 'node_modules', dependency), join(modules, dependency), 'dir');
    }
  }, 60_000);

  afterAll(() => rmSync(sandbox, { recursive: true, force: true }));

  const run = (args: string[]): string => execFileSync(process.execPath, args, { cwd: sandbox, encoding: 'utf8' }).trim();

  it('loads from CommonJS, main entry and testing entry', () => {
    const out = run([
      '-e',
      "const r = require('rx-reconnect'); const t = require('rx-reconnect/testing'); console.log(typeof r.connect, typeof r.ofType, r.backoff({ jitter: 0, multiplier: 2 })(3), typeof t.TestServer)",
    ]);
    expect(out).toBe('function function 400 function');
  });

  it('loads the NATS client from its subpath, rx-reconnect/nats, from CommonJS and ESM (#9)', () => {
    expect(run(['-e', "const n = require('rx-reconnect/nats'); console.log(typeof n.natsConnect, typeof n.NatsError)"])).toBe(
      'function function',
    );
    expect(run(['--input-type=module', '-e', "import { natsConnect } from 'rx-reconnect/nats'; console.log(typeof natsConnect)"])).toBe(
      'function',
    );
  });

  it('loads from ESM with named imports', () => {
    const out = run([
      '--input-type=module',
      '-e',
      "import { connect, circuitBreaker, ConnectionClosedError } from 'rx-reconnect'; import { TestServer } from 'rx-reconnect/testing'; console.log(typeof connect, typeof circuitBreaker, typeof ConnectionClosedError, typeof TestServer)",
    ]);
    expect(out).toBe('function function function function');
  });

  it('connects and closes through the built code, leaving the process free to exit', () => {
    const out = run([
      '-e',
      `const { connect } = require('rx-reconnect');
       const { TestServer } = require('rx-reconnect/testing');
       const server = new TestServer();
       const conn = connect({ url: 'ws://test', WebSocket: server.WebSocket });
       const types = [];
       conn.events$.subscribe({ next: (e) => { types.push(e.type); if (e.type === 'Connected') conn.close(); }, complete: () => console.log(types.join(' ')) });`,
    ]);
    expect(out).toBe('Connecting Connected Disconnected Closed');
  });

  it('ships type declarations for both entries', () => {
    expect(existsSync(join(packageDir, 'dist/index.d.ts'))).toBe(true);
    expect(existsSync(join(packageDir, 'dist/testing/index.d.ts'))).toBe(true);
  });
});
