/** Shape ops (packages/core/src/ops/shape.ts). */
import { describe, expect, test } from 'vitest';
import * as mx from '@mlx-ts/core';
import { v } from './helpers.js';

describe('shape ops', () => {
  const x = mx.arange(6);

  test('reshape, transpose, swapaxes, moveaxis are views', () => {
    const r = mx.reshape(x, [2, -1]);
    expect(r.shape).toEqual([2, 3]);
    expect(r.primitive).toBe('reshape');
    expect(() => mx.reshape(x, [4, -1])).toThrow(/reshape: cannot infer/);
    expect(() => mx.reshape(x, [4])).toThrow(/reshape: cannot reshape an array of size 6 into shape \[4\]/);
    const t = mx.transpose(r);
    expect(t.primitive).toBe('transpose');
    expect(v(t)).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    const y = mx.zeros([2, 3, 4]);
    expect(mx.transpose(y, [1, 0, 2]).shape).toEqual([3, 2, 4]);
    expect(mx.transpose(y, { axes: [2, 0, 1] }).shape).toEqual([4, 2, 3]);
    expect(() => mx.transpose(y, [0, 1])).toThrow(/transpose/);
    expect(mx.swapaxes(y, 0, -1).shape).toEqual([4, 3, 2]);
    expect(mx.moveaxis(y, 0, -1).shape).toEqual([3, 4, 2]);
    expect(mx.moveaxis(y, [0, 1], [-1, -2]).shape).toEqual([4, 3, 2]);
  });

  test('expandDims, squeeze, flatten, atleast', () => {
    expect(mx.expandDims(x, 0).shape).toEqual([1, 6]);
    expect(mx.expandDims(x, [0, -1]).shape).toEqual([1, 6, 1]);
    const y = mx.zeros([1, 3, 1]);
    expect(mx.squeeze(y).shape).toEqual([3]);
    expect(mx.squeeze(y, 0).shape).toEqual([3, 1]);
    expect(() => mx.squeeze(y, 1)).toThrow(/squeeze: cannot squeeze axis 1 of size 3/);
    expect(mx.flatten(mx.zeros([2, 3, 4])).shape).toEqual([24]);
    expect(mx.flatten(mx.zeros([2, 3, 4]), 1).shape).toEqual([2, 12]);
    expect(mx.flatten(mx.zeros([2, 3, 4]), { startAxis: 0, endAxis: 1 }).shape).toEqual([6, 4]);
    expect(mx.flatten(mx.array(1)).shape).toEqual([1]);
    expect((mx.atleast1d(1) as mx.Array).shape).toEqual([1]);
    expect((mx.atleast2d(x) as mx.Array).shape).toEqual([1, 6]);
    expect((mx.atleast3d(x) as mx.Array).shape).toEqual([1, 6, 1]);
    expect((mx.atleast3d(mx.zeros([2, 3])) as mx.Array).shape).toEqual([2, 3, 1]);
    expect((mx.atleast2d(1, x) as mx.Array[]).map((a) => a.shape)).toEqual([
      [1, 1],
      [1, 6],
    ]);
  });

  test('broadcastTo, broadcastArrays', () => {
    const b = mx.broadcastTo(mx.array([1, 2]), [3, 2]);
    expect(b.primitive).toBe('broadcastTo');
    expect(v(b)).toEqual([
      [1, 2],
      [1, 2],
      [1, 2],
    ]);
    const [p, q] = mx.broadcastArrays(mx.zeros([2, 1]), mx.zeros([3], mx.int32));
    expect(p!.shape).toEqual([2, 3]);
    expect(q!.shape).toEqual([2, 3]);
    expect(q!.dtype).toBe(mx.int32);
    expect(() => mx.broadcastTo(mx.zeros([3]), [2])).toThrow(/broadcastTo/);
  });

  test('concatenate, stack, split', () => {
    const a = mx.array([[1, 2]], mx.int32);
    const b = mx.array([[3.5, 4]]);
    const c = mx.concatenate([a, b]);
    expect(c.dtype).toBe(mx.float32);
    expect(v(c)).toEqual([
      [1, 2],
      [3.5, 4],
    ]);
    expect(v(mx.concatenate([a, a], 1))).toEqual([[1, 2, 1, 2]]);
    expect(v(mx.concatenate([a, mx.array([5])], null))).toEqual([1, 2, 5]);
    expect(() => mx.concatenate([a, mx.zeros([1, 3])])).toThrow(/concatenate: all the input array dimensions/);
    expect(() => mx.concatenate([])).toThrow(/concatenate/);
    const s = mx.stack([x, x], 1);
    expect(s.shape).toEqual([6, 2]);
    expect(
      v(
        mx.stack([
          [1, 2],
          [3, 4],
        ]),
      ),
    ).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(() => mx.stack([x, mx.zeros([2])])).toThrow(/stack: all arrays must have the same shape/);
    const parts = mx.split(x, 3);
    expect(parts[0]!.primitive).toBe('slice');
    expect(parts.map(v)).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(mx.split(x, [1, 4]).map(v)).toEqual([[0], [1, 2, 3], [4, 5]]);
    expect(mx.split(mx.zeros([2, 4]), 2, 1).map((p) => p.shape)).toEqual([
      [2, 2],
      [2, 2],
    ]);
    expect(() => mx.split(x, 4)).toThrow(/split: cannot split an axis of size 6 into 4 equal parts/);
  });

  test('tile, repeat', () => {
    const a = mx.array([
      [1, 2],
      [3, 4],
    ]);
    expect(v(mx.tile(a, 2))).toEqual([
      [1, 2, 1, 2],
      [3, 4, 3, 4],
    ]);
    expect(v(mx.tile(mx.array([1, 2]), [2, 2]))).toEqual([
      [1, 2, 1, 2],
      [1, 2, 1, 2],
    ]);
    expect(v(mx.repeat(a, 2))).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    expect(v(mx.repeat(a, 2, 0))).toEqual([
      [1, 2],
      [1, 2],
      [3, 4],
      [3, 4],
    ]);
    expect(v(mx.repeat(a, 2, { axis: 1 }))).toEqual([
      [1, 1, 2, 2],
      [3, 3, 4, 4],
    ]);
  });

  test('pad', () => {
    const a = mx.array(
      [
        [1, 2],
        [3, 4],
      ],
      mx.int32,
    );
    expect(v(mx.pad(a, 1))).toEqual([
      [0, 0, 0, 0],
      [0, 1, 2, 0],
      [0, 3, 4, 0],
      [0, 0, 0, 0],
    ]);
    expect(
      v(
        mx.pad(
          a,
          [
            [0, 0],
            [1, 2],
          ],
          'constant',
          9,
        ),
      ),
    ).toEqual([
      [9, 1, 2, 9, 9],
      [9, 3, 4, 9, 9],
    ]);
    expect(v(mx.pad(a, [1, 0], { constantValues: mx.array(7) }))).toEqual([
      [7, 7, 7],
      [7, 1, 2],
      [7, 3, 4],
    ]);
    expect(
      v(
        mx.pad(
          a,
          [
            [1, 1],
            [0, 1],
          ],
          'edge',
        ),
      ),
    ).toEqual([
      [1, 2, 2],
      [1, 2, 2],
      [3, 4, 4],
      [3, 4, 4],
    ]);
    expect(mx.pad(a, 1).dtype).toBe(mx.int32);
    expect(() => mx.pad(a, -1)).toThrow(/pad: padding sizes must be non-negative/);
    expect(() => mx.pad(a, [[1, 1]], 'reflect' as never)).toThrow(/pad: expected mode to be one of 'constant', 'edge', got a string \('reflect'\)/);
  });

  test('sliceArray follows NumPy slices', () => {
    const s = (start: (number | null)[], stop: (number | null)[], step?: (number | null)[]) => v(mx.sliceArray(x, start, stop, step));
    expect(s([1], [4])).toEqual([1, 2, 3]);
    expect(s([null], [null], [-1])).toEqual([5, 4, 3, 2, 1, 0]);
    expect(s([-2], [null])).toEqual([4, 5]);
    expect(s([4], [0], [-2])).toEqual([4, 2]);
    expect(s([10], [20])).toEqual([]);
    expect(s([null], [-10], [-1])).toEqual([5, 4, 3, 2, 1, 0]);
    expect(s([0], [6], [4])).toEqual([0, 4]);
    expect(mx.sliceArray(x, [0], [6])).toBe(x);
    const m = mx.reshape(x, [2, 3]);
    expect(v(mx.sliceArray(m, [null, 1], [null, null], [-1, 1]))).toEqual([
      [4, 5],
      [1, 2],
    ]);
    expect(() => mx.sliceArray(x, [0], [1], [0])).toThrow(/step cannot be zero/);
  });
});

