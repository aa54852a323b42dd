// uPlot's dist, read to be inlined into a page (run report, proof report).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function readUplot(): { js: string; css: string; version: string } {
  const js = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  const version = (JSON.parse(readFileSync(require.resolve('uplot/package.json'), 'utf8')) as { version: string }).version;
  // Inlined as is: a closing tag inside would end the <script>/<style> early.
  if (/<\/script/i.test(js) || /<\/style/i.test(css)) throw new Error('uPlot dist contains a closing tag: cannot inline it');
  return { js, css, version };
}
