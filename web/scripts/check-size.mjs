// `npm run size`: the JavaScript and CSS the first page loads (what build/web/index.html references: its entry
// script, the chunks it preloads, its style sheets), gzipped, against the 250 KB budget. Lazy pages do not count.
// And the web-chat widget (webchat/widget.js), which every page of a business's site loads, against its own 12 KB.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const budget = 250 * 1024;
const widgetBudget = 12 * 1024;
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
const gzipped = (asset) => gzipSync(readFileSync(join(dir, asset)), { level: 9 }).length;
const kb = (size) => `${(size / 1024).toFixed(1).padStart(7)} KB`;
let total = 0;
for (const asset of assets) {
  const size = gzipped(asset);
  total += size;
  console.log(`${kb(size)}  ${asset}`);
}
const verdict = (size, limit) => `${size <= limit ? 'within' : 'OVER'} the ${limit / 1024} KB budget`;
console.log(`${kb(total)}  first page, gzipped (${verdict(total, budget)})`);
let widget = Infinity;
try {
  widget = gzipped('webchat/widget.js');
} catch {
  console.error(`no ${dir}webchat/widget.js`);
}
console.log(`${kb(widget)}  webchat/widget.js, gzipped (${verdict(widget, widgetBudget)})`);
process.exit(total <= budget && widget <= widgetBudget ? 0 : 1);
