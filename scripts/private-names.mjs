// The internal member names of lib/ that the build may shorten (scripts/build.mjs), and the
// shortening itself. A member is internal when it is `private`, or when it or a declaration
// around it (its class, interface or type alias) is tagged `@internal`: a promise that only this
// library makes and reads objects of that shape (never a user, rxjs, ws or the DOM). A name
// qualifies only when
//   - every declaration of a property by that name in the whole program (lib/, rxjs, ws, Node's
//     and the DOM's types, TypeScript's lib) is such an internal member of lib/,
//   - the TypeScript checker places every use of it as a property in lib/ (`x.name`, a method or
//     accessor, an object literal key, a shorthand property, a destructuring) on internal members
//     only (object literals and destructurings by their contextual or declared type), and
//   - it never appears as a string literal in lib/ (`'name' in x`, `x['name']`).
// Then no public type, no user object and no other library can hold a property by that name that
// the shortening would miss or break. spec/package/shortened-names.ts holds this to account
// against the packed package.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ts = createRequire(join(root, 'package.json'))('typescript');

/** Prefix of every shortened name: `$` + a number in base 36 (`$0`, `$1`, … `$z`, `$10`). */
export const SHORT_PREFIX = '$';

const isMemberDeclaration = (node) =>
  ts.isPropertyDeclaration(node) ||
  ts.isMethodDeclaration(node) ||
  ts.isGetAccessorDeclaration(node) ||
  ts.isSetAccessorDeclaration(node) ||
  ts.isPropertySignature(node) ||
  ts.isMethodSignature(node) ||
  (ts.isParameter(node) && (ts.getCombinedModifierFlags(node) & ts.ModifierFlags.ParameterPropertyModifier) !== 0);

const isPrivate = (declaration) => (ts.getCombinedModifierFlags(declaration) & ts.ModifierFlags.Private) !== 0;

/**
 * Whether a string literal may stand for a property name: a key in `x['name']`, `'name' in x`,
 * a computed key, an argument (`Object.hasOwn(x, 'name')`, `Reflect.get`), a list of keys. A
 * literal type, a comparison, a `case` or a discriminant value (`{ type: 'finish' }`) names no
 * property (lib/ reads no internal object by a computed key: every `x[key]` with a variable key
 * is on a user's options or headers, a Map or an array).
 */
function mayNameAProperty(literal) {
  const parent = literal.parent;
  return (
    (ts.isElementAccessExpression(parent) && parent.argumentExpression === literal) ||
    (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.InKeyword) ||
    ts.isComputedPropertyName(parent) ||
    ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(literal)) ||
    ts.isArrayLiteralExpression(parent)
  );
}

const hasInternalTag = (node) => ts.getJSDocTags(node).some((tag) => tag.tagName.text === 'internal');

/**
 * The member, or the declaration that owns it, carries an `@internal` TSDoc tag: its class or
 * interface, or the type alias whose type literal (possibly in a union) declares it. A type
 * literal anywhere else (a cast, a parameter's type) describes someone else's object: never.
 */
