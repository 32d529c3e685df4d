/**
 * vmap: the behaviours of MLX's python/tests/test_vmap.py, in mlx-ts's form, plus the
 * tracing details of the lazy-graph implementation (constants, unmapped arguments, custom
 * rules, nesting, deep graphs).
 */
import { assertAllClose } from '@mlx-ts/testing';
import { describe, expect, it } from 'vitest';
import * as mx from 'mlx-ts';

type Arr = mx.Array;

// Host-side comparison (not mx.allclose, which is itself under test).
const close = (a: Arr, b: Arr, atol = 1e-5) => assertAllClose(a, b, { atol, rtol: 1e-5 });
const same = (a: Arr, b: Arr) => {
  expect(a.shape).toEqual(b.shape);
  expect(a.tolist()).toEqual(b.tolist());
};
const seq = (shape: number[], dtype: mx.DtypeLike = mx.float32) =>
  mx.reshape(
    mx.arange(
      shape.reduce((p, q) => p * q, 1),
      dtype,
    ),
    shape,
  );
const uniform = (shape: number[], seed: number) => mx.random.uniform({ shape, key: mx.random.key(seed) });

describe('vmap: errors name vmap (MLX test_basics, test_mismatch_input_sizes)', () => {
  it('cannot map over a 0-d array', () => {
    expect(() => mx.vmap(mx.exp)(mx.array(1.0))).toThrow(/vmap.*0-d/);
  });
  it('rejects non-array inputs', () => {
    expect(() => mx.vmap(mx.exp as any)('hello')).toThrow(/vmap: argument 0 is a string/);
    expect(() => mx.vmap(mx.exp as any)(3)).toThrow(/vmap: argument 0 is a number \(3\), which has no axis/);
  });
  it('rejects invalid or out-of-range axes', () => {
    const x = mx.array([0, 1]);
    expect(() => mx.vmap(mx.exp, 'hello' as any)(x)).toThrow(/vmap: inAxes/);
    expect(() => mx.vmap(mx.exp, 2)(x)).toThrow(/vmap: inAxes 2 is out of range for argument 0 of shape \[2\]/);
    expect(() => mx.vmap(mx.exp, -2)(x)).toThrow(/vmap: inAxes -2 is out of range/);
    expect(() => mx.vmap(mx.exp, 0.5)(x)).toThrow(/vmap: .*integer/);
    expect(() => mx.vmap(mx.exp, 0, 'hello' as any)(x)).toThrow(/vmap: .*outAxes/);
    expect(() => mx.vmap(mx.exp, 0, 2)(x)).toThrow(/vmap: outAxes 2 is out of range/);
  });
  it('rejects mapped axes of different sizes', () => {
    const a = mx.ones([10, 1]);
    expect(() => mx.vmap((x: Arr, y: Arr) => mx.add(x, y))(a, mx.ones([1, 1, 1, 5]))).toThrow(/vmap: mapped axes have different sizes/);
    expect(() => mx.vmap((x: Arr, y: Arr) => mx.add(x, y), [0, 1])(a, mx.ones([10, 5]))).toThrow(
      /vmap: mapped axes have different sizes: argument 0 has size 10 along axis 0, but argument 1 has size 5 along axis 1/,
    );
  });
  it('needs at least one mapped input', () => {
    const f = (_a: Arr, _b: Arr) => mx.array(2);
    expect(() => mx.vmap(f, [null, null])(mx.ones([2]), mx.ones([3]))).toThrow(/vmap: at least one input must be mapped/);
  });
  it('checks inAxes against the arguments', () => {
    // @ts-expect-error one spec per argument: the types count them too
    expect(() => mx.vmap((x: Arr) => x, [0, 0])(mx.ones([2]))).toThrow(/vmap: inAxes has 2 entries but the function was called with 1/);
    expect(() => mx.vmap((x: Arr) => x, { inAxes: 0, axis: 1 } as any)(mx.ones([2]))).toThrow(/vmap: unknown option 'axis'/);
  });
  it('reports a function that returns a non-array', () => {
    expect(() => mx.vmap((_x: Arr) => 3 as any)(mx.ones([2]))).toThrow(/vmap: the function must return arrays/);
  });
  it('cannot evaluate a traced value inside the function', () => {
    expect(() => mx.vmap((x: Arr) => mx.array(x.item()))(mx.ones([2]))).toThrow(/vmap/);
  });
});

