import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO, type PackedInstall } from './support/packed-install';

/** What scripts/bundle-sizes.mjs reports (`--json`). */
interface BundleSize {
  /** min+gzip bytes (zlib level 9). */
  readonly gzip: number;
  readonly minified: number;
  /** Bundle inputs from `ws` or the Node-only `require` shim: must be none in a browser bundle. */
  readonly ws: readonly string[];
  /** Whether the bundle mentions `node:` modules or `createRequire`. */
  readonly nodeBuiltins: boolean;
  readonly inputs: readonly { readonly path: string; readonly bytes: number }[];
}

interface BundleReport {
  readonly sizes: Record<string, BundleSize>;
  readonly rxjsCopies: { readonly subscriberDefinitions: number; readonly subscriberModules: readonly string[] };
}

/**
 * Budgets, min+gzip with rxjs external (the app ships rxjs anyway). Issue #11 asks 8 KB for an
 * app using `connect()`; 0.3.1 measures about 15.9 KB because every feature (breaker, heartbeat,
 * handshake, channels, validation) is always in, and the 8 KB goal waits for a core split into
 * opt-in parts (README, "Size"). Until then this ceiling only stops it from growing.
 */
// 17 KB while #16's checks (transport headers and ws options, guarded reads of user values)
// land ahead of the validation-message shrink; 0.3.1 measured 16 295 B, #16 adds about 800 B.
const CONNECT_BUDGET = 17 * 1024;
const BACKOFF_BUDGET = 2.5 * 1024;

/** Asserts the budget; a miss reports the size and the inputs that take the bytes. */
function expectWithin(size: BundleSize, limit: number): void {
  const inputs = size.inputs.slice(0, 12).map(({ path, bytes }) => `${path} ${bytes}`);
  const verdict = size.gzip <= limit ? 'within' : `${size.gzip} B min+gzip > ${limit} B; largest inputs (minified bytes): ${inputs.join(', ')}`;
  expect(verdict).toBe('within');
}

/** esbuild browser bundles of apps using the packed package: size budgets, one rxjs, no ws. */
export function describeBundles(install: () => PackedInstall): void {
  describe('browser bundles (esbuild, minified, min+gzip)', () => {
    let report: BundleReport;

    beforeAll(() => {
      const script = join(REPO, 'scripts/bundle-sizes.mjs');
      report = JSON.parse(execFileSync(process.execPath, [script, '--json', '--project', install().app], { encoding: 'utf8', timeout: 30_000 })) as BundleReport;
    }, 30_000);

    it('an app using connect() stays within 17 KB with rxjs external (a ceiling; the 8 KB goal of #11 is not met)', () => {
      expectWithin(report.sizes.connect, CONNECT_BUDGET);
    });

    it('backoff + retryWithBackoff alone stay within 2.5 KB with rxjs external (tree-shaken)', () => {
      expectWithin(report.sizes.backoff, BACKOFF_BUDGET);
    });

    it('an app importing rxjs itself and rx-reconnect bundles exactly one rxjs, its ESM build', () => {
      expect(report.rxjsCopies.subscriberDefinitions).toBe(1);
      expect(report.rxjsCopies.subscriberModules).toHaveLength(1);
      expect(report.rxjsCopies.subscriberModules[0]).toMatch(/rxjs\/dist\/esm5?\//);
    });

    it('never pulls ws or Node built-ins into a browser bundle', () => {
      for (const [name, size] of Object.entries(report.sizes)) {
        expect({ name, ws: size.ws, nodeBuiltins: size.nodeBuiltins }).toEqual({ name, ws: [], nodeBuiltins: false });
      }
    });
  });
}
