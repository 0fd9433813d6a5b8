// What rx-reconnect adds to the production build: reads the esbuild stats of the two builds
// made by ci.sh (dist/live-feed with the service, dist/baseline without it) and prints every
// JavaScript file's bytes, raw and gzip -9, and the minified bytes each package puts in them.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const builds = { baseline: 'dist/baseline', 'with rx-reconnect': 'dist/live-feed' };
const packages = ['rx-reconnect', 'rxjs'];

function measure(dir) {
  const browser = join(dir, 'browser');
  let raw = 0;
  let gzip = 0;
  for (const file of readdirSync(browser).filter((name) => name.endsWith('.js'))) {
    const bytes = readFileSync(join(browser, file));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  const stats = JSON.parse(readFileSync(join(dir, 'browser-stats.json'), 'utf8'));
  const byPackage = Object.fromEntries(packages.map((name) => [name, 0]));
  for (const output of Object.values(stats.outputs)) {
    for (const [path, input] of Object.entries(output.inputs ?? {})) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
      if (name && name in byPackage) byPackage[name] += input.bytesInOutput;
    }
  }
  return { raw, gzip, ...byPackage };
}

const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;
const rows = Object.entries(builds).map(([name, dir]) => [name, measure(dir)]);
const [, base] = rows[0];
const [, full] = rows[1];
rows.push(['added', Object.fromEntries(Object.keys(full).map((key) => [key, full[key] - base[key]]))]);

const columns = ['raw', 'gzip', ...packages];
const line = (first, cells) => console.log(first.padEnd(18) + cells.map((c) => c.padStart(20)).join(''));
line('', ['all JS raw', 'all JS gzip', ...packages.map((p) => `${p} (min)`)]);
for (const [name, figures] of rows) line(name, columns.map((key) => kb(figures[key])));
console.log('KB = 1000 bytes; gzip at level 9; a package\'s bytes are its minified share of the JavaScript (esbuild stats).');