describe('vmap: elementwise ops (MLX test_unary, test_binary)', () => {
  it('unary ops on every axis', () => {
    const x = uniform([2, 3, 4], 0);
    for (const op of [mx.abs, mx.cos, mx.erf, mx.exp, mx.log1p, mx.negative, mx.sigmoid, mx.sin, mx.sqrt, mx.square, mx.tanh]) {
      close(mx.vmap(op)(x), op(x));
      close(mx.vmap(op, 1, 1)(x), op(x));
      close(mx.vmap(op, 2, 2)(x), op(x));
      close(mx.vmap(op, 1, 0)(x), mx.moveaxis(op(x), 1, 0));
      close(mx.vmap(op, -1, 0)(x), mx.moveaxis(op(x), 2, 0));
    }
  });
  it('binary ops with different batch axes and an unmapped side', () => {
    const x = uniform([2, 3, 4], 1);
    const y = uniform([3, 4, 2], 2);
    for (const op of [mx.add, mx.divide, mx.maximum, mx.minimum, mx.multiply, mx.power, mx.subtract, mx.greater, mx.logaddexp]) {
      const f = (a: Arr, b: Arr) => op(a, b);
      const yt = mx.moveaxis(y, 2, 0);
      close(mx.vmap(f, [0, 2])(x, y), op(x, yt));
      close(mx.vmap(f, [2, 0], 2)(y, x), mx.moveaxis(op(yt, x), 0, 2));
      // One side unmapped: [3, 4] against each [3, 4] slice of x.
      const z = mx.index(x, 0);
      close(mx.vmap(f, [0, null])(x, z), op(x, z));
      close(mx.vmap(f, [null, 0])(z, x), op(z, x));
    }
  });
  it('broadcasting inside the function', () => {
    const x = uniform([5, 3], 3);
    const b = uniform([3], 4);
    close(mx.vmap((r: Arr) => mx.add(r, b))(x), mx.add(x, b));
    close(mx.vmap((r: Arr) => mx.multiply(mx.reshape(r, [3, 1]), b))(x), mx.multiply(mx.reshape(x, [5, 3, 1]), b));
    close(mx.vmap((r: Arr) => mx.where(mx.greater(r, 0.5), r, 0))(x), mx.where(mx.greater(x, 0.5), x, 0));
  });
});

