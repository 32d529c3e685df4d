/**
 * vmap composed with autodiff: per-example gradients (vmap(grad(f))), grad(vmap(f)), and
 * forward mode under vmap, each against a loop of the unbatched transform.
 */
import { assertAllClose } from '@mlx-ts/testing';
import { describe, expect, it } from 'vitest';
import * as mx from 'mlx-ts';

type Arr = mx.Array;
// Host-side comparison (not mx.allclose, which is itself under test).
const close = (a: Arr, b: Arr, atol = 1e-5, rtol = 1e-5) => assertAllClose(a, b, { atol, rtol });
const uniform = (shape: number[], seed: number) => mx.random.uniform({ shape, key: mx.random.key(seed), low: -1, high: 1 });
const rows = (x: Arr) => Array.from({ length: x.shape[0]! }, (_, i) => mx.index(x, i));

/** Squared error of a linear model on one example. */
const loss = (w: Arr, b: Arr, x: Arr, y: Arr) => mx.square(mx.subtract(mx.add(mx.sum(mx.multiply(w, x)), b), y));

describe('vmap(grad(f)): per-example gradients', () => {
  it('of a linear model equal a loop of grad', () => {
    const n = 16,
      d = 5;
    const w = uniform([d], 1),
      b = mx.array(0.3);
    const X = uniform([n, d], 2),
      Y = uniform([n], 3);
    const perExample = mx.vmap(mx.grad(loss, [0, 1]), [null, null, 0, 0]);
    const [gw, gb] = perExample(w, b, X, Y) as [Arr, Arr];
    expect(gw.shape).toEqual([n, d]);
    expect(gb.shape).toEqual([n]);
    const loop = rows(X).map((x, i) => mx.grad(loss, [0, 1])(w, b, x, mx.index(Y, i)) as [Arr, Arr]);
    close(gw, mx.stack(loop.map((g) => g[0])));
    close(gb, mx.stack(loop.map((g) => g[1])));
    // The examples on axis 1, gradients out on axis 1.
    const [gw1] = mx.vmap(mx.grad(loss, [0, 1]), [null, null, 1, 0], [1, 0])(w, b, mx.transpose(X), Y) as [Arr, Arr];
    close(gw1, mx.transpose(gw));
  });
  it('valueAndGrad under vmap, and tree-valued gradients', () => {
    const params = { w: uniform([3], 4), b: mx.array(-0.2) };
    const f = (p: { w: Arr; b: Arr }, x: Arr) => mx.tanh(mx.add(mx.sum(mx.multiply(p.w, x)), p.b));
    const X = uniform([6, 3], 5);
    const [vals, grads] = mx.vmap(mx.valueAndGrad(f), [null, 0])(params, X) as [Arr, { w: Arr; b: Arr }];
    const loop = rows(X).map((x) => mx.valueAndGrad(f)(params, x) as [Arr, { w: Arr; b: Arr }]);
    close(vals, mx.stack(loop.map((l) => l[0])));
    close(grads.w, mx.stack(loop.map((l) => l[1].w)));
    close(grads.b, mx.stack(loop.map((l) => l[1].b)));
  });
  it('second derivatives per example', () => {
    const f = (x: Arr) => mx.sum(mx.multiply(mx.sin(x), mx.exp(x)));
    const X = uniform([4, 3], 6);
    const g2 = mx.vmap(mx.grad((x: Arr) => mx.sum(mx.grad(f)(x))));
    close(g2(X), mx.stack(rows(X).map((x) => mx.grad((z: Arr) => mx.sum(mx.grad(f)(z)))(x))));
    const h = mx.vmap(mx.hessian(f));
    close(h(X), mx.stack(rows(X).map((x) => mx.hessian(f)(x))));
  });
  it('through gathers, matmul and reductions (a small MLP with a softmax loss)', () => {
    const W1 = uniform([4, 8], 7),
      W2 = uniform([8, 3], 8);
    const X = uniform([5, 4], 9);
    const labels = mx.array([0, 2, 1, 1, 0], mx.int32);
    const mlp = (ps: [Arr, Arr], x: Arr, t: Arr) => {
      const h = mx.maximum(mx.matmul(mx.reshape(x, [1, 4]), ps[0]), 0);
      const logits = mx.reshape(mx.matmul(h, ps[1]), [3]);
      return mx.subtract(mx.logsumexp(logits), mx.take(logits, t));
    };
    const [g1, g2] = mx.vmap(mx.grad(mlp), [null, 0, 0])([W1, W2], X, labels) as [Arr, Arr];
    const loop = rows(X).map((x, i) => mx.grad(mlp)([W1, W2], x, mx.index(labels, i)) as [Arr, Arr]);
    close(g1, mx.stack(loop.map((g) => g[0])));
    close(g2, mx.stack(loop.map((g) => g[1])));
  });
});

describe('autodiff of vmap', () => {
  it('grad(vmap(f)) equals grad of the batched computation', () => {
    const f = (x: Arr, w: Arr) => mx.sum(mx.multiply(mx.sin(x), w));
    const X = uniform([4, 3], 10),
      w = uniform([3], 11);
    const total = (x: Arr, ww: Arr) => mx.sum(mx.vmap(f, [0, null])(x, ww));
    const [gx, gw] = mx.grad(total, [0, 1])(X, w) as [Arr, Arr];
    close(gx, mx.multiply(mx.cos(X), w));
    close(gw, mx.sum(mx.sin(X), 0));
  });
  it('jvp and vjp of vmap, vmap of jvp', () => {
    const f = (x: Arr) => mx.multiply(mx.exp(x), mx.cumsum(x));
    const X = uniform([3, 4], 12),
      T = uniform([3, 4], 13);
    const [[out], [tan]] = mx.jvp(mx.vmap(f), [X], [T]) as [Arr[], Arr[]];
    const loop = rows(X).map((x, i) => mx.jvp(f, [x], [mx.index(T, i)]) as [Arr[], Arr[]]);
    close(out!, mx.stack(loop.map((l) => l[0][0]!)));
    close(tan!, mx.stack(loop.map((l) => l[1][0]!)));
    const vj = mx.vmap((x: Arr, t: Arr) => (mx.jvp(f, [x], [t]) as [Arr[], Arr[]])[1][0]!)(X, T);
    close(vj, tan!);
    const [, [ct]] = mx.vjp(mx.vmap(f), [X], [T]) as [Arr[], Arr[]];
    close(ct!, mx.stack(rows(X).map((x, i) => (mx.vjp(f, [x], [mx.index(T, i)]) as [Arr[], Arr[]])[1][0]!)));
  });
});

describe('per-example gradients at scale', () => {
  // Speed (vmap(grad) against the loop) is measured by bench/ (per-example gradients), not here.
  it('a batch of 1024 through vmap(grad) equals a loop of grad', () => {
    const n = 1024,
      d = 16;
    const w = uniform([d], 14),
      b = mx.array(0.1);
    const X = uniform([n, d], 15),
      Y = uniform([n], 16);
    const g = mx.grad(loss, [0, 1]);
    const [gw, gb] = mx.vmap(g, [null, null, 0, 0])(w, b, X, Y) as [Arr, Arr];
    const xs = rows(X),
      ys = rows(Y);
    const loop = xs.map((x, i) => g(w, b, x, ys[i]!) as [Arr, Arr]);
    close(gw, mx.stack(loop.map((r) => r[0])), 1e-5);
    close(gb, mx.stack(loop.map((r) => r[1])), 1e-5);
  });
});
