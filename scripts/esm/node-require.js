// `#node-require` under the `node` condition (see dist/esm/package.json): a CommonJS `require`
// for the ESM build, which has none of its own, so `ws` still loads lazily and synchronously.
import { createRequire } from 'node:module';

export const nodeRequire = createRequire(import.meta.url);
