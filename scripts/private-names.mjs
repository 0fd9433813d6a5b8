// The private member names of lib/ that the build may shorten (scripts/build.mjs), and the
// shortening itself. A name qualifies only when the TypeScript checker says that every use of
// it as a property anywhere in lib/ (`x.name`, a method or accessor, an object literal key, a
// destructuring, a string literal) refers to a `private` member of a class in lib/: then no
// public type, no user object and no other library (rxjs, ws, the DOM) can hold a property by
// that name that the shortening would miss or break. spec/package/shortened-names.ts holds
// this to account against the packed package.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ts = createRequire(join(root, 'package.json'))('typescript');

/** Prefix of every shortened name: `$` + a number in base 36 (`$0`, `$1`, … `$z`, `$10`). */
export const SHORT_PREFIX = '$';

const isPrivateMember = (declaration) =>
  (ts.isPropertyDeclaration(declaration) ||
    ts.isMethodDeclaration(declaration) ||
    ts.isGetAccessorDeclaration(declaration) ||
    ts.isSetAccessorDeclaration(declaration) ||
    ts.isParameter(declaration)) &&
  (ts.getCombinedModifierFlags(declaration) & ts.ModifierFlags.Private) !== 0;

/** Identifiers that name a property (not a variable): where a rename would have to happen. */
function propertyNameOf(node) {
  const parent = node.parent;
  if (parent === undefined) return false;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return true;
  if ((ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent) || ts.isGetAccessorDeclaration(parent) || ts.isSetAccessorDeclaration(parent)) && parent.name === node) return true;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertySignature(parent) || ts.isMethodSignature(parent)) && parent.name === node) return true;
  if (ts.isShorthandPropertyAssignment(parent) || (ts.isBindingElement(parent) && (parent.propertyName === node || (parent.propertyName === undefined && parent.name === node && ts.isObjectBindingPattern(parent.parent))))) return true;
  if (ts.isParameter(parent) && parent.name === node && (ts.getCombinedModifierFlags(parent) & ts.ModifierFlags.ParameterPropertyModifier) !== 0) return true;
  return false;
}

/**
 * The names that may be shortened, and for every other private member name the reason it may
 * not: `{ names: string[], refused: Record<name, reason> }`.
 */
export function shortenablePrivateNames() {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.build.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  const checker = program.getTypeChecker();
  const libDir = join(root, 'lib');
  const inLib = (file) => resolve(file.fileName).startsWith(libDir);
  const candidates = new Set();
  const refused = {};
  const refuse = (name, reason) => (refused[name] ??= reason);
  const strings = new Set();
  const uses = [];
  for (const file of program.getSourceFiles().filter(inLib)) {
    const visit = (node) => {
      if (ts.isStringLiteralLike(node)) strings.add(node.text);
      if (ts.isIdentifier(node) && propertyNameOf(node)) uses.push(node);
      if (ts.isPrivateIdentifier(node)) refuse(node.text, 'an ES #private name (not shortened)');
      if ((ts.isPropertyDeclaration(node) || ts.isMethodDeclaration(node) || ts.isParameter(node) || ts.isGetAccessorDeclaration(node)) && isPrivateMember(node) && ts.isIdentifier(node.name)) {
        candidates.add(node.name.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  for (const node of uses) {
    const name = node.text;
    if (!candidates.has(name) || refused[name]) continue;
    const parent = node.parent;
    if (ts.isShorthandPropertyAssignment(parent) || ts.isBindingElement(parent)) {
      refuse(name, 'used in a destructuring or a shorthand property');
      continue;
    }
    const symbol = ts.isShorthandPropertyAssignment(parent) ? undefined : checker.getSymbolAtLocation(node);
    const declarations = symbol?.declarations ?? [];
    if (declarations.length === 0) {
      refuse(name, `a property the checker cannot place (${node.getSourceFile().fileName.slice(root.length + 1)})`);
    } else if (!declarations.every((d) => isPrivateMember(d) && inLib(d.getSourceFile()))) {
      const other = declarations.find((d) => !(isPrivateMember(d) && inLib(d.getSourceFile())));
      refuse(name, `also a property that is not a private member in lib/ (${other.getSourceFile().fileName.replace(/^.*node_modules\//, '').replace(root + '/', '')})`);
    }
  }
  for (const name of candidates) if (strings.has(name)) refuse(name, 'appears as a string literal in lib/');
  const names = [...candidates].filter((name) => !refused[name]).sort();
  return { names, refused };
}

/** `names` → `$0`, `$1`, …, longest names first (they gain the most from the shortest names). */
export function shortNames(names) {
  const ordered = [...names].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  return Object.fromEntries(ordered.map((name, i) => [name, `${SHORT_PREFIX}${i.toString(36)}`]));
}

/**
 * `text` (an emitted .js file) with every property-name use of a key of `mapping` renamed:
 * `x.name`, `x?.name`, methods and accessors. Only identifiers in property position are touched
 * (a local variable or parameter of the same name stays). Returns the new text.
 */
export function shortenIn(text, mapping, fileName = 'file.js') {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const edits = [];
  const visit = (node) => {
    if (ts.isIdentifier(node) && Object.hasOwn(mapping, node.text) && propertyNameOf(node)) {
      edits.push([node.getStart(source), node.end, mapping[node.text]]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  let out = text;
  for (const [start, end, replacement] of edits.sort((a, b) => b[0] - a[0])) out = out.slice(0, start) + replacement + out.slice(end);
  return out;
}

