import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { fencedBlocks, type Snippet } from './markdown-snippets';
import type { SnippetProject } from './snippet-project';

/** The README's quick start: its code, and the output the README says it prints. */
export interface QuickStart {
  readonly snippet: Snippet;
  /** The lines of the ```text block that follows it. */
  readonly expected: readonly string[];
}

const HEADING = /^## Quick start\s*$/m;

/** The first ```ts block under `## Quick start`, and the first ```text block after it. */
export function findQuickStart(readme: string): QuickStart {
  const heading = HEADING.exec(readme);
  if (heading === null) throw new Error('README.md has no "## Quick start" heading');
  const headingLine = readme.slice(0, heading.index).split('\n').length;
  const blocks = fencedBlocks('README.md', readme).filter((block) => block.line > headingLine);
  const at = blocks.findIndex((block) => block.index > 0);
  const output = blocks.slice(at + 1).find((block) => block.info === 'text');
  if (at < 0 || output === undefined) throw new Error('README.md: the quick start needs a ```ts block followed by a ```text block of its output');
  return { snippet: blocks[at], expected: output.code.split('\n').filter((line) => line.trim() !== '') };
}

/** How a run of the quick start went. */
export interface QuickStartRun {
  /** The exit code, or `'open handles'` when it did not exit by itself within the limit. */
  readonly exit: number | 'open handles';
  readonly stdout: readonly string[];
  readonly stderr: string;
}

/**
 * Compiles the quick start to CommonJS and runs it with Node in the snippet project (so
 * `rx-reconnect` is the installed package). It starts its own server on 127.0.0.1 port 0 and
 * closes everything: the process must exit by itself within `limitMs`, or it is killed and
 * reported as leaving handles open.
 */
export function runQuickStart(project: SnippetProject, quickStart: QuickStart, limitMs: number): Promise<QuickStartRun> {
  const { outputText } = ts.transpileModule(quickStart.snippet.code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const file = join(project.dir, 'quick-start.cjs');
  writeFileSync(file, outputText);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { cwd: project.dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ exit: timedOut ? 'open handles' : (code ?? -1), stdout: stdout.split('\n').filter((line) => line !== ''), stderr });
    });
  });
}

/** The lines of one side (`client:` or `server:`), in order. */
export function sideOf(lines: readonly string[], side: 'client' | 'server'): string[] {
  return lines.filter((line) => line.startsWith(`${side}:`));
}
