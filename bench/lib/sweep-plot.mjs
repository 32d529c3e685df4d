// The size sweeps' plot (issue 16): rate against size per library, one panel per swept kind, as an
// SVG next to the results JSON. Rendered headlessly by the examples' vega-lite helper.
import { writeVegaLiteSvg } from '../../examples/lib/svg.mjs';

const PANELS = {
  matmul: { title: 'matmul f32 (square 64..4096 and [256,784]x[784,512])', x: 'GFLOP per product', y: 'GFLOP/s' },
  sum: { title: 'sum to a scalar, f32', x: 'elements', y: 'GB/s (4 B/element)' },
  softmax: { title: 'softmax over rows of 1000, f32', x: 'elements', y: 'GB/s (read + write, 8 B/element)' },
};

/** The points of the sweep rows among `rows` (run.mjs's result rows), one per library and size. */
export function sweepPoints(workloads, rows) {
  const byId = new Map(workloads.filter((w) => w.sweep).map((w) => [w.id, w]));
  return rows
    .filter((r) => r.type === 'result' && byId.has(r.workload))
    .map((r) => {
      const w = byId.get(r.workload);
      return { chart: w.sweep.chart, size: w.sweep.x, rate: w.metric.amount / (r.medianMs / 1000), library: r.library, workload: r.workload };
    });
}

/** Writes the plot of `points` (from sweepPoints) to `file`; false (nothing written) when there are none. */
export async function writeSweepPlot(points, file) {
  if (!points.length) return false;
  const charts = Object.keys(PANELS).filter((c) => points.some((p) => p.chart === c));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values: points },
    hconcat: charts.map((c) => ({
      title: PANELS[c].title,
      width: 320,
      height: 240,
      transform: [{ filter: { field: 'chart', equal: c } }],
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'size', type: 'quantitative', scale: { type: 'log' }, axis: { format: '~s', labelOverlap: 'greedy' }, title: PANELS[c].x },
        y: { field: 'rate', type: 'quantitative', title: PANELS[c].y },
        color: { field: 'library', type: 'nominal', title: 'library' },
        tooltip: [{ field: 'workload' }, { field: 'library' }, { field: 'rate', format: '.1f' }],
      },
    })),
    resolve: { scale: { color: 'shared' } },
  };
  await writeVegaLiteSvg(spec, file);
  return true;
}
