/**
 * The code blocks of the Markdown guides, and which of them must compile.
 *
 * The rule, for whoever writes a guide:
 * - a block fenced ```ts (or ```typescript) is a TypeScript snippet: it is type-checked under
 *   `strict` against the built package, on its own, so it carries its own imports and types;
 * - a block that is deliberately not checked says what it is with another fence: ```text for
 *   output, ```sh for commands, ```json, ```html, ```css…; Angular code, which needs
 *   `@angular/core` (not installed by this project's own tests; the Angular example builds it),
 *   is fenced ```ts angular (GitHub and TypeDoc still highlight it as TypeScript) or
 *   ```typescript-angular (typedoc.json lists it in `ignoredHighlightLanguages`);
 * - any other fence that starts like TypeScript (```ts title=x, ```tsx, ```typescript-foo) is
 *   refused, so a snippet cannot leave the check by a typo in its fence.
 */

/** A fenced block of a Markdown file. */
export interface Snippet {
  /** The file, relative to the repository (`README.md`, `docs/channels.md`). */
  readonly file: string;
  /** 1-based index among the file's checked (```ts) blocks; 0 for blocks that are not checked. */
  readonly index: number;
  /** 1-based line of the block's first code line in the file. */
  readonly line: number;
  /** The fence's info string (`ts`, `text`, `sh`…). */
  readonly info: string;
  readonly code: string;
}

/** Info strings of checked blocks. */
const CHECKED = new Set(['ts', 'typescript']);
/** Info strings that look like TypeScript and are deliberately not checked. */
const NOT_CHECKED_TYPESCRIPT = new Set(['ts angular', 'typescript-angular']);

/** Whether a block with this info string is type-checked; throws for an ambiguous one. */
export function isChecked(info: string, where: string): boolean {
  if (CHECKED.has(info)) return true;
  if (NOT_CHECKED_TYPESCRIPT.has(info)) return false;
  if (/^(ts|typescript|tsx)\b/i.test(info)) {
    throw new Error(`${where}: fence \`\`\`${info} is neither \`\`\`ts (checked) nor one of ${[...NOT_CHECKED_TYPESCRIPT].map((i) => `\`\`\`${i}`).join(', ')} (not checked)`);
  }
  return false;
}

/** Every fenced block of `text` (``` fences; a fence closes with at least as many backticks). */
export function fencedBlocks(file: string, text: string): Snippet[] {
  const lines = text.split(/\r?\n/);
  const blocks: Snippet[] = [];
  let checked = 0;
  for (let at = 0; at < lines.length; at++) {
    const open = /^(\s*)(`{3,})\s*([^`]*?)\s*$/.exec(lines[at]);
    if (open === null) continue;
    const [, indent, fence, info] = open;
    const body: string[] = [];
    let end = at + 1;
    for (; end < lines.length; end++) {
      const close = new RegExp(`^\\s*\`{${fence.length},}\\s*$`).exec(lines[end]);
      if (close !== null) break;
      body.push(lines[end].startsWith(indent) ? lines[end].slice(indent.length) : lines[end]);
    }
    if (end === lines.length) throw new Error(`${file}:${at + 1}: the fence opened here is never closed`);
    const where = `${file}:${at + 1}`;
    const index = isChecked(info, where) ? ++checked : 0;
    blocks.push({ file, index, line: at + 2, info, code: `${body.join('\n')}\n` });
    at = end;
  }
  return blocks;
}

/** The blocks that must compile. */
export function typeScriptSnippets(file: string, text: string): Snippet[] {
  return fencedBlocks(file, text).filter((block) => block.index > 0);
}

/** `README.md block 3 (line 52)`. */
export function describeSnippet(snippet: Snippet): string {
  return `${snippet.file} block ${snippet.index} (line ${snippet.line})`;
}
