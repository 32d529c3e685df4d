// The UCI digits (examples/data/digits.csv.gz: 1797 rows of 64 pixels 0..16, then the label) and a
// seeded held-out split.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as mx from 'mlx-ts';

const FILE = new URL('../data/digits.csv.gz', import.meta.url);

/** All digits: `x` float32 [1797, 64] scaled to [0, 1], `y` int32 [1797]. */
export function loadDigits() {
  const rows = gunzipSync(readFileSync(FILE)).toString().trim().split('\n');
  const x = new Float32Array(rows.length * 64);
  const y = new Int32Array(rows.length);
  rows.forEach((line, i) => {
    const v = line.split(',').map(Number);
    if (v.length !== 65) throw new Error(`digits.csv.gz: line ${i + 1} has ${v.length} fields, expected 65`);
    for (let j = 0; j < 64; j++) x[i * 64 + j] = v[j] / 16;
    y[i] = v[64];
  });
  return { x: mx.reshape(mx.array(x), [rows.length, 64]), y: mx.array(y) };
}

/**
 * A random held-out split, the same for a given key: the file is ordered by writer, so its tail would
 * not be a fair test set. `testFraction` of the rows (rounded) go to the test set.
 */
export function splitDigits({ x, y }, key, testFraction = 0.2) {
  const n = x.shape[0];
  const nTest = Math.round(n * testFraction);
  const order = mx.random.permutation(n, { key });
  const train = order.index(`${nTest}:`);
  const test = order.index(`:${nTest}`);
  const split = { xTrain: mx.take(x, train, 0), yTrain: mx.take(y, train, 0), xTest: mx.take(x, test, 0), yTest: mx.take(y, test, 0) };
  mx.eval(split);
  return split;
}

/**
 * The minibatches of one epoch in a random order drawn from `key`: full batches only, so the compiled
 * step sees one shape (the rows left over differ from epoch to epoch).
 */
export function* batches(x, y, batchSize, key) {
  const n = x.shape[0];
  const order = mx.random.permutation(n, { key });
  for (let i = 0; i + batchSize <= n; i += batchSize) {
    const idx = order.index(`${i}:${i + batchSize}`);
    yield [mx.take(x, idx, 0), mx.take(y, idx, 0)];
  }
}
