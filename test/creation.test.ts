/**
 * Creation ops and conversions to JS, with known values, on every registered backend:
 * array (numbers, booleans, nested arrays, typed arrays, Arrays), zeros, ones, full, zerosLike,
 * onesLike, arange, linspace, eye, identity, tri; item, tolist, toTypedArray.
 */
import { describe, expect, it } from 'vitest';
import { mx, onBackend } from './helpers/index.js';

const backends = mx.listBackends().map((b) => b.name);

describe.each(backends)('creation [%s]', (backend) => {
  const on = (f: () => void) => () => onBackend(backend, f);

  it(
    'array from numbers, booleans, nested arrays and typed arrays',
    on(() => {
      expect(mx.array(3.5).shape).toEqual([]);
      expect(mx.array(3.5).item()).toBe(3.5);
      // A bool's item() is its arithmetic value (MLX's Python bool is an int); itemBool() its truth.
      expect([mx.array(true).item(), mx.array(false).item()]).toEqual([1, 0]);
      expect([mx.array(true).itemBool(), mx.array(false).itemBool()]).toEqual([true, false]);
      expect([mx.array(2.5).itemBool(), mx.array(0, mx.int64).itemBool(), mx.array(NaN).itemBool()]).toEqual([true, false, true]);
      expect(
        mx
          .array([
            [1, 2, 3],
            [4, 5, 6],
          ])
          .tolist(),
      ).toEqual([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      expect(
        mx.array([
          [1, 2, 3],
          [4, 5, 6],
        ]).shape,
      ).toEqual([2, 3]);
      expect(mx.array([]).shape).toEqual([0]);
      expect(mx.array([[], []]).shape).toEqual([2, 0]);
      expect(mx.array([true, false]).tolist()).toEqual([true, false]);
      expect(mx.array(new Int32Array([1, -2])).tolist()).toEqual([1, -2]);
      expect(mx.array(new Float64Array([0.1])).item()).toBe(0.1);
      expect(mx.array([0.1]).item()).toBe(Math.fround(0.1));
      expect(mx.array([1.7, -1.7], mx.int32).tolist()).toEqual([1, -1]);
      expect(mx.array([2, 0, -3], mx.bool).tolist()).toEqual([true, false, true]);
      // Arrays inside nested JS arrays.
      expect(mx.array([mx.array([1, 2]), mx.array([3, 4])]).tolist()).toEqual([
        [1, 2],
        [3, 4],
      ]);
      const a = mx.array([1, 2]);
      expect(mx.array(a)).toBe(a);
      expect(mx.array(a, mx.int32).dtype).toBe(mx.int32);
    }),
  );

  it(
    'zeros, ones, full, zerosLike, onesLike',
    on(() => {
      expect(mx.zeros([2, 2]).tolist()).toEqual([
        [0, 0],
        [0, 0],
      ]);
      expect(mx.zeros(3).tolist()).toEqual([0, 0, 0]);
      expect(mx.zeros([]).item()).toBe(0);
      expect(mx.zeros([0, 4]).shape).toEqual([0, 4]);
      expect(mx.ones([2], mx.int8).tolist()).toEqual([1, 1]);
      expect(mx.ones([2], { dtype: mx.bool }).tolist()).toEqual([true, true]);
      expect(mx.full([2, 2], 7).tolist()).toEqual([
        [7, 7],
        [7, 7],
      ]);
      expect(mx.full([2, 3], mx.array([1, 2, 3])).tolist()).toEqual([
        [1, 2, 3],
        [1, 2, 3],
      ]);
      expect(mx.full([2], 2.7, mx.int32).tolist()).toEqual([2, 2]);
      expect(mx.full([1], NaN).item()).toBeNaN();
      expect(mx.zerosLike(mx.ones([2, 1], mx.uint8)).tolist()).toEqual([[0], [0]]);
      expect(mx.onesLike(mx.zeros([3], mx.float16)).tolist()).toEqual([1, 1, 1]);
    }),
  );

  it(
    'arange',
    on(() => {
      expect(mx.arange(5).tolist()).toEqual([0, 1, 2, 3, 4]);
      expect(mx.arange(2, 5).tolist()).toEqual([2, 3, 4]);
      expect(mx.arange(5, 0, -2).tolist()).toEqual([5, 3, 1]);
      expect(mx.arange(0, 1, 0.25).tolist()).toEqual([0, 0.25, 0.5, 0.75]);
      expect(mx.arange(0, 3, 1, mx.float16).tolist()).toEqual([0, 1, 2]);
      expect(mx.arange(0, 0).shape).toEqual([0]);
      expect(mx.arange(3, 0).shape).toEqual([0]);
      expect(mx.arange(0, 1, 0.1).size).toBe(10);
      expect(mx.arange(-3, 3, 1, mx.int8).tolist()).toEqual([-3, -2, -1, 0, 1, 2]);
      expect(mx.arange(0, 4, { step: 2, dtype: mx.float32 }).tolist()).toEqual([0, 2]);
    }),
  );

  it(
    'linspace',
    on(() => {
      expect(mx.linspace(0, 1, 5).tolist()).toEqual([0, 0.25, 0.5, 0.75, 1]);
      expect(mx.linspace(1, 0, 3).tolist()).toEqual([1, 0.5, 0]);
      expect(mx.linspace(2, 3, 1).tolist()).toEqual([2]);
      expect(mx.linspace(2, 3, 0).shape).toEqual([0]);
      expect(mx.linspace(0, 1).size).toBe(50);
      expect(mx.linspace(0, 10, { num: 6, dtype: mx.float64 }).tolist()).toEqual([0, 2, 4, 6, 8, 10]);
    }),
  );

  it(
    'eye, identity, tri, tril, triu',
    on(() => {
      expect(mx.eye(2).tolist()).toEqual([
        [1, 0],
        [0, 1],
      ]);
      expect(mx.eye(2, 3, 1).tolist()).toEqual([
        [0, 1, 0],
        [0, 0, 1],
      ]);
      expect(mx.eye(3, { k: -1, dtype: mx.int32 }).tolist()).toEqual([
        [0, 0, 0],
        [1, 0, 0],
        [0, 1, 0],
      ]);
      expect(mx.identity(2, mx.bool).tolist()).toEqual([
        [true, false],
        [false, true],
      ]);
      expect(mx.tri(2, 3).tolist()).toEqual([
        [1, 0, 0],
        [1, 1, 0],
      ]);
      const m = mx.reshape(mx.arange(1, 10), [3, 3]);
      expect(mx.tril(m).tolist()).toEqual([
        [1, 0, 0],
        [4, 5, 0],
        [7, 8, 9],
      ]);
      expect(mx.triu(m, 1).tolist()).toEqual([
        [0, 2, 3],
        [0, 0, 6],
        [0, 0, 0],
      ]);
    }),
  );

  it(
    'item, tolist and toTypedArray: the host types of each dtype',
    on(() => {
      expect(mx.array([1, 2], mx.float32).toTypedArray()).toBeInstanceOf(Float32Array);
      expect(mx.array([1, 2], mx.float16).toTypedArray()).toBeInstanceOf(Float32Array);
      expect(mx.array([1, 2], mx.bfloat16).toTypedArray()).toBeInstanceOf(Float32Array);
      expect(mx.array([1, 2], mx.float64).toTypedArray()).toBeInstanceOf(Float64Array);
      expect(mx.array([1, 0], mx.bool).toTypedArray()).toBeInstanceOf(Uint8Array);
      expect(mx.array([1, 2], mx.uint8).toTypedArray()).toBeInstanceOf(Uint8Array);
      expect(mx.array([1, 2], mx.int8).toTypedArray()).toBeInstanceOf(Int8Array);
      expect(mx.array([1, 2], mx.uint16).toTypedArray()).toBeInstanceOf(Uint16Array);
      expect(mx.array([1, 2], mx.int16).toTypedArray()).toBeInstanceOf(Int16Array);
      expect(mx.array([1, 2], mx.uint32).toTypedArray()).toBeInstanceOf(Uint32Array);
      expect(mx.array([1, 2], mx.int32).toTypedArray()).toBeInstanceOf(Int32Array);
      expect(mx.array([1, 2], mx.int64).toTypedArray()).toBeInstanceOf(BigInt64Array);
      expect(mx.array([5], mx.int64).item()).toBe(5);
      expect(typeof mx.array([5], mx.int64).item()).toBe('number');
      expect(mx.array(new BigInt64Array([-(2n ** 40n)])).tolist()).toEqual([-(2 ** 40)]);
      // A view reads back only its elements, in logical order.
      const v = mx.reshape(mx.arange(12), [3, 4]).T.index('::-1', '1:3');
      expect(v.tolist()).toEqual([
        [7, 11],
        [6, 10],
        [5, 9],
        [4, 8],
      ]);
      expect([...v.toTypedArray()]).toEqual([7, 11, 6, 10, 5, 9, 4, 8]);
      expect(mx.array(2.5).tolist()).toBe(2.5);
      expect(mx.zeros([2, 0]).tolist()).toEqual([[], []]);
    }),
  );

  it('mx.eval and asyncEval evaluate arrays and pytrees', async () => {
    mx.useBackend(backend);
    try {
      const a = mx.add(mx.ones([2]), 1);
      const b = { w: [mx.multiply(a, 3)], n: 1, s: 'x' };
      expect(a.isEvaluated).toBe(false);
      mx.eval(a, b);
      expect(a.isEvaluated && b.w[0]!.isEvaluated).toBe(true);
      const c = mx.subtract(a, 1);
      await mx.asyncEval(c);
      expect(c.isEvaluated).toBe(true);
      expect(c.tolist()).toEqual([1, 1]);
    } finally {
      mx.useBackend(null);
    }
  });
});
