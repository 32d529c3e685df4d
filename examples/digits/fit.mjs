// Training and evaluation, the MLX way: nn.valueAndGrad for the loss and gradients, the optimizer's
// update, one compiled step whose state (the model, the optimizer's state and the global random key)
// is read and written through compile's `inputs`/`outputs`, and one mx.eval per step.
import * as mx from 'mlx-ts';
import { batches } from './data.mjs';

const { nn } = mx;

const meanCrossEntropy = (logits, y) => mx.mean(nn.losses.crossEntropy(logits, y));

/** Mean cross-entropy and accuracy of `model` on (x, y), as numbers. */
export function evaluate(model, x, y) {
  model.eval();
  const logits = model.forward(x);
  model.train();
  const loss = meanCrossEntropy(logits, y);
  const accuracy = mx.mean(mx.equal(mx.argmax(logits, 1), y));
  mx.eval(loss, accuracy);
  return { loss: loss.item(), accuracy: accuracy.item() };
}

/**
 * One training step `(x, y) => loss` on the mean cross-entropy of `model`: the gradients, then the
 * optimizer's update of the model. Compiled unless `compile` is false (bench/ times both).
 */
export function trainStep(model, optimizer, { compile = true } = {}) {
  const lossAndGrad = nn.valueAndGrad(model, (x, y) => meanCrossEntropy(model.forward(x), y));
  const step = (x, y) => {
    const [loss, grads] = lossAndGrad(x, y);
    optimizer.update(model, grads);
    return loss;
  };
  if (!compile) return step;
  // The global key is state too: layers that draw (Dropout) take a new key each step.
  const state = [model, optimizer.state, mx.random.state];
  return mx.compile(step, { inputs: state, outputs: state });
}

/**
 * Builds and trains one experiment (see models.mjs) on `data` (splitDigits' output). `epochs`
 * overrides the experiment's. `onStep({ epoch, step, steps, loss, samples })` runs after every step,
 * `onEpoch(record)` after every epoch with the record pushed to the returned `history`:
 * `{ epoch, trainLoss, testLoss, testAccuracy, seconds, samplesPerSecond }`.
 */
export function fit(experiment, data, { epochs = experiment.epochs, onStep, onEpoch } = {}) {
  const { xTrain, yTrain, xTest, yTest } = data;
  const { batchSize } = experiment;
  const steps = Math.floor(xTrain.shape[0] / batchSize);
  if (steps === 0) throw new Error(`fit: ${xTrain.shape[0]} training rows make no batch of ${batchSize}`);
  mx.random.seed(experiment.seed);
  const model = experiment.model(xTrain);
  const optimizer = experiment.optimizer(epochs * steps);
  const step = trainStep(model, optimizer);

  const epochKeys = mx.random.split(mx.random.key(experiment.seed), epochs);
  const history = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const t0 = performance.now();
    let total = 0;
    let i = 0;
    for (const [x, y] of batches(xTrain, yTrain, batchSize, epochKeys.index(epoch - 1))) {
      const loss = step(x, y);
      mx.eval(loss, model.parameters(), optimizer.state);
      total += loss.item();
      onStep?.({ epoch, step: ++i, steps, loss: loss.item(), samples: i * batchSize });
    }
    const seconds = (performance.now() - t0) / 1000;
    const test = evaluate(model, xTest, yTest);
    const record = {
      epoch,
      trainLoss: total / steps,
      testLoss: test.loss,
      testAccuracy: test.accuracy,
      seconds,
      samplesPerSecond: (steps * batchSize) / seconds,
    };
    history.push(record);
    onEpoch?.(record);
  }
  return { model, optimizer, history };
}
