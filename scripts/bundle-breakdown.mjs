#!/usr/bin/env node
// Where the bytes of one browser bundle go, per source file: the bundle of scripts/bundle-sizes.mjs
// (same esbuild options, rxjs external), each output byte attributed to its source through the
// source map (esbuild follows dist/'s maps back to lib/*.ts).
//
//   node scripts/bundle-breakdown.mjs [SCENARIO] [--top N] [--json] [--project DIR]
//
// SCENARIO is a key of SCENARIOS in bundle-sizes.mjs (default `connect`); build first.
// Columns: `min`, the file's minified bytes; `gzip`, what it adds to min+gzip, measured by
// leaving it out (gzip of the bundle minus gzip of the bundle without the file's bytes). The
// gzip column does not sum to the total: text repeated across files compresses once, and is
// charged to none of them.
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { appBundleOptions, repoProject, SCENARIOS } from './bundle-sizes.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const esbuild = createRequire(join(root, 'package.json'))('esbuild');

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The numbers of one source map segment (base64 VLQ). */
function decodeSegment(segment) {
  const values = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >> 1) : value >> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

/** For each character of `code`, the index of its source in `map.sources`, or -1 (generated code). */
function sourceOfEachChar(code, map) {
  const lineStarts = [0];
  for (let i = 0; i < code.length; i++) if (code[i] === '\n') lineStarts.push(i + 1);
  const starts = [];
  let source = 0;
  map.mappings.split(';').forEach((line, lineIndex) => {
    let column = 0;
    for (const segment of line === '' ? [] : line.split(',')) {
      const [columnDelta, sourceDelta] = decodeSegment(segment);
      column += columnDelta;
      if (sourceDelta !== undefined) source += sourceDelta;
      starts.push([lineStarts[lineIndex] + column, sourceDelta === undefined ? -1 : source]);
    }
  });
  const owner = new Int32Array(code.length).fill(-1);
  starts.forEach(([start, owning], i) => owner.fill(owning, start, i + 1 < starts.length ? starts[i + 1][0] : code.length));
  return owner;
}

const gzipBytes = (text) => gzipSync(text, { level: 9 }).length;

/** `lib/…` for the library's files (whatever the install path), `pkg/…` for other packages. */
function displayPath(source) {
  const inLib = source.lastIndexOf('/lib/');
  if (inLib !== -1) return source.slice(inLib + 1);
  return source.replace(/^.*node_modules\//, '').replace(/^(\.\.\/)+/, '');
}

/** Per-file minified bytes and gzip contribution of `scenario`, largest contribution first. */
export async function breakdown(project, scenario) {
  const result = await esbuild.build({
    ...appBundleOptions(project, SCENARIOS[scenario], { external: true, minify: true }),
    sourcemap: 'external',
    outfile: join(project, 'bundle.js'),
  });
  const code = result.outputFiles.find((file) => file.path.endsWith('.js')).text;
  const map = JSON.parse(result.outputFiles.find((file) => file.path.endsWith('.map')).text);
  const owner = sourceOfEachChar(code, map);
  const gzip = gzipBytes(code);
  const files = [...new Set(owner)].map((source) => {
    let without = '';
    let minified = 0;
    for (let i = 0; i < code.length; i++) {
      if (owner[i] === source) minified++;
      else without += code[i];
    }
    return { path: source === -1 ? '(generated)' : displayPath(map.sources[source]), minified, gzip: gzip - gzipBytes(without) };
  });
  files.sort((a, b) => b.gzip - a.gzip || b.minified - a.minified);
  return { scenario, minified: code.length, gzip, files };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const scenario = args.find((arg, i) => !arg.startsWith('--') && !['--top', '--project'].includes(args[i - 1])) ?? 'connect';
  if (!(scenario in SCENARIOS)) throw new Error(`unknown scenario ${scenario}; one of ${Object.keys(SCENARIOS).join(', ')}`);
  const project = option('--project') === undefined ? repoProject() : resolve(option('--project'));
  try {
    const report = await breakdown(project, scenario);
    if (args.includes('--json')) {
      console.log(JSON.stringify(report));
    } else {
      console.log(`${scenario} (rxjs external): ${report.minified} B min, ${report.gzip} B min+gzip\n     min    gzip  file`);
      for (const { path, minified, gzip } of report.files.slice(0, Number(option('--top') ?? 20))) {
        console.log(`${String(minified).padStart(8)} ${String(gzip).padStart(7)}  ${path}`);
      }
    }
  } finally {
    if (option('--project') === undefined) rmSync(project, { recursive: true, force: true });
  }
}
