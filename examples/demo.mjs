// A tour of mlx-ts: lazy arrays, broadcasting, reductions, indexing, random keys, and grad.
import * as mx from 'mlx-ts';

const backend = mx.backendFor('cpu').name;
console.log(`mlx-ts demo (backend: ${backend})`);

// Ops only build a graph; printing (or eval / item / tolist) runs it.
const a = mx.array([[1, 2, 3], [4, 5, 6]]);
const b = mx.arange(3, mx.float32);
const c = mx.add(mx.multiply(a, 2), b); // broadcasting [2,3] with [3]
console.log('a * 2 + arange(3) =', c.tolist());
console.log('sum over axis 1 =', mx.sum(c, 1).tolist(), ' mean =', mx.mean(c).item());
console.log('softmax of the last row =', mx.softmax(c.index(-1)).tolist().map((v) => v.toFixed(4)).join(', '));
console.log('c[:, ::-1] =', c.index(':', '::-1').tolist());
console.log('c.at([0, 1]).add(100) =', c.at(0, 1).add(100).tolist());

// Type promotion follows MLX: int32 with a float JS scalar gives float32, with an integer stays int32.
const ints = mx.array(new Int32Array([1, 2, 3]));
console.log(`int32 + 1 -> ${mx.add(ints, 1).dtype.name}, int32 + 0.5 -> ${mx.add(ints, 0.5).dtype.name}`);

// Counter-based random keys: the same key gives the same numbers on every backend.
const key = mx.random.key(0);
console.log('normal(key 0) =', mx.random.normal([3], mx.float32, 0, 1, key).tolist().map((v) => v.toFixed(4)).join(', '));

// A matmul and its gradient.
const w = mx.random.normal([3, 2], mx.float32, 0, 1, mx.random.key(1));
const loss = (w) => mx.sum(mx.square(mx.matmul(a, w)));
const [value, grad] = mx.valueAndGrad(loss)(w);
console.log('loss =', value.item().toFixed(4), ' dloss/dw =', JSON.stringify(grad.tolist().map((r) => r.map((v) => +v.toFixed(3)))));
