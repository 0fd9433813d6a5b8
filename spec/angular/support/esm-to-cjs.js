// Jest transform for the ES modules of @angular/core (its fesm2022/*.mjs): CommonJS through
// esbuild, so the Angular entry's specs run in plain Jest without the Angular compiler or
// jest-preset-angular. Only node_modules/@angular is transformed (jest.config.ts).
const { transformSync } = require('esbuild');

module.exports = {
  process(source, path) {
    const { code, map } = transformSync(source, { loader: 'js', format: 'cjs', target: 'es2022', sourcefile: path, sourcemap: 'external' });
    return { code, map };
  },
  getCacheKey(source, path) {
    return require('node:crypto').createHash('sha1').update('esm-to-cjs 1\0').update(path).update('\0').update(source).digest('hex');
  },
};
