// The Quick start demo (`npx -y pnpm@12.4.2 demo`): an MLP and a small CNN trained on the UCI digits
// with Adam and compiled training steps, evaluated on a seeded held-out split, their loss and
// accuracy curves written to examples/digits/out/curves.svg. Every key is explicit, so every run
// prints the same losses and accuracies.
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as mx from 'mlx-ts';
import { loadDigits, splitDigits } from './data.mjs';
import { fit } from './fit.mjs';
import { experiments } from './models.mjs';
import { plotCurves } from './plot.mjs';
import { progress } from './progress.mjs';

const TARGETS = { MLP: 0.97, CNN: 0.98 };
const PLOT = fileURLToPath(new URL('./out/curves.svg', import.meta.url));

const data = splitDigits(loadDigits(), mx.random.key(0));
console.log(
  `mlx-ts digits demo (backend: ${mx.backendFor('cpu').name}): ${data.xTrain.shape[0]} training and ${data.xTest.shape[0]} test images of 8x8 pixels`,
);

const params = (model) => mx.utils.treeFlatten(model.trainableParameters()).reduce((n, [, p]) => n + p.size, 0);
const runs = [];
for (const experiment of experiments) {
  const { name, epochs, batchSize } = experiment;
  const bar = progress(name, epochs);
  const t0 = performance.now();
  const { model, history } = fit(experiment, data, bar);
  bar.stop();
  const seconds = (performance.now() - t0) / 1000;
  const { testAccuracy } = history.at(-1);
  const verdict = testAccuracy >= TARGETS[name] ? 'met' : 'NOT met';
  console.log(
    `${name} (${params(model)} parameters, ${epochs} epochs of batches of ${batchSize}): test accuracy ${(testAccuracy * 100).toFixed(1)}% ` +
      `(target ${TARGETS[name] * 100}%: ${verdict}) in ${seconds.toFixed(1)} s`,
  );
  runs.push({ name, history });
}

await plotCurves(runs, PLOT);
console.log(`loss and accuracy curves: ${relative(process.cwd(), PLOT)}`);
console.log(`total ${process.uptime().toFixed(1)} s, startup included`);
