// The loss and accuracy curves of the trained models as one SVG (examples/lib/svg.mjs renders it).
import { writeVegaLiteSvg } from '../lib/svg.mjs';

/** `runs`: [{ name, history }] from fit(); writes the SVG to `file`. */
export async function plotCurves(runs, file) {
  const values = runs.flatMap(({ name, history }) =>
    history.flatMap((r) => [
      { model: name, epoch: r.epoch, curve: 'train', loss: r.trainLoss },
      { model: name, epoch: r.epoch, curve: 'test', loss: r.testLoss, accuracy: r.testAccuracy },
    ]),
  );
  const epoch = { field: 'epoch', type: 'quantitative', title: 'epoch' };
  const color = { field: 'model', type: 'nominal', title: 'model' };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'UCI digits: held-out test split',
    data: { values },
    hconcat: [
      {
        title: 'cross-entropy (train: solid, test: dashed)',
        width: 360,
        height: 240,
        mark: { type: 'line', point: true },
        encoding: {
          x: epoch,
          y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'mean cross-entropy (log scale)' },
          color,
          strokeDash: { field: 'curve', type: 'nominal', title: 'split', sort: ['train', 'test'] },
        },
      },
      {
        title: 'test accuracy',
        width: 360,
        height: 240,
        transform: [{ filter: "datum.curve === 'test'" }],
        mark: { type: 'line', point: true },
        encoding: {
          x: epoch,
          y: { field: 'accuracy', type: 'quantitative', scale: { zero: false }, axis: { format: '.0%' }, title: 'accuracy' },
          color,
        },
      },
    ],
  };
  await writeVegaLiteSvg(spec, file);
}