function taggedInternal(member) {
  if (hasInternalTag(member)) return true;
  let owner = ownerOf(member);
  if (ts.isClassDeclaration(owner) || ts.isClassExpression(owner) || ts.isInterfaceDeclaration(owner)) return hasInternalTag(owner);
  if (!ts.isTypeLiteralNode(owner)) return false;
  while (ts.isUnionTypeNode(owner.parent) || ts.isIntersectionTypeNode(owner.parent) || ts.isParenthesizedTypeNode(owner.parent)) owner = owner.parent;
  return ts.isTypeAliasDeclaration(owner.parent) && hasInternalTag(owner.parent);
}

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
 * A member of a class that extends another: it may override a member the base class's typings
 * leave out (rxjs's `Observable._subscribe`), so only its `private` members are shortened.
 */
function inSubclass(declaration) {
  const owner = ownerOf(declaration);
  return (ts.isClassDeclaration(owner) || ts.isClassExpression(owner)) && (owner.heritageClauses ?? []).some((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword);
}

/** The declarations of property `name` of `type` (of each member of a union that has one). */
function propertyDeclarations(type, name) {
  if (type === undefined) return [];
  const types = type.isUnion() ? type.types : [type];
  return types.flatMap((member) => member.getProperty(name)?.declarations ?? []);
}

/**
 * What a class member implements: the same-named members of the interfaces its class
 * `implements` (a member that implements rxjs's `Unsubscribable.unsubscribe` is rxjs's to call).
 */
function implementedDeclarations(checker, declaration) {
  const owner = ownerOf(declaration);
  if (!(ts.isClassDeclaration(owner) || ts.isClassExpression(owner)) || !ts.isIdentifier(declaration.name)) return [];
  const implemented = (owner.heritageClauses ?? []).filter((clause) => clause.token === ts.SyntaxKind.ImplementsKeyword).flatMap((clause) => clause.types);
  return implemented.flatMap((type) => propertyDeclarations(checker.getTypeAtLocation(type), declaration.name.text));
}

/** The class, interface or type literal that declares a member. */
const ownerOf = (declaration) => (ts.isParameter(declaration) ? declaration.parent.parent : declaration.parent);

/** The package's entry points (package.json `exports`), in lib/. */
const ENTRY_POINTS = ['index.ts', 'testing/index.ts', 'nats/index.ts', 'angular/index.ts'];

/**
 * The declarations the entry points export by name (classes, interfaces, type aliases): an
 * `@internal` member of one of these is still in the public typings (a user could call it, or
 * implement it), so only its `private` members are shortened.
 */
function publicDeclarations(program, checker) {
  const declarations = new Set();
  for (const entry of ENTRY_POINTS) {
    const file = program.getSourceFile(join(root, 'lib', entry));
    if (file === undefined) throw new Error(`scripts/private-names.mjs: no entry point lib/${entry}`);
    for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(file))) {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      for (const declaration of target.declarations ?? []) {
        declarations.add(declaration);
        if (ts.isTypeAliasDeclaration(declaration)) declarations.add(declaration.type);
      }
    }
  }
  return declarations;
}

