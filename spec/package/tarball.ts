import { transformSync } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installedManifest, type PackedInstall } from './support/packed-install';

const ENTRIES = ['', 'testing/', 'nats/', 'angular/'];

/**
 * TypeScript's emit helpers: each would be a copy per file that uses it (no `importHelpers`), in
 * every consumer's bundle. ES2020 output needs none of them.
 */
const TS_HELPER = /\b__(?:awaiter|generator|extends|assign|rest|spreadArray|decorate|param|metadata|classPrivateField(?:Get|Set|In)|esDecorate|runInitializers|setFunctionName|propKey|importDefault|importStar|createBinding|exportStar|values|read|makeTemplateObject|addDisposableResource|disposeResources)\b|\btslib\b/;

/** `code` as esbuild prints it for `target` (unchanged from esnext unless something was lowered). */
const printedFor = (code: string, target: string): string => transformSync(code, { loader: 'js', format: 'esm', target }).code;
const BUILDS = ['cjs', 'esm'];

/** Every file a package.json field or export condition points at (`./dist/…`). */
function targets(value: unknown): string[] {
  if (typeof value === 'string') return value.startsWith('./') ? [value.slice(2)] : [];
  if (Array.isArray(value)) return value.flatMap(targets);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(targets);
  return [];
}

interface SourceMap {
  readonly sources: readonly string[];
  readonly sourcesContent?: readonly (string | null)[];
}

/** What `npm pack` puts in the tarball, and the metadata adopters and registries read. */
export function describeTarball(install: () => PackedInstall): void {
  describe('the tarball', () => {
    const paths = (): string[] => install().pack.files.map((file) => file.path);

    it('ships both builds of every entry with declarations, the LICENSE and README, and no sources or tests', () => {
      for (const build of BUILDS) {
        expect(paths()).toContain(`dist/${build}/package.json`);
        for (const entry of ENTRIES) {
          expect(paths()).toEqual(expect.arrayContaining([`dist/${build}/${entry}index.js`, `dist/${build}/${entry}index.d.ts`]));
        }
      }
      expect(paths()).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
      expect(paths().filter((path) => !path.startsWith('dist/') && !['LICENSE', 'README.md', 'package.json'].includes(path))).toEqual([]);
      expect(paths().filter((path) => /\.(ts|tsx|mts|cts)$/.test(path) && !path.endsWith('.d.ts'))).toEqual([]);
    });

    it('marks each build with its module type and sideEffects: false', () => {
      for (const [build, type] of [['cjs', 'commonjs'], ['esm', 'module']] as const) {
        const manifest = JSON.parse(readFileSync(join(install().installed, 'dist', build, 'package.json'), 'utf8')) as Record<string, unknown>;
        expect(manifest).toMatchObject({ type, sideEffects: false });
      }
    });

    it('points every main, module, types, exports, typesVersions and imports target at a shipped file', () => {
      const manifest = installedManifest(install());
      const esmManifest = JSON.parse(readFileSync(join(install().installed, 'dist/esm/package.json'), 'utf8')) as { imports: unknown };
      const listed = targets([manifest.main, manifest.module, manifest.types, manifest.exports, manifest.typesVersions]);
      const imported = targets(esmManifest.imports).map((path) => `dist/esm/${path}`);
      expect(listed.length).toBeGreaterThanOrEqual(ENTRIES.length * BUILDS.length * 2);
      expect([...listed, ...imported].filter((path) => !existsSync(join(install().installed, path)))).toEqual([]);
    });

    it('has source maps that carry their sources (lib/ is not shipped)', () => {
      const maps = paths().filter((path) => path.endsWith('.js.map'));
      expect(maps.length).toBeGreaterThan(0);
      const incomplete = maps.filter((path) => {
        const map = JSON.parse(readFileSync(join(install().installed, path), 'utf8')) as SourceMap;
        const content = map.sourcesContent ?? [];
        return map.sources.length === 0 || content.length !== map.sources.length || content.some((text) => typeof text !== 'string' || text.length === 0);
      });
      expect(incomplete).toEqual([]);
    });

    it('ships ESM as ES2020: no TypeScript helpers, nothing an es2020 bundle must lower, nothing downlevelled', () => {
      // Class fields stay constructor assignments: as native fields (useDefineForClassFields or an
      // ES2022 target) an es2020 bundle lowers them to helper calls, about 0.5 KB min+gzip more.
      const files = paths().filter((path) => path.startsWith('dist/esm/') && path.endsWith('.js'));
      const code = new Map(files.map((path) => [path, readFileSync(join(install().installed, path), 'utf8')]));
      expect(files.filter((path) => TS_HELPER.test(code.get(path)!))).toEqual([]);
      expect(files.filter((path) => printedFor(code.get(path)!, 'es2020') !== printedFor(code.get(path)!, 'esnext'))).toEqual([]);
      // ES2020 syntax (`?.`, `??`) is kept as written: an es2019 bundle would have to lower it.
      expect(files.filter((path) => printedFor(code.get(path)!, 'es2019') !== printedFor(code.get(path)!, 'esnext')).length).toBeGreaterThan(0);
    });

    it('carries the license, repository and discovery metadata', () => {
      const manifest = installedManifest(install());
      expect(manifest).toMatchObject({
        license: 'MIT',
        sideEffects: false,
        repository: { type: 'git', url: expect.stringContaining('github.com/rx-reconnect/rx-reconnect') },
        homepage: expect.stringContaining('github.com/rx-reconnect/rx-reconnect'),
        bugs: { url: expect.stringContaining('github.com/rx-reconnect/rx-reconnect/issues') },
        keywords: expect.arrayContaining(['rxjs', 'websocket', 'reconnect']),
      });
      const license = readFileSync(join(install().installed, 'LICENSE'), 'utf8');
      expect(license).toMatch(/^MIT License/);
      expect(license).toContain('the rx-reconnect authors');
    });
  });
}
