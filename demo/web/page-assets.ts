import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The page's three files, ready to serve. */
export interface PageAssets {
  /** `index.html` with the ws server's URL filled in. */
  readonly html: string;
  readonly css: string;
  /** The page script: `page/main.ts` and the library bundled for the browser (no `ws`). */
  readonly js: string;
}

const PAGE_DIR = join(__dirname, 'page');

/**
 * Reads the page and bundles its script with esbuild, at start-up: the library as a browser
 * uses it, with the native `WebSocket`. `ws` is left out: the library only `require`s it when
 * it runs in Node, which never happens in the page.
 */
export async function loadPageAssets(wsUrl: string): Promise<PageAssets> {
  const [template, css, bundle] = await Promise.all([
    readFile(join(PAGE_DIR, 'index.html'), 'utf8'),
    readFile(join(PAGE_DIR, 'style.css'), 'utf8'),
    build({
      entryPoints: [join(PAGE_DIR, 'main.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'es2020',
      external: ['ws'],
      logLevel: 'silent',
    }),
  ]);
  const js = bundle.outputFiles[0]?.text;
  if (js === undefined) throw new Error('esbuild produced no page script');
  return { html: template.replace('{{WS_URL}}', escapeAttribute(wsUrl)), css, js };
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
