import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describeSnippet, type Snippet } from './markdown-snippets';

/**
 * A throwaway app in which every snippet is one module: `rx-reconnect` (and its `/testing`,
 * `/nats` entries) resolve to the installed package's built declarations through its
 * `exports`, as in an adopter's project; rxjs, ws, `@types/*` and `@jest/globals` come from the
 * repository's node_modules.
 */
export interface SnippetProject {
  readonly dir: string;
  /** The file a snippet is written to, relative to `dir`. */
  fileOf(snippet: Snippet): string;
}

/** What a snippet may import besides the package itself. */
const LINKED = ['rxjs', 'ws', '@types', '@jest'];

/**
 * Strict, as an adopter's strict project; each file its own module (two snippets may both
 * declare `conn`). `skipLibCheck`: the package's declarations are checked on their own by
 * spec/package/types.ts; here only the snippets are judged.
 */
export const SNIPPET_COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  moduleDetection: ts.ModuleDetectionKind.Force,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  types: ['node'],
};

/** Makes the app under `root`: `node_modules/rx-reconnect` links to `installedPackage`. */
export function makeSnippetProject(root: string, installedPackage: string, repoNodeModules: string): SnippetProject {
  const dir = join(root, 'snippets');
  const modules = join(dir, 'node_modules');
  mkdirSync(modules, { recursive: true });
  symlinkSync(installedPackage, join(modules, 'rx-reconnect'), 'dir');
  for (const name of LINKED) symlinkSync(join(repoNodeModules, name), join(modules, name), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'snippets', private: true }));
  return { dir, fileOf: (snippet) => `${snippet.file.replace(/[^A-Za-z0-9]+/g, '-')}-${snippet.index}.ts` };
}

/** tsc's verdict on each snippet: its diagnostics, located in the Markdown file. */
export type Verdicts = ReadonlyMap<Snippet, readonly string[]>;

/** Type-checks every snippet in one program (one start-up, so the whole set takes seconds). */
export function typeCheck(project: SnippetProject, snippets: readonly Snippet[]): Verdicts {
  const files = new Map<string, Snippet>();
  for (const snippet of snippets) {
    const path = join(project.dir, project.fileOf(snippet));
    writeFileSync(path, snippet.code);
    files.set(path, snippet);
  }
  const program = ts.createProgram({ rootNames: [...files.keys()], options: SNIPPET_COMPILER_OPTIONS });
  const verdicts = new Map<Snippet, string[]>(snippets.map((snippet) => [snippet, []]));
  const global: string[] = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const snippet = diagnostic.file === undefined ? undefined : files.get(diagnostic.file.fileName);
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
    if (snippet === undefined || diagnostic.file === undefined || diagnostic.start === undefined) {
      global.push(`${diagnostic.file?.fileName ?? 'tsc'}: TS${diagnostic.code} ${message}`);
      continue;
    }
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const text = snippet.code.split('\n')[line] ?? '';
    verdicts.get(snippet)!.push(`${describeSnippet(snippet)}, ${snippet.file}:${snippet.line + line}:${character + 1} TS${diagnostic.code}: ${message}\n    ${text.trim()}`);
  }
  // A diagnostic outside the snippets (a broken declaration, an option) fails every snippet.
  if (global.length > 0) for (const list of verdicts.values()) list.push(...global);
  return verdicts;
}