describe('vmap: pytrees (MLX test_tree)', () => {
  const myFun = (tree: { a: Arr; b: [Arr, Arr] }) => mx.multiply(mx.add(tree.a, tree.b[0]), tree.b[1]);
  it('maps a tree argument with one axis, a prefix tree, or a full tree', () => {
    const tree = { a: uniform([2, 4], 5), b: [uniform([2, 4], 6), uniform([2, 4], 7)] as [Arr, Arr] };
    close(mx.vmap(myFun, 0)(tree), myFun(tree));
    close(mx.vmap(myFun, [{ a: 0, b: 0 }], 0)(tree), myFun(tree));
    close(mx.vmap(myFun, [{ a: 0, b: [0, 0] }], 0)(tree), myFun(tree));
    // A top-level object is not one spec per argument (MLX: ValueError).
    expect(() => mx.vmap(myFun, { a: 0, b: 0 } as any, 0)(tree)).toThrow(/vmap/);
    // @ts-expect-error b[0] is an array, whose spec is one number
    expect(() => mx.vmap(myFun, [{ a: 0, b: [[0, 0], 0] }], 0)(tree)).toThrow(/vmap: inAxes/);
  });
  it('different axes per leaf', () => {
    const tree = { a: uniform([2, 4], 8), b: [uniform([4, 2], 9), uniform([4, 2], 10)] as [Arr, Arr] };
    const out = mx.vmap(myFun, [{ a: 0, b: [1, 1] }], 0)(tree);
    close(out, mx.multiply(mx.add(tree.a, mx.transpose(tree.b[0])), mx.transpose(tree.b[1])));
  });
  it('tree outputs and outAxes trees', () => {
    const f = (x: Arr, y: Arr) => ({ a: mx.add(x, y), b: mx.multiply(x, y) });
    const x = uniform([2, 4], 11),
      y = uniform([2, 4], 12);
    const out = mx.vmap(f, 0, 0)(x, y);
    close(out.a, mx.add(x, y));
    close(out.b, mx.multiply(x, y));
    // @ts-expect-error the outputs are an object, not a JS array
    expect(() => mx.vmap(f, 0, [0, 1])(x, y)).toThrow(/vmap: outAxes/);
    // @ts-expect-error c is not an output
    expect(() => mx.vmap(f, 0, { a: 0, c: 1 })(x, y)).toThrow(/vmap: outAxes/);
    const out2 = mx.vmap(f, 0, { a: 1, b: 0 })(x, y);
    close(mx.transpose(out2.a), mx.add(x, y));
    close(out2.b, mx.multiply(x, y));
    const pair = mx.vmap((u: Arr) => [mx.sum(u), mx.exp(u)], 1, [0, 1])(x);
    close(pair[0]!, mx.sum(x, 0));
    close(pair[1]!, mx.exp(x));
  });
  it('the options form equals the positional form', () => {
    const x = uniform([3, 2], 13);
    close(mx.vmap(mx.sum, { inAxes: 1 })(x), mx.vmap(mx.sum, 1)(x));
    close(mx.vmap(mx.exp, { inAxes: 1, outAxes: 1 })(x), mx.exp(x));
    close(mx.vmap(mx.exp, { outAxes: 1 })(x), mx.transpose(mx.exp(x)));
  });
});

