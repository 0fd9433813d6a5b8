import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, type PackedInstall } from '../package/support/packed-install';
import { describeSnippet, typeScriptSnippets, type Snippet } from './markdown-snippets';
import { findQuickStart, runQuickStart, sideOf, type QuickStartRun } from './quick-start';
import { makeSnippetProject, typeCheck, type SnippetProject, type Verdicts } from './snippet-project';

/**
 * Every ```ts snippet of the README and the guides compiles, under `strict`, against the
 * package as adopters install it, and the README's quick start runs and prints what the README
 * says. The fence rule (what is checked, what is not) is at the top of ./markdown-snippets.ts.
 *
 * It runs inside spec/package/package.spec.ts, on the package that spec builds and packs once
 * (`npx jest spec/package`), so the build is not done twice.
 */

/** The Markdown files whose snippets are checked, relative to the repository. */
export function documentationFiles(): string[] {
  const top = ['README.md', 'CHANGELOG.md'];
  const under = (dir: string): string[] =>
    readdirSync(join(REPO, dir))
      .filter((name) => name.endsWith('.md'))
      .sort()
      .map((name) => `${dir}/${name}`);
  return [...top, ...under('docs'), ...under('bench')];
}

/** Every checked snippet of the documentation, in file order. */
export function documentationSnippets(): Snippet[] {
  return documentationFiles().flatMap((file) => typeScriptSnippets(file, readFileSync(join(REPO, file), 'utf8')));
}

/** The quick start may take this long, start to exit (it takes well under a second). */
const QUICK_START_LIMIT_MS = 10_000;

export function describeSnippets(install: () => PackedInstall): void {
  const snippets = documentationSnippets();
  const quickStart = findQuickStart(readFileSync(join(REPO, 'README.md'), 'utf8'));

  describe(`the documentation's ${snippets.length} TypeScript snippets (README.md, CHANGELOG.md, docs/*.md, bench/*.md)`, () => {
    let project: SnippetProject;
    let verdicts: Verdicts;

    beforeAll(() => {
      project = makeSnippetProject(install().sandbox, install().installed, join(REPO, 'node_modules'));
      verdicts = typeCheck(project, snippets);
    }, 60_000);

    it('finds the snippets of the README and of the guides whose point is code', () => {
      const files = new Set(snippets.map((snippet) => snippet.file));
      const expected = ['README.md', 'docs/channels.md', 'docs/events.md', 'docs/options.md', 'docs/policies.md', 'docs/protocols.md', 'docs/testing.md'];
      expect(expected.filter((file) => !files.has(file))).toEqual([]);
    });

    it.each(snippets.map((snippet) => [describeSnippet(snippet), snippet] as const))('%s type-checks under strict', (_, snippet) => {
      expect(verdicts.get(snippet)).toEqual([]);
    });

    describe('the quick start, run with Node against the server it starts on 127.0.0.1 port 0', () => {
      let run: QuickStartRun;

      beforeAll(async () => {
        run = await runQuickStart(project, quickStart, QUICK_START_LIMIT_MS);
      }, QUICK_START_LIMIT_MS + 5_000);

      it('exits by itself with code 0 and nothing on stderr (everything it opened is closed)', () => {
        expect({ exit: run.exit, stderr: run.stderr }).toEqual({ exit: 0, stderr: '' });
      });

      it("prints the client's side of the README's output, in that order", () => {
        expect(sideOf(run.stdout, 'client')).toEqual(sideOf(quickStart.expected, 'client'));
      });

      it("prints the server's side of the README's output, in that order", () => {
        expect(sideOf(run.stdout, 'server')).toEqual(sideOf(quickStart.expected, 'server'));
      });

      it('prints nothing else, and its comments hold: the order is buffered, then sent after the restore and before unsubscribe', () => {
        expect(run.stdout.filter((line) => !/^(client|server):/.test(line))).toEqual([]);
        const server = sideOf(run.stdout, 'server');
        expect(server.slice(-3)).toEqual(['server: got subscribe BTC', 'server: got order BTC', 'server: got unsubscribe BTC']);
        const client = sideOf(run.stdout, 'client');
        expect(client.indexOf('client: SubscriptionsRestored')).toBeGreaterThan(client.indexOf('client: Reconnected'));
        expect(client.slice(-1)).toEqual(['client: Closed']);
      });
    });
  });
}
