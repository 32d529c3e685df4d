// Training and evaluation of the digits models, with the examples' compiled training step
// (examples/lib/train-step.mjs).
import * as mx from 'mlx-ts';
import { meanCrossEntropy, trainStep } from '../lib/train-step.mjs';
import { batches } from './data.mjs';

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