describe('vmap: reductions and indexing (MLX test_vmap_reduce, _argreduce, _mean, _gather, _scatter)', () => {
  it('reduce', () => {
    let a = mx.ones([5, 5], mx.int32);
    same(mx.vmap((x: Arr) => mx.sum(x))(a), mx.full([5], 5, mx.int32));
    same(mx.vmap((x: Arr) => mx.sum(x, { keepdims: true }))(a), mx.full([5, 1], 5, mx.int32));
    same(mx.vmap((x: Arr) => mx.sum(x, 0))(a), mx.full([5], 5, mx.int32));
    a = mx.ones([5, 3, 2], mx.int32);
    same(mx.vmap((x: Arr) => mx.sum(x, [0, 1]))(a), mx.full([5], 6, mx.int32));
    same(mx.vmap((x: Arr) => mx.sum(x, [0, 1]), [1])(a), mx.full([3], 10, mx.int32));
    same(mx.vmap((x: Arr) => mx.sum(x, [0, 1]), [2])(a), mx.full([2], 15, mx.int32));
  });
  it('argmax and argmin', () => {
    const a = mx.array([
      [1, 2, 3],
      [2, 3, 1],
    ]);
    expect(
      mx
        .vmap((x: Arr) => mx.argmin(x))(a)
        .tolist(),
    ).toEqual([0, 2]);
    expect(
      mx
        .vmap((x: Arr) => mx.argmax(x))(a)
        .tolist(),
    ).toEqual([2, 1]);
    expect(mx.vmap(mx.argmax, 1)(a).tolist()).toEqual([1, 1, 0]);
  });
  it('mean', () => {
    const a = seq([2, 3, 4]);
    close(mx.vmap((x: Arr) => mx.mean(x))(a), mx.mean(a, [1, 2]));
    close(mx.vmap((x: Arr) => mx.mean(x, 0), 1, 1)(a), mx.transpose(mx.mean(a, 0)));
  });
  it('gather', () => {
    const gather = (a: Arr, idx: Arr) => mx.take(a, idx, 0);
    let a = mx.array([
      [1, 2],
      [3, 4],
    ]);
    expect(mx.vmap(gather, [0, null])(a, mx.array(0, mx.int32)).tolist()).toEqual([1, 3]);
    expect(mx.vmap(gather, [1, null])(a, mx.array(0, mx.int32)).tolist()).toEqual([1, 2]);
    expect(
      mx
        .vmap(gather, [0, 0])(a, mx.array([0, 1], mx.int32))
        .tolist(),
    ).toEqual([1, 4]);
    a = mx.ones([2, 3, 4]);
    expect(mx.vmap(gather, [2, 0])(a, mx.zeros([4], mx.int32)).shape).toEqual([4, 3]);
    expect(mx.vmap(gather, [0, 0])(a, mx.zeros([2], mx.int32)).shape).toEqual([2, 4]);
    // Batched operand and batched indices, with negative and out-of-range indices (wrap once, then clamp).
    const b = seq([3, 5]);
    const idx = mx.array(
      [
        [-1, 0, 7],
        [2, -5, 4],
        [-9, 1, 1],
      ],
      mx.int32,
    );
    const loop = mx.stack([0, 1, 2].map((i) => mx.take(mx.index(b, i), mx.index(idx, i), 0)));
    same(mx.vmap(gather, [0, 0])(b, idx), loop);
    same(mx.vmap(gather, [0, 1], 1)(b, mx.transpose(idx)), mx.transpose(loop));
  });
  it('gather with several index arrays (a[idxa, idxb])', () => {
    const a = mx.ones([2, 3, 4]);
    const f = (x: Arr, i: Arr, j: Arr) => mx.index(x, i, j);
    expect(mx.vmap(f, [0, 0, null])(a, mx.zeros([2, 3], mx.int32), mx.zeros([3], mx.int32)).shape).toEqual([2, 3]);
    const b = seq([2, 3, 4]);
    const i = mx.array(
        [
          [0, 2],
          [1, 1],
        ],
        mx.int32,
      ),
      j = mx.array(
        [
          [3, 0],
          [1, 2],
        ],
        mx.int32,
      );
    const loop = mx.stack([0, 1].map((k) => f(mx.index(b, k), mx.index(i, k), mx.index(j, k))));
    same(mx.vmap(f)(b, i, j), loop);
  });
  it('scatter', () => {
    const scatter = (a: Arr) => mx.at(a, mx.array(0, mx.int32)).set(mx.array(0));
    const a = mx.array([
      [1, 2, 3],
      [2, 3, 4],
    ]);
    same(
      mx.vmap(scatter)(a),
      mx.array([
        [0, 2, 3],
        [0, 3, 4],
      ]),
    );
    same(
      mx.vmap(scatter, 1, 1)(a),
      mx.array([
        [0, 0, 0],
        [2, 3, 4],
      ]),
    );
    const scatterAdd = (x: Arr) => mx.at(x, mx.array(0, mx.int32)).add(mx.array(1));
    same(
      mx.vmap(scatterAdd)(a),
      mx.array([
        [2, 2, 3],
        [3, 3, 4],
      ]),
    );
    const scatterIdx = (x: Arr, idx: Arr) => mx.at(x, idx).set(mx.array(0));
    same(
      mx.vmap(scatterIdx, [0, 0])(a, mx.array([0, 1], mx.int32)),
      mx.array([
        [0, 2, 3],
        [2, 0, 4],
      ]),
    );
    same(
      mx.vmap(scatterIdx, [null, 0])(mx.index(a, 0), mx.array([0, 2], mx.int32)),
      mx.array([
        [0, 2, 3],
        [1, 2, 0],
      ]),
    );
    // Batched updates only, and duplicate indices within an entry (add accumulates).
    const addAt = (x: Arr, idx: Arr, v: Arr) => mx.at(x, idx).add(v);
    const v = mx.array([
      [1, 10],
      [100, 1000],
    ]);
    same(
      mx.vmap(addAt, [null, null, 0])(mx.zeros([3]), mx.array([1, 1], mx.int32), v),
      mx.array([
        [0, 11, 0],
        [0, 1100, 0],
      ]),
    );
    same(
      mx.vmap(addAt, [0, 0, 0])(
        a,
        mx.array(
          [
            [2, 2],
            [0, 1],
          ],
          mx.int32,
        ),
        v,
      ),
      mx.array([
        [1, 2, 14],
        [102, 1003, 4],
      ]),
    );
  });
  it('takeAlongAxis and putAlongAxis', () => {
    const a = uniform([3, 4, 5], 14);
    const idx = mx.argsort(a, 2);
    const f = (x: Arr, i: Arr) => mx.takeAlongAxis(x, i, 1);
    close(mx.vmap(f)(a, idx), mx.sort(a, 2));
    close(mx.vmap(f, [1, 1], 1)(a, idx), mx.sort(a, 2));
    const put = (x: Arr, i: Arr, v: Arr) => mx.putAlongAxis(x, i, v, 0);
    const x = mx.zeros([2, 4]);
    const i = mx.array([[3], [1]], mx.int32);
    const v = mx.array([[5], [7]]);
    same(
      mx.vmap(put)(x, i, v),
      mx.array([
        [0, 0, 0, 5],
        [0, 7, 0, 0],
      ]),
    );
    same(
      mx.vmap(put, [null, 0, 0])(mx.zeros([4]), i, v),
      mx.array([
        [0, 0, 0, 5],
        [0, 7, 0, 0],
      ]),
    );
  });
});

