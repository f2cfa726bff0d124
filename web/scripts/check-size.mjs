// `npm run size`: the JavaScript and CSS the first page loads (what build/web/index.html references: its entry
// script, the chunks it preloads, its style sheets), gzipped, against the 250 KB budget. Lazy pages do not count.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const budget = 250 * 1024;
// PARLEY_WEB_DIR when set (the build directory's web/, as CTest runs it), else where `npm run build` writes.
const dir = join(process.env.PARLEY_WEB_DIR || new URL('../../build/web/', import.meta.url).pathname, '/');
let html;
try {
  html = readFileSync(join(dir, 'index.html'), 'utf8');
} catch {
  console.error(`no ${dir}index.html: run \`npm run build\` first`);
  process.exit(1);
}
const assets = new Set();
for (const match of html.matchAll(/(?:src|href)="\/?(assets\/[^"]+\.(?:js|css))"/g)) assets.add(match[1]);
let total = 0;
for (const asset of assets) {
  const size = gzipSync(readFileSync(join(dir, asset)), { level: 9 }).length;
  total += size;
  console.log(`${(size / 1024).toFixed(1).padStart(7)} KB  ${asset}`);
}
const verdict = total <= budget ? 'within' : 'OVER';
console.log(`${(total / 1024).toFixed(1).padStart(7)} KB  first page, gzipped (${verdict} the ${budget / 1024} KB budget)`);
process.exit(total <= budget ? 0 : 1);
