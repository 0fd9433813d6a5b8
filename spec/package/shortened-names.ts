import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO, type PackedInstall } from './support/packed-install';

/** The library's own specs run a second time against the packed CommonJS build, where private names are shortened. */
const SPECS_AGAINST_THE_BUILD = [
  'spec/connect.spec.ts',
  'spec/channels.spec.ts',
  'spec/send.spec.ts',
  'spec/handshake.spec.ts',
  'spec/policies.spec.ts',
  'spec/events.spec.ts',
  'spec/connection/reentrancy.spec.ts',
  'spec/connection/lazy.spec.ts',
  'spec/integration/heartbeat.spec.ts',
  'spec/integration/server-restart.spec.ts',
  'spec/integration/messages-and-close.spec.ts',
  // The acked send reaches the connection only through @internal members (lib/acked/ack-host.ts).
  'spec/acked/acked-sender.spec.ts',
  'spec/integration/acked-send.spec.ts',
];

/** What scripts/private-names.mjs says of the packed build (run by Node: Jest cannot load .mjs). */
interface Audit {
  readonly mapping: Record<string, string>;
  readonly refused: Record<string, string>;
  /** .js files where a shortenable name is still in property position (must be none). */
  readonly unrenamed: string[];
  /** .d.ts files that mention a `$`-name (must be none). */
  readonly shortenedInDeclarations: string[];
}

function audit(installed: string): Audit {
  const script = `
    import { readdirSync, readFileSync } from 'node:fs';
    import { join } from 'node:path';
    import { shortenablePrivateNames, shortNames, shortenIn } from ${JSON.stringify(pathToFileURL(join(REPO, 'scripts/private-names.mjs')).href)};
    const { names, refused, uses } = shortenablePrivateNames();
    const mapping = shortNames(names, uses);
    const files = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
    const all = files(${JSON.stringify(join(installed, 'dist'))});
    const unrenamed = all.filter((f) => f.endsWith('.js') && shortenIn(readFileSync(f, 'utf8'), mapping, f) !== readFileSync(f, 'utf8'));
    const shortenedInDeclarations = all.filter((f) => f.endsWith('.d.ts') && /\\$[0-9a-zA-Z]+\\b/.test(readFileSync(f, 'utf8')));
    console.log(JSON.stringify({ mapping, refused, unrenamed, shortenedInDeclarations }));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO, encoding: 'utf8', timeout: 60_000 })) as Audit;
}

/**
 * The build shortens private member names (scripts/private-names.mjs): only names the type
 * checker places on `private` members of lib/'s classes and nowhere else. This proves it safe on
 * the packed package: every such name is renamed everywhere, nothing public is, and the specs
 * of the connection, channels, sends, handshake, policies, events, re-entrancy, lazy links,
 * heartbeats, server restarts and the acked send pass against the shortened build.
 */
export function describeShortenedNames(install: () => PackedInstall): void {
  describe('shortened private names', () => {
    let report: Audit;

    beforeAll(() => {
      report = audit(install().installed);
    }, 60_000);

    it('shortens a set of names, each to a $-name, and refuses the private names that are also public or foreign', () => {
      const { mapping, refused } = report;
      expect(Object.keys(mapping).length).toBeGreaterThan(20);
      expect(Object.values(mapping).every((short) => /^\$[0-9a-zA-Z]+$/.test(short))).toBe(true);
      // Private somewhere, but also an option, an event field or an rxjs member: kept.
      expect(Object.keys(refused)).toEqual(expect.arrayContaining(['scheduler', 'url', 'next', 'closed']));
      for (const kept of ['scheduler', 'url', 'next', 'closed', 'state', 'send']) expect(mapping).not.toHaveProperty(kept);
    });

    it('renamed every use in both builds, and no declaration file mentions a shortened name', () => {
      expect(report.unrenamed).toEqual([]);
      expect(report.shortenedInDeclarations).toEqual([]);
    });

    it('passes the library specs against the packed, shortened CommonJS build', () => {
      const config = {
        rootDir: REPO,
        testEnvironment: 'node',
        transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
        // Every import of lib/ (`../lib`, `../../lib/testing`) goes to the packed build instead.
        moduleNameMapper: { '^(?:\\.\\./)+lib(/.*)?$': `${install().installed}/dist/cjs$1` },
        detectOpenHandles: true,
        testTimeout: 15_000,
      };
      const jest = join(REPO, 'node_modules/jest/bin/jest.js');
      const run = spawnSync(process.execPath, [jest, '--config', JSON.stringify(config), '--ci', '--runTestsByPath', ...SPECS_AGAINST_THE_BUILD], {
        cwd: REPO,
        encoding: 'utf8',
        timeout: 120_000,
      });
      const summary = /Tests:\s+(\d+) passed, (\d+) total/.exec(run.stderr);
      if (run.status !== 0 || summary === null) throw new Error(`the specs failed against the shortened build:\n${run.stdout}${run.stderr.slice(-6000)}`);
      expect(summary[1]).toBe(summary[2]);
      expect(Number(summary[1])).toBeGreaterThan(100);
    }, 150_000);
  });
}
