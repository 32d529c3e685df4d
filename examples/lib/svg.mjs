// Charts as SVG files, rendered headlessly: a vega-lite spec compiled to vega, run by a vega View with
// no renderer (no browser, no canvas).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

/** Renders the vega-lite `spec` and writes it to `file` as SVG (making its directory). */
export async function writeVegaLiteSvg(spec, file) {
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, svg);
}
