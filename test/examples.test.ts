// The digits demo (examples/digits) on a tiny budget, so that it cannot silently break: its data
// loading and split, and each of its experiments (model, optimizer, compiled step) for two steps.
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import * as mx from 'mlx-ts';

// A computed specifier: the examples are plain JS modules without type declarations.
const example = (file: string) => import(fileURLToPath(new URL(`../examples/digits/${file}`, import.meta.url)));
const { loadDigits, splitDigits } = await example('data.mjs');
const { fit } = await example('fit.mjs');
const experiments: { name: string; batchSize: number }[] = (await example('models.mjs')).experiments;
const { epochLine } = await example('progress.mjs');

describe('examples/digits', () => {
  const digits = loadDigits();
  const data = splitDigits(digits, mx.random.key(0));

  test('loads the 1797 digits and splits them 80/20 by a key', () => {
    expect(digits.x.shape).toEqual([1797, 64]);
    expect(mx.max(digits.x).item()).toBe(1);
    expect([...new Set(digits.y.tolist() as number[])].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(data.xTrain.shape).toEqual([1438, 64]);
    expect(data.yTest.shape).toEqual([359]);
    expect(splitDigits(digits, mx.random.key(0)).yTest.tolist()).toEqual(data.yTest.tolist());
    expect(splitDigits(digits, mx.random.key(1)).yTest.tolist()).not.toEqual(data.yTest.tolist());
  });

  test.each(experiments)('$name trains for two steps, the same on every run', (experiment) => {
    // Two full batches of the experiment's size: one epoch is two compiled steps.
    const rows = 2 * experiment.batchSize;
    const tiny = { ...data, xTrain: data.xTrain.index(`:${rows}`), yTrain: data.yTrain.index(`:${rows}`) };
    const run = () => {
      const steps: number[] = [];
      const { history } = fit(experiment, tiny, { epochs: 1, onStep: (s: { loss: number }) => steps.push(s.loss) });
      return { steps, history };
    };
    const a = run();
    expect(a.steps).toHaveLength(2);
    expect(a.history).toHaveLength(1);
    const [r] = a.history;
    expect(Number.isFinite(r.trainLoss) && Number.isFinite(r.testLoss)).toBe(true);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(r.testAccuracy).toBeLessThanOrEqual(1);
    expect(epochLine(experiment.name, 1, r)).toMatch(
      new RegExp(`^${experiment.name} epoch 1/1  train loss \\d+\\.\\d{4}  test loss \\d+\\.\\d{4}  test accuracy \\d+\\.\\d%  \\d+ samples/s$`),
    );
    const b = run();
    expect(b.steps).toEqual(a.steps);
    expect(b.history[0].testLoss).toBe(r.testLoss);
  });
});
