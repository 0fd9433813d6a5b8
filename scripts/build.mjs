#!/usr/bin/env node
// `npm run build`: the package's two builds from the unchanged sources in lib/.
//
//   dist/cjs  CommonJS (tsconfig.build.json), `{"type":"commonjs"}`
//   dist/esm  ES modules (tsconfig.build.esm.json), `{"type":"module"}`, importing `rxjs` by
//             name so the consumer's bundler or Node picks rxjs's own ESM or CJS build
//
// Both carry `.d.ts` and source maps with the sources inlined (lib/ is not shipped). tsc
// emits ESM specifiers as written (`./connect`), which Node and node16/nodenext type
// resolution refuse, so the ESM output's relative specifiers get their `.js` (or `/index.js`)
// here, each checked against the emitted files.
//
// What only Node can use is chosen in ESM by the `node` condition of `#…` specifiers
// (dist/esm/package.json `imports`, which Node and the bundlers resolve): the Node module under
// `node`, a stub everywhere else, so browser bundles never see it. In lib/ and CommonJS nothing
// changes. Four such specifiers:
//   #node-websocket  transport/node-websocket.js, `ws` as the default transport in Node;
//                  elsewhere transport/no-node-websocket.js (the runtime's own WebSocket)
//   #node-require  the one CommonJS construct in lib/, the lazy `require('ws')` of
//                  transport/node-websocket.ts, gets its `require` from it: `createRequire`
//                  under `node`, a stub elsewhere (never reached: only node-websocket.js
//                  imports it, and that module is Node's only)
//   #node-socket   every import of transport/node-socket.js (the `ws` extras: EventEmitter
//                  wiring, pings, terminate, refused upgrades, Retry-After) goes through it;
//                  elsewhere it is transport/no-node-socket.js (every socket a browser socket)
//   #node-transport-options  options/node-transport-options.js, the checks of the `ws` client
//                  options in `transport`; elsewhere options/no-node-transport-options.js (a
//                  browser ignores those options: only their object is checked)
//
// lib/development.ts's `DEVELOPMENT` flag is inlined where it is read: each read becomes its
// guarded `process.env.NODE_ENV` expression, so that a bundler's define folds it in the file
// that reads it, early enough to drop the development-only functions that only it reaches
// (esbuild folds a constant imported from another module only after its tree shaking).
//
// Internal member names that the type checker proves internal (scripts/private-names.mjs:
// `private` members, members of `@internal` classes and interfaces) are
// shortened to `$0`, `$1`, … in both builds, with one mapping for every file (a bundler's
// minifier cannot rename properties). `--keep-names` builds without it.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shortenablePrivateNames, shortenIn, shortNames } from './private-names.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const esm = join(dist, 'esm');
const cjs = join(dist, 'cjs');
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');

/**
 * The ESM build's Node-only modules, by `#…` specifier: the file under the `node` condition and
 * the stub for every other runtime, relative to dist/esm. `copied`: both are copied from
 * scripts/esm (they exist only in ESM); otherwise tsc emitted both from lib/.
 */
const NODE_ONLY = {
  '#node-require': { node: 'transport/node-require.js', default: 'transport/no-node-require.js', copied: true },
  '#node-socket': { node: 'transport/node-socket.js', default: 'transport/no-node-socket.js', copied: false },
  '#node-websocket': { node: 'transport/node-websocket.js', default: 'transport/no-node-websocket.js', copied: false },
  '#node-transport-options': {
    node: 'options/node-transport-options.js',
    default: 'options/no-node-transport-options.js',
    copied: false,
  },
};
/** The file that needs `require` in ESM, relative to dist/esm, and what it may require. */
const REQUIRE_USER = 'transport/node-websocket.js';
const REQUIRE_CALL = "require('ws')";

function compile(project) {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [tsc, '-p', join(root, project)], { cwd: root, stdio: 'inherit' });
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`tsc -p ${project} exited with ${code}`))));
  });
}