describe('vmap: shapes, matmul, concatenate, constants', () => {
  it('matmul with either side mapped or both (MLX test_vmap_matmul)', () => {
    const a = uniform([2, 3, 4], 15);
    const b = uniform([4, 3], 16);
    close(mx.vmap(mx.matmul, [0, null])(a, b), mx.matmul(a, b));
    close(mx.vmap(mx.matmul, [2, null], 0)(mx.moveaxis(a, 0, 2), b), mx.matmul(a, b));
    close(mx.vmap(mx.matmul, [null, 1])(mx.index(a, 0), mx.moveaxis(uniform([2, 4, 5], 18), 0, 1)), mx.matmul(mx.index(a, 0), uniform([2, 4, 5], 18)));
    close(mx.vmap(mx.matmul, [0, 0])(a, uniform([2, 4, 5], 19)), mx.matmul(a, uniform([2, 4, 5], 19)));
    // A closed-over weight matrix.
    const g = (x: Arr) => mx.matmul(x, mx.ones([4, 2]));
    close(mx.vmap(g)(a), mx.matmul(a, mx.ones([4, 2])));
  });
  it('reshape, transpose, slicing, padding, broadcastTo', () => {
    const x = seq([2, 3, 4]);
    same(mx.vmap((r: Arr) => mx.reshape(r, [4, 3]))(x), mx.reshape(x, [2, 4, 3]));
    same(mx.vmap((r: Arr) => mx.reshape(r, [8]), 1)(x), mx.reshape(mx.moveaxis(x, 1, 0), [3, 8]));
    same(mx.vmap((r: Arr) => mx.reshape(r, [8]), 1, 1)(x), mx.transpose(mx.reshape(mx.moveaxis(x, 1, 0), [3, 8])));
    same(mx.vmap((r: Arr) => mx.transpose(r), 2)(x), mx.transpose(x, [2, 1, 0]));
    same(mx.vmap((r: Arr) => mx.index(r, '::-1', 1), 1)(x), mx.transpose(mx.index(x, '::-1', ':', 1)));
    same(
      mx.vmap((r: Arr) => mx.pad(r, 1), 0)(x),
      mx.pad(x, [
        [0, 0],
        [1, 1],
        [1, 1],
      ]),
    );
    same(mx.vmap((r: Arr) => mx.broadcastTo(r, [2, 3, 4]), 0)(x), mx.broadcastTo(mx.reshape(x, [2, 1, 3, 4]), [2, 2, 3, 4]));
    same(mx.vmap((r: Arr) => mx.flatten(r), 2)(x), mx.reshape(mx.moveaxis(x, 2, 0), [4, 6]));
  });
  it('concatenate (MLX test_vmap_concatenate)', () => {
    const x = uniform([2, 2, 2], 20);
    const catFun = (a: Arr, b: Arr) => mx.concatenate([a, b], 1);
    close(mx.vmap(catFun, [0, 2])(x, x), mx.concatenate([x, mx.transpose(x, [2, 0, 1])], 2));
    const x0 = mx.index(x, 0);
    close(mx.vmap(catFun, [null, 2])(x0, x), mx.stack([0, 1].map((i) => catFun(x0, mx.index(x, ':', ':', i)))));
    const catConstant = (a: Arr) => mx.concatenate([a, mx.ones([2, 1])], 1);
    close(mx.vmap(catConstant)(x), mx.concatenate([x, mx.ones([2, 2, 1])], 2));
  });
  it('a function returning a constant broadcasts it (MLX test_vmap_const_func)', () => {
    const a = uniform([2, 3, 4], 21);
    const b = uniform([4, 3], 22);
    const constFunc = (_a: Arr, _b: Arr) => mx.array(2);
    same(mx.vmap(constFunc, [0, null])(a, b), mx.full([2], 2));
    same(mx.vmap(constFunc, [null, 0])(a, b), mx.full([4], 2));
    same(mx.vmap(constFunc, [1, 1])(a, b), mx.full([3], 2));
    expect(() => mx.vmap(constFunc, [null, null])(a, b)).toThrow(/vmap/);
    expect(() => mx.vmap(constFunc, [0, 0])(a, b)).toThrow(/vmap/);
    // Closed-over arrays, unmapped arguments and outAxes on a broadcast output.
    const w = seq([3]);
    same(mx.vmap((_x: Arr) => w, 0, 1)(mx.ones([2, 5])), mx.broadcastTo(mx.reshape(w, [3, 1]), [3, 2]));
    same(mx.vmap((_x: Arr, y: Arr) => mx.exp(y), [0, null])(mx.ones([2]), w), mx.broadcastTo(mx.exp(w), [2, 3]));
    // outAxes null: the unmapped output comes back as it is.
    const [mapped, unmapped] = mx.vmap((x: Arr, y: Arr) => [mx.add(x, 1), mx.exp(y)], [0, null], [0, null])(mx.ones([2]), w);
    same(mapped!, mx.full([2], 2));
    close(unmapped!, mx.exp(w));
    expect(() => mx.vmap((x: Arr) => x, 0, null)(mx.ones([2]))).toThrow(/vmap: outAxes is null for output 0, but it depends on a mapped input/);
  });
  it('passes unmapped arguments to the function as they are', () => {
    const w = seq([3]);
    let seen: Arr | null = null;
    mx.vmap(
      (x: Arr, y: Arr) => {
        seen = y;
        return mx.add(x, y);
      },
      [0, null],
    )(mx.ones([2, 3]), w);
    expect(seen).toBe(w);
  });
  it('the identity and repeated outputs', () => {
    const x = seq([2, 3]);
    same(mx.vmap((r: Arr) => r, 1, 0)(x), mx.transpose(x));
    const [p, q] = mx.vmap((r: Arr) => [r, r], 0, [1, 0])(x);
    same(p!, mx.transpose(x));
    same(q!, x);
  });
});

