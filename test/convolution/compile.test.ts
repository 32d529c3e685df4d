/**
 * compile with convolutions: shapeless traces replay on a new batch (and on new spatial sizes at
 * stride 1), retrace where the output size is not a polynomial of the input's (stride 2), and
 * match eager results, gradients included.
 */
import { describe, expect, it } from 'vitest';
import { mx } from '../helpers/index.js';

const close = (a: mx.Array, b: mx.Array) => expect(mx.allclose(a, b, 1e-5, 1e-5).itemBool()).toBe(true);
const rnd = (shape: number[], seed: number) => mx.random.normal(shape, { key: mx.random.key(seed) });

describe('compile: convolution', () => {
  const w = rnd([4, 3, 3, 2], 1);

  it('a shapeless trace replays on new batch and spatial sizes at stride 1', () => {
    const f = (x: mx.Array) => mx.tanh(mx.conv2d(x, w, 1, 1));
    const cf = mx.compile(f, { shapeless: true });
    for (const [n, h, ww] of [
      [2, 5, 6],
      [3, 7, 4],
      [5, 6, 6],
    ] as const) {
      const x = rnd([n, h, ww, 2], n * 10 + h);
      close(cf(x) as mx.Array, f(x));
    }
    expect(cf.traceCount).toBe(2);
  });

  it('stride 2 pins the spatial sizes: a new size retraces, a new batch does not', () => {
    const f = (x: mx.Array) => mx.conv2d(x, w, 2, 1);
    const cf = mx.compile(f, { shapeless: true });
    const counts = [
      [2, 7, 7, 2],
      [4, 7, 7, 2],
      [2, 8, 7, 2],
    ].map((shape) => {
      const x = rnd(shape, shape[0]! + shape[1]!);
      close(cf(x) as mx.Array, f(x));
      return cf.traceCount;
    });
    // Two traces first (one verifies the shape model), none for the new batch, one for the new height.
    expect(counts).toEqual([2, 2, 3]);
  });

  it('compiled gradients of a conv layer equal eager ones', () => {
    const loss = (x: mx.Array, k: mx.Array) => mx.sum(mx.square(mx.convTranspose2d(mx.conv2d(x, k, 2, 1), mx.swapaxes(k, 0, 3), 2, 1, 1, 1)));
    const g = mx.grad(loss, [0, 1]);
    const x = rnd([2, 6, 6, 2], 7);
    const k = rnd([2, 3, 3, 2], 8);
    const [ex, ek] = g(x, k) as mx.Array[];
    const [cx, ck] = mx.compile(g)(x, k) as mx.Array[];
    close(cx!, ex!);
    close(ck!, ek!);
  });
});