function* filesUnder(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else yield path;
  }
}

const isFile = (path) => existsSync(path) && statSync(path).isFile();

/** `./x` → `./x.js` or `./x/index.js`, whichever was emitted (`.d.ts` files point at the `.js`). */
function withExtension(file, specifier) {
  if (specifier.endsWith('.js')) return specifier;
  const emitted = file.endsWith('.d.ts') ? '.d.ts' : '.js';
  const target = resolve(dirname(file), specifier);
  if (isFile(target + emitted)) return `${specifier}.js`;
  if (isFile(join(target, `index${emitted}`))) return `${specifier.replace(/\/$/, '')}/index.js`;
  throw new Error(`${relative(root, file)}: cannot resolve '${specifier}' to an emitted file`);
}

// `from '…'`, `import '…'`, `import('…')` with a relative specifier; nothing else in emitted
// code or declarations looks like that (an unresolvable match fails the build).
const RELATIVE_SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}(?:\/[^'"]*)?)\2/g;

function addExtensions(file) {
  const text = readFileSync(file, 'utf8');
  const rewritten = text.replace(RELATIVE_SPECIFIER, (_, keyword, quote, specifier) => `${keyword}${quote}${withExtension(file, specifier)}${quote}`);
  if (rewritten !== text) writeFileSync(file, rewritten);
}

const esmPath = (file) => relative(esm, file).split('\\').join('/');

/**
 * Puts the Node-only modules of {@link NODE_ONLY} in place (copies the copied ones) and checks
 * that every file the `imports` map names exists.
 */
function placeNodeOnlyModules() {
  for (const { copied, ...targets } of Object.values(NODE_ONLY)) {
    for (const target of Object.values(targets)) {
      if (copied) copyFileSync(join(root, 'scripts/esm', target.slice(target.lastIndexOf('/') + 1)), join(esm, target));
      if (!isFile(join(esm, target))) throw new Error(`dist/esm/${target}: missing; update NODE_ONLY in scripts/build.mjs with the source`);
    }
  }
}

/** Gives the ESM build's one `require('ws')` a `require` (appended: source map lines stay put). */
function provideRequire() {
  const file = join(esm, REQUIRE_USER);
  const text = readFileSync(file, 'utf8');
  if (text.split(REQUIRE_CALL).length !== 2) {
    throw new Error(`${REQUIRE_USER}: expected exactly one ${REQUIRE_CALL}; update scripts/build.mjs with the source`);
  }
  const mapComment = text.lastIndexOf('//# sourceMappingURL=');
  const at = mapComment === -1 ? text.length : mapComment;
  writeFileSync(file, `${text.slice(0, at)}import { nodeRequire as require } from '#node-require';\n${text.slice(at)}`);
  const requireFiles = Object.values(NODE_ONLY['#node-require']);
  for (const other of filesUnder(esm)) {
    const relativePath = esmPath(other);
    if (!other.endsWith('.js') || relativePath === REQUIRE_USER || requireFiles.includes(relativePath)) continue;
    if (/\brequire\s*\(/.test(readFileSync(other, 'utf8'))) {
      throw new Error(`dist/esm/${relativePath} calls require(), which ES modules do not have`);
    }
  }
}

/**
 * Sends every import of a Node-only module that tsc emitted (`from './node-socket.js'`, after
 * {@link addExtensions}) through its `#…` specifier, so the runtime's conditions choose it. Each
 * such module must be imported somewhere, and by nothing but that specifier afterwards.
 */
function routeThroughImportsMap() {
  for (const [specifier, { node, copied }] of Object.entries(NODE_ONLY)) {
    if (copied) continue;
    let routed = 0;
    for (const file of filesUnder(esm)) {
      if (!file.endsWith('.js') || esmPath(file) === node) continue;
      const text = readFileSync(file, 'utf8');
      const rewritten = text.replace(RELATIVE_SPECIFIER, (match, keyword, quote, relativeSpecifier) => {
        if (esmPath(resolve(dirname(file), relativeSpecifier)) !== node) return match;
        routed++;
        return `${keyword}${quote}${specifier}${quote}`;
      });
      if (rewritten !== text) writeFileSync(file, rewritten);
    }
    if (routed === 0) throw new Error(`dist/esm: nothing imports ${node}; update NODE_ONLY in scripts/build.mjs with the source`);
  }
}

/** The initializer of `DEVELOPMENT` as emitted: `export const DEVELOPMENT = <expression>;`. */
function developmentExpression() {
  const emitted = readFileSync(join(esm, 'development.js'), 'utf8');
  const match = /^export const DEVELOPMENT = (.+);$/m.exec(emitted);
  if (!match) throw new Error('dist/esm/development.js: expected `export const DEVELOPMENT = …;` on one line');
  return `(${match[1]})`;
}

const ts = createRequire(join(root, 'package.json'))('typescript');

/**
 * Replaces every read of `DEVELOPMENT` in `file` (`DEVELOPMENT` in ESM, `development_1.DEVELOPMENT`
 * in CommonJS; tokens, so comments and strings are left alone) with `expression`, and its import
 * with an empty line (line numbers, and so source maps, stay put).
 */
function inlineDevelopment(file, expression) {
  const text = readFileSync(file, 'utf8');
  if (!text.includes('DEVELOPMENT')) return;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const edits = []; // [start, end, replacement]
  const visit = (node) => {
    const isImport =
      (ts.isImportDeclaration(node) && /(^|\/)development\.js$/.test(node.moduleSpecifier.text)) ||
      (ts.isVariableStatement(node) && /require\("[./]+development"\)/.test(node.getText(source)));
    if (isImport) {
      edits.push([node.getStart(source), node.end, '']);
      return;
    }
    const isRead =
      (ts.isIdentifier(node) && node.text === 'DEVELOPMENT') ||
      (ts.isPropertyAccessExpression(node) && node.name.text === 'DEVELOPMENT' && ts.isIdentifier(node.expression));
    if (isRead) {
      edits.push([node.getStart(source), node.end, expression]);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  let rewritten = text;
  for (const [start, end, replacement] of edits.sort((a, b) => b[0] - a[0])) {
    rewritten = rewritten.slice(0, start) + replacement + rewritten.slice(end);
  }
  writeFileSync(file, rewritten);
}

const writeJson = (path, value) => writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);

rmSync(dist, { recursive: true, force: true });
await Promise.all([compile('tsconfig.build.json'), compile('tsconfig.build.esm.json')]);
writeJson(join(cjs, 'package.json'), { type: 'commonjs', sideEffects: false });
// Node and bundlers read `type`, `sideEffects` and `imports` from the nearest package.json.
writeJson(join(esm, 'package.json'), {
  type: 'module',
  sideEffects: false,
  imports: Object.fromEntries(Object.entries(NODE_ONLY).map(([specifier, targets]) => [specifier, { node: `./${targets.node}`, default: `./${targets.default}` }])),
});
for (const file of filesUnder(esm)) {
  if (file.endsWith('.js') || file.endsWith('.d.ts')) addExtensions(file);
}
placeNodeOnlyModules();
provideRequire();
routeThroughImportsMap();
const expression = developmentExpression();
for (const file of [...filesUnder(esm), ...filesUnder(cjs)]) {
  if (file.endsWith('.js') && !file.endsWith(`${'/'}development.js`)) inlineDevelopment(file, expression);
}
if (!process.argv.includes('--keep-names')) {
  const { names, uses } = shortenablePrivateNames();
  const mapping = shortNames(names, uses);
  for (const file of [...filesUnder(esm), ...filesUnder(cjs)]) {
    if (file.endsWith('.js')) writeFileSync(file, shortenIn(readFileSync(file, 'utf8'), mapping, file));
  }
}
console.log(`built ${relative(process.cwd(), cjs) || '.'} and ${relative(process.cwd(), esm) || '.'}`);
