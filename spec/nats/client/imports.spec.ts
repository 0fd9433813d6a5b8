import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const NATS_DIR = resolve(__dirname, '../../../lib/nats');
const LIB_INDEX = resolve(__dirname, '../../../lib/index');
/** Packages lib/nats may use besides the core's public API (tweetnacl: the Ed25519 signatures of nkey and JWT authentication). */
const PACKAGES = ['rxjs', 'tweetnacl'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every module specifier of a file: static and type imports, re-exports, dynamic import() and require(). */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [/\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]/g];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1]);
  return found;
}

describe('lib/nats uses only the public API', () => {
  it("imports only '../index' (the core's public API), lib/nats itself, rxjs and tweetnacl (#9 nats)", () => {
    const files = sourceFiles(NATS_DIR);
    expect(files.length).toBeGreaterThan(10);
    const offending: string[] = [];
    let fromIndex = 0;
    for (const file of files) {
      for (const specifier of specifiers(readFileSync(file, 'utf8'))) {
        if (!specifier.startsWith('.')) {
          if (!PACKAGES.includes(specifier)) offending.push(`${relative(NATS_DIR, file)}: ${specifier}`);
          continue;
        }
        const target = resolve(dirname(file), specifier);
        if (target === LIB_INDEX) fromIndex++;
        else if (target !== NATS_DIR && !target.startsWith(NATS_DIR + '/')) {
          offending.push(`${relative(NATS_DIR, file)}: ${specifier}`);
        }
      }
    }
    expect(offending).toEqual([]);
    expect(fromIndex).toBeGreaterThan(0); // the check does see the core imports
  });

  it('finds an import of lib internals when there is one (the check can fail) (#9 nats)', () => {
    const source = "import { Link } from '../connection/link';\nexport type { X } from \"./x\";\nconst y = require('ws');";
    expect(specifiers(source)).toEqual(['../connection/link', './x', 'ws']);
  });
});
