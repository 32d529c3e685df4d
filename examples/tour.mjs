// A tour of mlx-ts: lazy arrays, broadcasting, reductions, indexing, random keys, and grad.
import * as mx from 'mlx-ts';

const backend = mx.backendFor('cpu').name;
console.log(`mlx-ts tour (backend: ${backend})`);

// Ops only build a graph; printing (or eval / item / tolist) runs it.
const a = mx.array([
  [1, 2, 3],
  [4, 5, 6],
]);
const b = mx.arange(3, mx.float32);
const c = mx.add(mx.multiply(a, 2), b); // broadcasting [2,3] with [3]
console.log('a * 2 + arange(3) =', c.tolist());
console.log('sum over axis 1 =', mx.sum(c, 1).tolist(), ' mean =', mx.mean(c).item());
console.log(
  'softmax of the last row =',
  mx
    .softmax(c.index(-1))
    .tolist()
    .map((v) => v.toFixed(4))
    .join(', '),
);
console.log('c[:, ::-1] =', c.index(':', '::-1').tolist());
console.log('c.at(0, 1).add(100) =', c.at(0, 1).add(100).tolist());

// Type promotion follows MLX: int32 with a float JS scalar gives float32, with an integer stays int32.
const ints = mx.array(new Int32Array([1, 2, 3]));
console.log(`int32 + 1 -> ${mx.add(ints, 1).dtype.name}, int32 + 0.5 -> ${mx.add(ints, 0.5).dtype.name}`);

// Counter-based random keys: the same key gives the same numbers on every backend.
const key = mx.random.key(0);
console.log(
  'normal(key 0) =',
  mx.random
    .normal([3], mx.float32, 0, 1, key)
    .tolist()
    .map((v) => v.toFixed(4))
    .join(', '),
);

// A matmul and its gradient.
const w = mx.random.normal([3, 2], mx.float32, 0, 1, mx.random.key(1));
const loss = (w) => mx.sum(mx.square(mx.matmul(a, w)));
const [value, grad] = mx.valueAndGrad(loss)(w);
console.log('loss =', value.item().toFixed(4), ' dloss/dw =', JSON.stringify(grad.tolist().map((r) => r.map((v) => +v.toFixed(3)))));

// Train a small MLP on the UCI digits (8x8 images) with minibatch SGD.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const rows = gunzipSync(readFileSync(new URL('./data/digits.csv.gz', import.meta.url)))
  .toString()
  .trim()
  .split('\n')
  .map((line) => line.split(',').map(Number));
const features = new Float32Array(rows.flatMap((r) => r.slice(0, 64).map((v) => v / 16)));
const labels = new Int32Array(rows.map((r) => r[64]));
// A random held-out split: the file is ordered by writer, so its tail is not a fair test set.
const shuffle = mx.random.permutation(rows.length, { key: mx.random.key(7) });
const X = mx.take(mx.reshape(mx.array(features), [rows.length, 64]), shuffle, 0);
const Y = mx.take(mx.array(labels), shuffle, 0);
const nTrain = 1500;
const [Xtr, Ytr, Xte, Yte] = [X.index(`:${nTrain}`), Y.index(`:${nTrain}`), X.index(`${nTrain}:`), Y.index(`${nTrain}:`)];

const init = (k, fanIn, fanOut) => mx.multiply(mx.random.normal([fanIn, fanOut], mx.float32, 0, 1, k), Math.sqrt(2 / fanIn));
const [k1, k2] = mx.random.split(mx.random.key(42));
let params = { w1: init(k1, 64, 64), b1: mx.zeros([64]), w2: init(k2, 64, 10), b2: mx.zeros([10]) };
const forward = (p, x) => mx.add(mx.matmul(mx.maximum(mx.add(mx.matmul(x, p.w1), p.b1), 0), p.w2), p.b2);
const lossFn = (p, x, y) => {
  const logits = forward(p, x);
  const picked = mx.takeAlongAxis(logits, mx.expandDims(y, 1), 1);
  return mx.mean(mx.subtract(mx.logsumexp(logits, 1, true), picked));
};
const step = mx.valueAndGrad(lossFn);
const t0 = performance.now();
for (let epoch = 0; epoch < 30; epoch++) {
  const perm = mx.random.permutation(nTrain, { key: mx.random.key(epoch) });
  let total = 0;
  for (let i = 0; i < nTrain; i += 100) {
    const idx = perm.index(`${i}:${i + 100}`);
    const [loss, grads] = step(params, mx.take(Xtr, idx, 0), mx.take(Ytr, idx, 0));
    params = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, mx.subtract(v, mx.multiply(grads[k], 0.5))]));
    mx.eval(params);
    total += loss.item();
  }
  if (epoch % 10 === 9) console.log(`epoch ${epoch + 1}: mean loss ${(total / 15).toFixed(4)}`);
}
const accuracy = mx.mean(mx.equal(mx.argmax(forward(params, Xte), 1), Yte)).item();
console.log(`digits MLP: test accuracy ${(accuracy * 100).toFixed(1)}% after 30 epochs in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
