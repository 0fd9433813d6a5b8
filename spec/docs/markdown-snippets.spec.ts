import { describeSnippet, fencedBlocks, typeScriptSnippets } from './markdown-snippets';
import { findQuickStart } from './quick-start';

const fence = '```';

describe('the documentation fence rule (spec/docs/markdown-snippets.ts)', () => {
  const guide = [
    '# Guide',
    `${fence}ts`,
    "import { connect } from 'rx-reconnect';",
    `${fence}`,
    `${fence}text`,
    'client: Connected',
    `${fence}`,
    `${fence}typescript-angular`,
    '@Injectable() class Feed {}',
    `${fence}`,
    `${fence}ts angular`,
    '@Component({}) class Page {}',
    `${fence}`,
    `${fence}sh`,
    'npm test',
    `${fence}`,
    `${fence}typescript`,
    'const x: number = 1;',
    `${fence}`,
  ].join('\n');

  it('checks ```ts and ```typescript blocks, numbered per file with the line of their first code line', () => {
    const snippets = typeScriptSnippets('docs/guide.md', guide);
    expect(snippets.map(describeSnippet)).toEqual(['docs/guide.md block 1 (line 3)', 'docs/guide.md block 2 (line 18)']);
    expect(snippets[0].code).toBe("import { connect } from 'rx-reconnect';\n");
  });

  it('leaves ```text, ```sh, ```typescript-angular and ```ts angular blocks unchecked', () => {
    const unchecked = fencedBlocks('docs/guide.md', guide).filter((block) => block.index === 0);
    expect(unchecked.map((block) => block.info)).toEqual(['text', 'typescript-angular', 'ts angular', 'sh']);
  });

  it.each(['ts title="x"', 'tsx', 'TS', 'typescript-foo', 'ts  angular'])('refuses the ambiguous fence ```%s, naming the file and line', (info) => {
    expect(() => fencedBlocks('README.md', `text\n${fence}${info}\nconst a = 1;\n${fence}\n`)).toThrow(`README.md:2: fence`);
  });

  it('refuses a fence that is never closed', () => {
    expect(() => fencedBlocks('README.md', `${fence}ts\nconst a = 1;\n`)).toThrow('README.md:1: the fence opened here is never closed');
  });

  it('keeps a longer fence open across an inner ``` line', () => {
    const blocks = fencedBlocks('x.md', `\`\`\`\`md\n${fence}ts\ncode\n${fence}\n\`\`\`\`\n`);
    expect(blocks).toHaveLength(1);
    expect(blocks[0].info).toBe('md');
  });

  it('finds the quick start and its expected output under "## Quick start"', () => {
    const readme = `# x\n${fence}ts\nearlier();\n${fence}\n## Quick start\n${fence}ts\nmain();\n${fence}\nIt prints:\n${fence}text\nclient: A\n\nserver: B\n${fence}\n`;
    const quickStart = findQuickStart(readme);
    expect(quickStart.snippet.code).toBe('main();\n');
    expect(quickStart.expected).toEqual(['client: A', 'server: B']);
  });
});