describe('vmap: sort, scans, random', () => {
  it('sort, argsort, cumsum along batched arrays', () => {
    const x = uniform([3, 4, 5], 23);
    close(mx.vmap((r: Arr) => mx.sort(r, 0), 1, 1)(x), mx.sort(x, 0));
    same(mx.vmap((r: Arr) => mx.argsort(r, -1), 2, 2)(x), mx.argsort(x, 1));
    close(mx.vmap((r: Arr) => mx.cumsum(r, 1, { reverse: true }))(x), mx.cumsum(x, 2, { reverse: true }));
    close(mx.vmap((r: Arr) => mx.cummax(r))(x), mx.stack([0, 1, 2].map((i) => mx.cummax(mx.index(x, i)))));
  });
  it('a batch of keys draws per key, as a loop over the keys does', () => {
    const keys = mx.random.split(mx.random.key(7), 4);
    const draw = (k: Arr) => mx.random.uniform({ shape: [2, 3], key: k });
    const loop = mx.stack([0, 1, 2, 3].map((i) => draw(mx.index(keys, i))));
    same(mx.vmap(draw)(keys), loop);
    same(mx.vmap(draw, 1, 2)(mx.transpose(keys)), mx.moveaxis(loop, 0, 2));
    const bitsLoop = mx.stack([0, 1, 2, 3].map((i) => mx.random.bits([5], { key: mx.index(keys, i) })));
    same(mx.vmap((k: Arr) => mx.random.bits([5], { key: k }))(keys), bitsLoop);
    // A fixed key with a mapped input: the same draw for every entry.
    const k0 = mx.random.key(3);
    const noise = (x: Arr) => mx.add(x, mx.random.normal({ shape: [3], key: k0 }));
    close(mx.vmap(noise)(mx.zeros([2, 3])), mx.broadcastTo(mx.random.normal({ shape: [3], key: k0 }), [2, 3]));
  });
  it('arange inside the function is a constant', () => {
    const x = seq([2, 4]);
    same(mx.vmap((r: Arr) => mx.multiply(r, mx.arange(4, mx.float32)))(x), mx.multiply(x, mx.arange(4, mx.float32)));
  });
});