describe('roll and meshgrid (NumPy/MLX values)', () => {
  const a = () => mx.arange(10).reshape([2, 5]);
  test('roll: flattened by default, along axes, several shifts, negative and large shifts', () => {
    expect(mx.roll(a(), 2).tolist()).toEqual([
      [8, 9, 0, 1, 2],
      [3, 4, 5, 6, 7],
    ]);
    expect(mx.roll(a(), 1, 1).tolist()).toEqual([
      [4, 0, 1, 2, 3],
      [9, 5, 6, 7, 8],
    ]);
    expect(mx.roll(a(), [1, -1], [0, 1]).tolist()).toEqual([
      [6, 7, 8, 9, 5],
      [1, 2, 3, 4, 0],
    ]);
    expect(mx.roll(a(), -7, { axis: 1 }).tolist()).toEqual([
      [2, 3, 4, 0, 1],
      [7, 8, 9, 5, 6],
    ]);
    expect(mx.roll(mx.zeros([0, 3]), 2, 0).shape).toEqual([0, 3]);
    expect(() => mx.roll(a(), [1, 2])).toThrow(/without an axis, shift must be one integer/);
    expect(() => mx.roll(a(), [1, 2, 3], [0, 1])).toThrow(/3 shifts for 2 axes/);
    expect(() => mx.roll(a(), 1.5)).toThrow(/shift to be an integer/);
  });
  test("meshgrid: 'xy' (Cartesian) and 'ij' (matrix) indexing, sparse views", () => {
    const [x, y] = mx.meshgrid(mx.array([1, 2, 3]), mx.array([4, 5]));
    expect(x!.tolist()).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(y!.tolist()).toEqual([
      [4, 4, 4],
      [5, 5, 5],
    ]);
    const [i, j] = mx.meshgrid(mx.array([1, 2, 3]), mx.array([4, 5]), { indexing: 'ij' });
    expect(i!.tolist()).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(j!.tolist()).toEqual([
      [4, 5],
      [4, 5],
      [4, 5],
    ]);
    const sparse = mx.meshgrid(mx.array([1, 2, 3]), mx.array([4, 5]), mx.array([6, 7, 8, 9]), { sparse: true });
    expect(sparse.map((s) => s.shape)).toEqual([
      [1, 3, 1],
      [2, 1, 1],
      [1, 1, 4],
    ]);
    expect(() => mx.meshgrid(mx.array([1]), { indexing: 'yx' as never })).toThrow(/meshgrid: expected indexing to be one of 'xy', 'ij', got a string \('yx'\)/);
  });
  test('the constants', () => {
    expect([mx.pi, mx.e, mx.inf, mx.newaxis]).toEqual([Math.PI, Math.E, Infinity, null]);
    expect(mx.nan).toBeNaN();
    expect(mx.eulerGamma).toBeCloseTo(0.5772156649, 10);
  });
});