const relativeName = (file) => resolve(file.fileName).replace(/^.*node_modules\//, '').replace(root + '/', '');

/**
 * The names that may be shortened, and for every other internal member name the reason it may
 * not, and how often lib/ uses each shortenable name as a property:
 * `{ names: string[], refused: Record<name, reason>, uses: Record<name, number> }`.
 */
export function shortenablePrivateNames() {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.build.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  const checker = program.getTypeChecker();
  const libDir = join(root, 'lib') + '/';
  const inLib = (file) => resolve(file.fileName).startsWith(libDir);
  const exported = publicDeclarations(program, checker);
  const isInternal = (declaration) =>
    inLib(declaration.getSourceFile()) &&
    isMemberDeclaration(declaration) &&
    (isPrivate(declaration) ||
      (taggedInternal(declaration) &&
        !inSubclass(declaration) &&
        !exported.has(ownerOf(declaration)) &&
        implementedDeclarations(checker, declaration).every(isInternal)));
  const candidates = new Set();
  const refused = {};
  const refuse = (name, reason) => (refused[name] ??= reason);
  const strings = new Set();
  const usesOf = [];
  for (const file of program.getSourceFiles().filter(inLib)) {
    const visit = (node) => {
      if (isMemberDeclaration(node) && ts.isIdentifier(node.name) && isInternal(node)) candidates.add(node.name.text);
      if (ts.isStringLiteralLike(node) && mayNameAProperty(node)) strings.add(node.text);
      if (ts.isIdentifier(node) && propertyNameOf(node)) usesOf.push(node);
      if (ts.isPrivateIdentifier(node)) refuse(node.text, 'an ES #private name (not shortened)');
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  /** The declarations a property-position identifier refers to (an empty list: not placed). */
  const declarationsOf = (node) => {
    const parent = node.parent;
    if (ts.isPropertyAssignment(parent) || ts.isShorthandPropertyAssignment(parent) || (ts.isMethodDeclaration(parent) && ts.isObjectLiteralExpression(parent.parent))) {
      return propertyDeclarations(checker.getContextualType(parent.parent), node.text);
    }
    if (ts.isBindingElement(parent)) return propertyDeclarations(checker.getTypeAtLocation(parent.parent), node.text);
    return checker.getSymbolAtLocation(node)?.declarations ?? [];
  };
  for (const node of usesOf) {
    const name = node.text;
    if (!candidates.has(name) || refused[name]) continue;
    const declarations = declarationsOf(node);
    if (declarations.length === 0) {
      refuse(name, `a property the checker cannot place (${relativeName(node.getSourceFile())})`);
    } else if (!declarations.every(isInternal)) {
      const other = declarations.find((d) => !isInternal(d));
      refuse(name, `also a property that is not an internal member of lib/ (${relativeName(other.getSourceFile())})`);
    }
  }
  for (const name of candidates) if (strings.has(name)) refuse(name, 'appears as a string literal in lib/');
  const names = [...candidates].filter((name) => !refused[name]).sort();
  const uses = {};
  for (const node of usesOf) if (names.includes(node.text)) uses[node.text] = (uses[node.text] ?? 0) + 1;
  return { names, refused, uses };
}

/** The digits of a short name: `$0` … `$9`, `$a` … `$z`, `$A` … `$Z`, then `$10`, … */
const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

function shortName(index) {
  let digits = '';
  do {
    digits = DIGITS[index % DIGITS.length] + digits;
    index = Math.floor(index / DIGITS.length);
  } while (index > 0);
  return `${SHORT_PREFIX}${digits}`;
}

/**
 * `names` → `$0`, `$1`, …: the most used names (`uses`, as {@link shortenablePrivateNames}
 * counts them) get the shortest, then the longest names.
 */
export function shortNames(names, uses = {}) {
  const ordered = [...names].sort((a, b) => (uses[b] ?? 0) - (uses[a] ?? 0) || b.length - a.length || (a < b ? -1 : 1));
  return Object.fromEntries(ordered.map((name, i) => [name, shortName(i)]));
}

/**
 * The variables of a CommonJS file that hold a module (`exports`, `module`, `const x_1 =
 * require('x')`, possibly through `__importDefault` or `__importStar`): `rxjs_1.timer` is an
 * import, and `exports.name` an export, not an internal member.
 */
function moduleBindings(source) {
  const names = new Set(['exports', 'module']);
  const visit = (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer !== undefined && /\brequire\s*\(/.test(node.initializer.getText(source))) {
      names.add(node.name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return names;
}

/**
 * `text` (an emitted .js file) with every property-name use of a key of `mapping` renamed:
 * `x.name`, `x?.name`, methods and accessors, object literal keys; a shorthand property or a
 * destructuring keeps its variable (`{ name }` becomes `{ $0: name }`). Only identifiers in
 * property position are touched (a local variable or parameter of the same name stays, and so
 * do a CommonJS file's imports and exports, `rxjs_1.timer`, `exports.name`). Returns the new text.
 */
export function shortenIn(text, mapping, fileName = 'file.js') {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const modules = moduleBindings(source);
  const edits = [];
  const visit = (node) => {
    const parent = node.parent;
    const onModule = parent !== undefined && ts.isPropertyAccessExpression(parent) && ts.isIdentifier(parent.expression) && modules.has(parent.expression.text);
    if (ts.isIdentifier(node) && Object.hasOwn(mapping, node.text) && propertyNameOf(node) && !onModule) {
      const keepsVariable = ts.isShorthandPropertyAssignment(parent) || (ts.isBindingElement(parent) && parent.propertyName === undefined);
      edits.push([node.getStart(source), node.end, keepsVariable ? `${mapping[node.text]}: ${node.text}` : mapping[node.text]]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  let out = text;
  for (const [start, end, replacement] of edits.sort((a, b) => b[0] - a[0])) out = out.slice(0, start) + replacement + out.slice(end);
  return out;
}