describe('vmap: composition', () => {
  it('nested vmap', () => {
    const a = uniform([3, 4], 24),
      b = uniform([5, 4], 25);
    const dot = (x: Arr, y: Arr) => mx.sum(mx.multiply(x, y));
    const pairwise = mx.vmap(mx.vmap(dot, [null, 0]), [0, null]);
    close(pairwise(a, b), mx.matmul(a, mx.transpose(b)));
    // Inner axes other than 0, outer outAxes 1.
    const inner = mx.vmap(dot, [null, 1]);
    close(mx.vmap(inner, [0, null], 1)(a, mx.transpose(b)), mx.transpose(mx.matmul(a, mx.transpose(b))));
    // Three levels.
    const x = uniform([2, 3, 4], 26);
    close(mx.vmap(mx.vmap(mx.vmap((s: Arr) => mx.multiply(s, s))))(x), mx.multiply(x, x));
    close(mx.vmap(mx.vmap(mx.sum, 1), 2)(x), mx.sum(mx.transpose(x, [2, 1, 0]), 2));
  });
  it('vmap of compile and compile of vmap', () => {
    const f = (x: Arr, y: Arr) => mx.add(mx.multiply(mx.exp(x), y), 1);
    const x = uniform([3, 4], 27),
      y = uniform([4], 28);
    close(mx.vmap(mx.compile(f), [0, null])(x, y), f(x, y));
    close(mx.compile(mx.vmap(f, [0, null]))(x, y), f(x, y));
  });
  it('customFunction: its vmap rule is used, and without one f is batched', () => {
    let calls = 0;
    const f = mx.customFunction((x: Arr) => mx.sin(x));
    // One argument: the rule gets it (and its axis) directly.
    f.vmap((x: any, ax: any) => {
      calls++;
      return [mx.sin(x), ax];
    });
    const x = uniform([3, 2], 29);
    close(mx.vmap(f)(x), mx.sin(x));
    expect(calls).toBe(1);
    const g = mx.customFunction((x: Arr) => mx.sum(mx.exp(x)));
    close(mx.vmap(g, 1)(x), mx.sum(mx.exp(x), 0));
  });
  it('a deep graph is walked without recursion', () => {
    const f = (x: Arr) => {
      let y = x;
      for (let i = 0; i < 20000; i++) y = mx.add(y, 1);
      return y;
    };
    same(mx.vmap(f)(mx.zeros([3])), mx.full([3], 20000));
  });
});
