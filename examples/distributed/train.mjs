// Data-parallel training of the digits CNN (examples/digits) over MPI:
//
//     mpirun -np 2 node examples/distributed/train.mjs [--steps 20] [--batch 64] [--check]
//
// Every process builds the same model (one seed), takes the same global batches and trains on its
// own 1/N slice of each; nn.averageGradients makes the gradients the mean over the processes, so
// every process applies the global batch's gradient. With --check, rank 0 also trains a
// single-process copy on the concatenated batches and prints how far the two parameter sets are
// apart (float rounding only: the sums run in another order).
import * as mx from 'mlx-ts';
import { batches, loadDigits, splitDigits } from '../digits/data.mjs';
import { evaluate } from '../digits/fit.mjs';
import { experiments } from '../digits/models.mjs';

const { nn } = mx;
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const steps = arg('steps', 20);
const batchSize = arg('batch', 64);
const check = process.argv.includes('--check');

const group = mx.distributed.init();
const [rank, size] = [group.rank(), group.size()];
if (batchSize % size !== 0) throw new Error(`--batch ${batchSize} must be a multiple of the ${size} processes`);
const cnn = experiments.find((e) => e.name === 'CNN');
const data = splitDigits(loadDigits(), mx.random.key(0));
const meanCrossEntropy = (model, x, y) => mx.mean(nn.losses.crossEntropy(model.forward(x), y));

/** A model, its optimizer and a compiled step; `average` turns the step data-parallel. */
function trainer(average) {
  mx.random.seed(cnn.seed);
  const model = cnn.model();
  const optimizer = cnn.optimizer(steps);
  const lossAndGrad = nn.valueAndGrad(model, (x, y) => meanCrossEntropy(model, x, y));
  const state = [model, optimizer.state];
  const step = mx.compile(
    (x, y) => {
      const [loss, grads] = lossAndGrad(x, y);
      optimizer.update(model, average ? nn.averageGradients(grads, { group }) : grads);
      return average ? mx.divide(mx.distributed.allSum(loss, { group }), size) : loss;
    },
    { inputs: state, outputs: state },
  );
  return { model, step };
}

const parallel = trainer(true);
const single = check && rank === 0 ? trainer(false) : null;
const local = batchSize / size;
const warmup = 3; // compiles the step; not timed
let t0 = performance.now();
let done = 0;
for (const [x, y] of batches(data.xTrain, data.yTrain, batchSize, mx.random.key(cnn.seed))) {
  if (done === steps) break;
  const mine = `${rank * local}:${(rank + 1) * local}`;
  const loss = parallel.step(x.index(mine), y.index(mine));
  mx.eval(loss, parallel.model.parameters());
  if (single) mx.eval(single.step(x, y), single.model.parameters());
  done++;
  if (done === warmup) t0 = performance.now();
  if (rank === 0 && (done % 5 === 0 || done === steps)) console.log(`step ${done}: loss ${loss.item().toFixed(4)}`);
}
const seconds = (performance.now() - t0) / 1000;
if (rank === 0) {
  const { accuracy } = evaluate(parallel.model, data.xTest, data.yTest);
  const timed = Math.max(1, done - warmup);
  console.log(
    `${size} process(es), ${done} steps of ${batchSize} samples, ${((seconds * 1000) / timed).toFixed(1)} ms per step; test accuracy ${(accuracy * 100).toFixed(1)}%`,
  );
}
if (single) {
  const a = mx.utils.treeFlatten(parallel.model.parameters());
  const b = new Map(mx.utils.treeFlatten(single.model.parameters()));
  let worst = 0;
  for (const [path, p] of a) worst = Math.max(worst, mx.max(mx.abs(mx.subtract(p, b.get(path)))).item());
  console.log(`max |data-parallel - single-process| over the parameters: ${worst.toExponential(2)}`);
  if (!(worst < 1e-4)) {
    console.error('the data-parallel parameters differ from single-process training');
    process.exitCode = 1;
  }
}
