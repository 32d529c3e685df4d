/** Ops part A: creation, elementwise, reduction, shape, linalg, and the Array methods. */
import { describe, expect, test } from 'vitest';
import * as mx from '@mlx-ts/core';
import { referenceBackend } from '@mlx-ts/reference-backend';

mx.registerBackend(referenceBackend);

const v = (x: mx.Array) => x.tolist();
const close = (x: mx.Array, expected: unknown, tol = 1e-5) => {
  const got = [x.tolist()].flat(Infinity as 1) as number[];
  const exp = [expected].flat(Infinity as 1) as number[];
  expect(got.length).toBe(exp.length);
  got.forEach((g, i) => {
    const e = exp[i]!;
    if (Number.isNaN(e)) expect(g).toBeNaN();
    else if (!Number.isFinite(e)) expect(g).toBe(e);
    else expect(Math.abs(g - e)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
  });
};

describe('creation', () => {
  test('zeros, ones, full and the likes', () => {
    const z = mx.zeros([2, 3]);
    expect(z.shape).toEqual([2, 3]);
    expect(z.dtype).toBe(mx.float32);
    expect(v(z)).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(mx.ones(3, mx.int32).dtype).toBe(mx.int32);
    expect(v(mx.ones(3, { dtype: 'bool' }))).toEqual([true, true, true]);
    expect(v(mx.full([2, 2], 7, mx.int32))).toEqual([[7, 7], [7, 7]]);
    expect(v(mx.full([2, 2], [1, 2]))).toEqual([[1, 2], [1, 2]]);
    expect(mx.full([2], true).dtype).toBe(mx.bool);
    const a = mx.array([[1, 2]], mx.int16);
    expect(mx.zerosLike(a).dtype).toBe(mx.int16);
    expect(v(mx.onesLike(a))).toEqual([[1, 1]]);
    expect(() => mx.zeros([-1])).toThrow(/zeros: expected a shape/);
    expect(() => mx.full([2], [1, 2, 3])).toThrow(/broadcast/);
  });

  test('arange', () => {
    const a = mx.arange(5);
    expect(a.dtype).toBe(mx.int32);
    expect(v(a)).toEqual([0, 1, 2, 3, 4]);
    expect(v(mx.arange(2, 8, 3))).toEqual([2, 5]);
    expect(v(mx.arange(5, 0, -2))).toEqual([5, 3, 1]);
    expect(v(mx.arange(10, 2))).toEqual([]);
    const f = mx.arange(0, 1, 0.25);
    expect(f.dtype).toBe(mx.float32);
    expect(v(f)).toEqual([0, 0.25, 0.5, 0.75]);
    expect(mx.arange(3, mx.float32).dtype).toBe(mx.float32);
    expect(mx.arange(0, 3, null, 'float16').dtype).toBe(mx.float16);
    expect(v(mx.arange(5, { step: 2 }))).toEqual([0, 2, 4]);
    expect(v(mx.arange({ start: 1, stop: 4 }))).toEqual([1, 2, 3]);
    expect(v(mx.arange(1, { stop: 3 }))).toEqual([1, 2]);
    expect(() => mx.arange(0, 5, 0)).toThrow(/arange: step cannot be zero/);
    expect(() => mx.arange(3, mx.bool)).toThrow(/bools/);
  });

  test('linspace, eye, identity, tri', () => {
    const l = mx.linspace(0, 1, 5);
    expect(l.dtype).toBe(mx.float32);
    expect(v(l)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(mx.linspace(0, 1).shape).toEqual([50]);
    expect(v(mx.linspace(3, 9, 1))).toEqual([3]);
    expect(v(mx.linspace(0, 10, 5, mx.int32))).toEqual([0, 2, 5, 7, 10]);
    expect(v(mx.eye(2))).toEqual([[1, 0], [0, 1]]);
    expect(v(mx.eye(2, 3, 1))).toEqual([[0, 1, 0], [0, 0, 1]]);
    expect(v(mx.eye(3, { k: -1, dtype: mx.int32 }))).toEqual([[0, 0, 0], [1, 0, 0], [0, 1, 0]]);
    expect(mx.identity(3, mx.float16).dtype).toBe(mx.float16);
    expect(v(mx.tri(2, 3))).toEqual([[1, 0, 0], [1, 1, 0]]);
    const x = mx.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expect(v(mx.tril(x))).toEqual([[1, 0, 0], [4, 5, 0], [7, 8, 9]]);
    expect(v(mx.triu(x, 1))).toEqual([[0, 2, 3], [0, 0, 6], [0, 0, 0]]);
  });
});

describe('elementwise', () => {
  const i32 = mx.array([1, 2, 3], mx.int32);

  test('type promotion with weak scalars', () => {
    expect(mx.add(i32, 1).dtype).toBe(mx.int32);
    expect(mx.add(i32, 1.5).dtype).toBe(mx.float32);
    expect(mx.add(mx.array([1], mx.float16), 1).dtype).toBe(mx.float16);
    expect(mx.add(mx.array([1], mx.uint8), 2).dtype).toBe(mx.uint8);
    expect(mx.add(mx.array([true]), 1).dtype).toBe(mx.int32);
    expect(mx.add(mx.array([1], mx.int8), mx.array([1], mx.uint8)).dtype).toBe(mx.int16);
    expect(mx.multiply(i32, mx.array([1], mx.float16)).dtype).toBe(mx.float16);
    expect(mx.add(1, 2).dtype).toBe(mx.float32);
    expect(v(mx.add(i32, [10, 20, 30]))).toEqual([11, 22, 33]);
  });

  test('float math casts integers to float32 first', () => {
    const d = mx.divide(i32, 2);
    expect(d.dtype).toBe(mx.float32);
    expect(v(d)).toEqual([0.5, 1, 1.5]);
    expect(mx.exp(i32).dtype).toBe(mx.float32);
    expect(mx.exp(i32).inputs[0]!.dtype).toBe(mx.float32);
    expect(mx.sqrt(mx.array([4], mx.float16)).dtype).toBe(mx.float16);
    close(mx.log2(mx.array([1, 8, 0.5])), [0, 3, -1]);
    close(mx.log10(mx.array([1, 1000])), [0, 3]);
    close(mx.reciprocal(mx.array([2, 4], mx.int32)), [0.5, 0.25]);
    close(mx.arctan2(1, 1), Math.PI / 4);
    close(mx.sigmoid(0), 0.5);
    close(mx.rsqrt(4), 0.5);
    close(mx.logaddexp(mx.array([0, -Infinity, Infinity, 1000]), mx.array([0, -Infinity, Infinity, 1000])), [Math.LN2, -Infinity, Infinity, 1000 + Math.LN2]);
    close(mx.degrees(Math.PI), 180, 1e-6);
    close(mx.radians(180), Math.PI, 1e-6);
  });

  test('arithmetic values and broadcasting', () => {
    const a = mx.array([[1], [2]]);
    const b = mx.array([10, 20, 30]);
    const s = mx.add(a, b);
    expect(s.shape).toEqual([2, 3]);
    expect(v(s)).toEqual([[11, 21, 31], [12, 22, 32]]);
    expect(v(mx.subtract(5, i32))).toEqual([4, 3, 2]);
    expect(v(mx.power(i32, 2))).toEqual([1, 4, 9]);
    expect(mx.power(i32, 2).dtype).toBe(mx.int32);
    expect(v(mx.floorDivide(mx.array([-7, 7], mx.int32), 2))).toEqual([-4, 3]);
    expect(v(mx.remainder(mx.array([-7, 7], mx.int32), 3))).toEqual([2, 1]);
    expect(v(mx.maximum(i32, 2))).toEqual([2, 2, 3]);
    expect(v(mx.minimum(i32, 2))).toEqual([1, 2, 2]);
    expect(() => mx.add(mx.zeros([2, 3]), mx.zeros([4]))).toThrow(/add: shapes \[2,3\] and \[4\] cannot be broadcast/);
  });

  test('sign, abs, negative keep their dtype', () => {
    const x = mx.array([-2, 0, 3], mx.int32);
    expect(mx.abs(x).dtype).toBe(mx.int32);
    expect(v(mx.abs(x))).toEqual([2, 0, 3]);
    expect(v(mx.sign(x))).toEqual([-1, 0, 1]);
    expect(v(mx.negative(x))).toEqual([2, 0, -3]);
    const u = mx.array([1, 2], mx.uint8);
    expect(mx.abs(u)).toBe(u);
    expect(() => mx.negative(mx.array([true]))).toThrow(/negative: not supported for bool/);
    expect(v(mx.square(x))).toEqual([4, 0, 9]);
  });

  test('rounding', () => {
    expect(mx.floor(i32)).toBe(i32);
    expect(mx.ceil(i32)).toBe(i32);
    expect(mx.round(i32)).toBe(i32);
    expect(v(mx.floor(mx.array([-1.5, 1.5])))).toEqual([-2, 1]);
    expect(v(mx.ceil(mx.array([-1.5, 1.5])))).toEqual([-1, 2]);
    expect(v(mx.round(mx.array([0.5, 1.5, 2.5, -0.5])))).toEqual([0, 2, 2, -0]);
    close(mx.round(mx.array([1.2345, 2.5678]), 2), [1.23, 2.57]);
    close(mx.round(mx.array([1.2345]), { decimals: 1 }), [1.2]);
    expect(v(mx.round(mx.array([1234, 1250], mx.int32), -2))).toEqual([1200, 1200]);
  });

  test('comparisons and logic', () => {
    const c = mx.greater(i32, 1.5);
    expect(c.dtype).toBe(mx.bool);
    expect(v(c)).toEqual([false, true, true]);
    expect(v(mx.equal(i32, [1, 0, 3]))).toEqual([true, false, true]);
    expect(v(mx.notEqual(i32, 2))).toEqual([true, false, true]);
    expect(v(mx.lessEqual(i32, 2))).toEqual([true, true, false]);
    expect(v(mx.greaterEqual(i32, 2))).toEqual([false, true, true]);
    expect(v(mx.less(i32, 2))).toEqual([true, false, false]);
    const l = mx.logicalAnd(mx.array([1, 0, 2]), true);
    expect(l.dtype).toBe(mx.bool);
    expect(v(l)).toEqual([true, false, true]);
    expect(v(mx.logicalOr([0, 0], [0, 1]))).toEqual([false, true]);
    expect(v(mx.logicalNot(mx.array([0, 2], mx.int32)))).toEqual([true, false]);
  });

  test('where and clip', () => {
    const w = mx.where(mx.array([true, false, true]), i32, 0);
    expect(w.dtype).toBe(mx.int32);
    expect(v(w)).toEqual([1, 0, 3]);
    expect(v(mx.where([[1], [0]], [1, 2], mx.array([7, 8])))).toEqual([[1, 2], [7, 8]]);
    expect(mx.where(true, 1, 2).dtype).toBe(mx.float32);
    expect(v(mx.clip(mx.array([-2, 0.5, 3]), 0, 1))).toEqual([0, 0.5, 1]);
    expect(v(mx.clip(i32, null, 2))).toEqual([1, 2, 2]);
    expect(mx.clip(i32, 0, 2).dtype).toBe(mx.int32);
    expect(() => mx.clip(i32, null, null)).toThrow(/clip/);
  });

  test('predicates', () => {
    const x = mx.array([1, NaN, Infinity, -Infinity]);
    expect(v(mx.isnan(x))).toEqual([false, true, false, false]);
    expect(v(mx.isinf(x))).toEqual([false, false, true, true]);
    expect(v(mx.isposinf(x))).toEqual([false, false, true, false]);
    expect(v(mx.isneginf(x))).toEqual([false, false, false, true]);
    expect(v(mx.isfinite(x))).toEqual([true, false, false, false]);
    expect(v(mx.isnan(i32))).toEqual([false, false, false]);
    expect(v(mx.isfinite(i32))).toEqual([true, true, true]);
  });

  test('stopGradient and astype', () => {
    const s = mx.stopGradient(i32);
    expect(s.primitive).toBe('stopGradient');
    expect(v(s)).toEqual([1, 2, 3]);
    expect(mx.astype(i32, mx.float32).dtype).toBe(mx.float32);
    expect(v(mx.astype(mx.array([1.7, -1.7]), 'int32'))).toEqual([1, -1]);
  });
});

describe('reductions', () => {
  const x = mx.array([[1, 2, 3], [4, 5, 6]]);

  test('sum, prod, max, min with axes and keepdims', () => {
    expect(v(mx.sum(x))).toBe(21);
    expect(v(mx.sum(x, 0))).toEqual([5, 7, 9]);
    expect(v(mx.sum(x, 1, true))).toEqual([[6], [15]]);
    expect(v(mx.sum(x, { axis: -1, keepdims: true }))).toEqual([[6], [15]]);
    expect(v(mx.sum(x, [0, 1]))).toBe(21);
    expect(v(mx.prod(x, 1))).toEqual([6, 120]);
    expect(v(mx.max(x, 0))).toEqual([4, 5, 6]);
    expect(v(mx.min(x, 1, true))).toEqual([[1], [4]]);
    expect(mx.sum(mx.array([true, true, false])).dtype).toBe(mx.int32);
    expect(v(mx.sum(mx.array([true, true, false])))).toBe(2);
    expect(mx.sum(mx.array([1], mx.int8)).dtype).toBe(mx.int8);
    expect(v(mx.sum(mx.zeros([0, 3]), 0))).toEqual([0, 0, 0]);
    expect(() => mx.max(mx.zeros([0]))).toThrow(/max: cannot reduce over axis 0 of size 0/);
    expect(() => mx.sum(x, 2)).toThrow(/sum: axis 2 is out of bounds/);
    expect(() => mx.sum(x, [0, 0])).toThrow(/repeated axis/);
    expect(() => mx.sum(x, { axes: 0 } as never)).toThrow(/sum: unknown option 'axes'/);
  });

  test('mean, var, std', () => {
    const m = mx.mean(mx.array([1, 2, 3, 4], mx.int32));
    expect(m.dtype).toBe(mx.float32);
    expect(v(m)).toBe(2.5);
    expect(v(mx.mean(x, 1))).toEqual([2, 5]);
    close(mx.var(x, 1), [2 / 3, 2 / 3]);
    close(mx.var(x, 1, false, 1), [1, 1]);
    close(mx.std(x, { axis: 0, ddof: 1 }), [Math.sqrt(4.5), Math.sqrt(4.5), Math.sqrt(4.5)]);
    expect(mx.var(x, null, true).shape).toEqual([1, 1]);
    // Two-pass variance stays exact with a large offset.
    close(mx.var(mx.array([1e4 + 1, 1e4 + 2, 1e4 + 3])), 2 / 3, 1e-4);
  });

  test('all, any', () => {
    const b = mx.array([[1, 0], [1, 1]]);
    expect(mx.all(b).dtype).toBe(mx.bool);
    expect(v(mx.all(b))).toBe(false);
    expect(v(mx.all(b, 1))).toEqual([false, true]);
    expect(v(mx.any(b, 0))).toEqual([true, true]);
    expect(v(mx.any(mx.zeros([0])))).toBe(false);
    expect(v(mx.all(mx.zeros([0])))).toBe(true);
  });

  test('argmax, argmin', () => {
    const a = mx.array([[3, 9, 9], [7, 1, 0]]);
    const am = mx.argmax(a);
    expect(am.dtype).toBe(mx.uint32);
    expect(am.shape).toEqual([]);
    expect(v(am)).toBe(1);
    expect(v(mx.argmax(a, 1))).toEqual([1, 0]);
    expect(v(mx.argmin(a, 0, true))).toEqual([[0, 1, 1]]);
    expect(mx.argmax(a, { keepdims: true }).shape).toEqual([1, 1]);
    expect(() => mx.argmax(a, [0, 1] as never)).toThrow(/single integer/);
  });

  test('logsumexp and softmax are stable', () => {
    close(mx.logsumexp(mx.array([1000, 1000])), 1000 + Math.LN2);
    close(mx.logsumexp(mx.array([-Infinity, -Infinity])), -Infinity);
    close(mx.logsumexp(mx.array([0, -Infinity])), 0);
    close(mx.logsumexp(mx.array([1, Infinity])), Infinity);
    close(mx.logsumexp(mx.array([[0, 0], [1, 1]]), 1, true), [[Math.LN2], [1 + Math.LN2]]);
    expect(mx.logsumexp(mx.array([1, 2], mx.int32)).dtype).toBe(mx.float32);
    const s = mx.softmax(mx.array([[1000, 1000], [0, -Infinity]]), -1);
    close(s, [[0.5, 0.5], [1, 0]]);
    const e = Math.exp(1);
    close(mx.softmax(mx.array([0, 1])), [1 / (1 + e), e / (1 + e)]);
    expect(mx.softmax(mx.array([1, 2], mx.float16), { precise: true }).dtype).toBe(mx.float16);
  });

  test('isclose, allclose, arrayEqual', () => {
    const a = mx.array([1, NaN, Infinity, 1]);
    const b = mx.array([1 + 1e-7, NaN, Infinity, 2]);
    expect(v(mx.isclose(a, b))).toEqual([true, false, true, false]);
    expect(v(mx.isclose(a, b, { equalNan: true }))).toEqual([true, true, true, false]);
    const ac = mx.allclose([1, 2], [1, 2.00001]);
    expect(ac.dtype).toBe(mx.bool);
    expect(ac.shape).toEqual([]);
    expect(v(ac)).toBe(true);
    expect(v(mx.allclose([1, 2], [1, 2.1]))).toBe(false);
    expect(v(mx.allclose([1, 2], [1, 2.1], 0.1))).toBe(true);
    expect(v(mx.arrayEqual([1, 2], mx.array([1, 2], mx.int32)))).toBe(true);
    expect(v(mx.arrayEqual([1, 2], [1, 2, 3]))).toBe(false);
    expect(v(mx.arrayEqual([NaN], [NaN]))).toBe(false);
    expect(v(mx.arrayEqual([NaN], [NaN], true))).toBe(true);
  });
});

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
    expect(v(t)).toEqual([[0, 3], [1, 4], [2, 5]]);
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
    expect((mx.atleast2d(1, x) as mx.Array[]).map((a) => a.shape)).toEqual([[1, 1], [1, 6]]);
  });

  test('broadcastTo, broadcastArrays', () => {
    const b = mx.broadcastTo(mx.array([1, 2]), [3, 2]);
    expect(b.primitive).toBe('broadcastTo');
    expect(v(b)).toEqual([[1, 2], [1, 2], [1, 2]]);
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
    expect(v(c)).toEqual([[1, 2], [3.5, 4]]);
    expect(v(mx.concatenate([a, a], 1))).toEqual([[1, 2, 1, 2]]);
    expect(v(mx.concatenate([a, mx.array([5])], null))).toEqual([1, 2, 5]);
    expect(() => mx.concatenate([a, mx.zeros([1, 3])])).toThrow(/concatenate: all the input array dimensions/);
    expect(() => mx.concatenate([])).toThrow(/concatenate/);
    const s = mx.stack([x, x], 1);
    expect(s.shape).toEqual([6, 2]);
    expect(v(mx.stack([[1, 2], [3, 4]]))).toEqual([[1, 2], [3, 4]]);
    expect(() => mx.stack([x, mx.zeros([2])])).toThrow(/stack: all arrays must have the same shape/);
    const parts = mx.split(x, 3);
    expect(parts[0]!.primitive).toBe('slice');
    expect(parts.map(v)).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(mx.split(x, [1, 4]).map(v)).toEqual([[0], [1, 2, 3], [4, 5]]);
    expect(mx.split(mx.zeros([2, 4]), 2, 1).map((p) => p.shape)).toEqual([[2, 2], [2, 2]]);
    expect(() => mx.split(x, 4)).toThrow(/split: cannot split an axis of size 6 into 4 equal parts/);
  });

  test('tile, repeat', () => {
    const a = mx.array([[1, 2], [3, 4]]);
    expect(v(mx.tile(a, 2))).toEqual([[1, 2, 1, 2], [3, 4, 3, 4]]);
    expect(v(mx.tile(mx.array([1, 2]), [2, 2]))).toEqual([[1, 2, 1, 2], [1, 2, 1, 2]]);
    expect(v(mx.repeat(a, 2))).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    expect(v(mx.repeat(a, 2, 0))).toEqual([[1, 2], [1, 2], [3, 4], [3, 4]]);
    expect(v(mx.repeat(a, 2, { axis: 1 }))).toEqual([[1, 1, 2, 2], [3, 3, 4, 4]]);
  });

  test('pad', () => {
    const a = mx.array([[1, 2], [3, 4]], mx.int32);
    expect(v(mx.pad(a, 1))).toEqual([[0, 0, 0, 0], [0, 1, 2, 0], [0, 3, 4, 0], [0, 0, 0, 0]]);
    expect(v(mx.pad(a, [[0, 0], [1, 2]], 'constant', 9))).toEqual([[9, 1, 2, 9, 9], [9, 3, 4, 9, 9]]);
    expect(v(mx.pad(a, [1, 0], { constantValues: mx.array(7) }))).toEqual([[7, 7, 7], [7, 1, 2], [7, 3, 4]]);
    expect(v(mx.pad(a, [[1, 1], [0, 1]], 'edge'))).toEqual([[1, 2, 2], [1, 2, 2], [3, 4, 4], [3, 4, 4]]);
    expect(mx.pad(a, 1).dtype).toBe(mx.int32);
    expect(() => mx.pad(a, -1)).toThrow(/pad: padding sizes must be non-negative/);
    expect(() => mx.pad(a, [[1, 1]], 'reflect' as never)).toThrow(/pad: mode/);
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
    expect(v(mx.sliceArray(m, [null, 1], [null, null], [-1, 1]))).toEqual([[4, 5], [1, 2]]);
    expect(() => mx.sliceArray(x, [0], [1], [0])).toThrow(/step cannot be zero/);
  });
});

describe('linalg', () => {
  test('matmul with NumPy rules', () => {
    const a = mx.array([[1, 2], [3, 4]]);
    expect(v(mx.matmul(a, a))).toEqual([[7, 10], [15, 22]]);
    expect(v(mx.matmul([1, 1], a))).toEqual([4, 6]);
    expect(v(mx.matmul(a, [1, 1]))).toEqual([3, 7]);
    expect(v(mx.matmul([1, 2], [3, 4]))).toBe(11);
    const b = mx.matmul(mx.ones([3, 1, 2, 4]), mx.ones([5, 4, 6]));
    expect(b.shape).toEqual([3, 5, 2, 6]);
    expect(mx.matmul(mx.ones([2, 3, 4]), mx.ones([4])).shape).toEqual([2, 3]);
    expect(mx.matmul(mx.ones([2, 3], mx.float16), mx.ones([3, 2])).dtype).toBe(mx.float32);
    expect(() => mx.matmul(mx.ones([2, 3]), mx.ones([4, 5]))).toThrow('matmul: shapes [2,3] and [4,5] are incompatible: 3 != 4');
    expect(() => mx.matmul(mx.array([[1]], mx.int32), mx.array([[1]], mx.int32))).toThrow(/matmul: only floating-point/);
    expect(() => mx.matmul(mx.array(1), mx.ones([1]))).toThrow(/matmul: expected arrays of at least one dimension/);
  });

  test('inner, outer, tensordot', () => {
    expect(v(mx.inner([1, 2, 3], [4, 5, 6]))).toBe(32);
    expect(v(mx.inner(mx.array([[1, 2], [3, 4]]), mx.array([[1, 0], [0, 1]])))).toEqual([[1, 2], [3, 4]]);
    const o = mx.outer(mx.array([1, 2], mx.int32), mx.array([3, 4, 5], mx.int32));
    expect(o.dtype).toBe(mx.int32);
    expect(v(o)).toEqual([[3, 4, 5], [6, 8, 10]]);
    const t = mx.tensordot(mx.ones([2, 3, 4]), mx.ones([3, 4, 5]));
    expect(t.shape).toEqual([2, 5]);
    expect(v(t)).toEqual([[12, 12, 12, 12, 12], [12, 12, 12, 12, 12]]);
    expect(mx.tensordot(mx.ones([2, 3]), mx.ones([2, 4]), [[0], [0]]).shape).toEqual([3, 4]);
  });
  test('diagonal, diag, trace, addmm', () => {
    const m = mx.reshape(mx.arange(12), [3, 4]);
    expect(v(mx.diagonal(m))).toEqual([0, 5, 10]);
    expect(v(mx.diagonal(m, 1))).toEqual([1, 6, 11]);
    expect(v(mx.diagonal(m, -1))).toEqual([4, 9]);
    expect(v(mx.diagonal(m, 5))).toEqual([]);
    expect(v(mx.diagonal(mx.transpose(m)))).toEqual([0, 5, 10]);
    const b = mx.reshape(mx.arange(8), [2, 2, 2]);
    expect(v(mx.diagonal(b, { axis1: 1, axis2: 2 }))).toEqual([[0, 3], [4, 7]]);
    expect(v(mx.diagonal(b, 0, 0, 2))).toEqual([[0, 5], [2, 7]]);
    expect(v(mx.diag(mx.array([1, 2], mx.int32)))).toEqual([[1, 0], [0, 2]]);
    expect(v(mx.diag(mx.array([1, 2]), 1))).toEqual([[0, 1, 0], [0, 0, 2], [0, 0, 0]]);
    expect(v(mx.diag(mx.array([1, 2]), -1))).toEqual([[0, 0, 0], [1, 0, 0], [0, 2, 0]]);
    expect(v(mx.diag(m, 1))).toEqual([1, 6, 11]);
    expect(v(mx.trace(m))).toBe(15);
    expect(mx.trace(m, { dtype: mx.float32 }).dtype).toBe(mx.float32);
    const c = mx.ones([2, 2]);
    expect(v(mx.addmm(c, c, c, 2, 0.5))).toEqual([[4.5, 4.5], [4.5, 4.5]]);
  });

  test('nanToNum', () => {
    const r = mx.nanToNum(mx.array([NaN, Infinity, -Infinity, 1]));
    const got = r.tolist() as number[];
    expect(got[0]).toBe(0);
    expect(got[1]).toBeCloseTo(3.4028234663852886e38, -30);
    expect(got[2]).toBeCloseTo(-3.4028234663852886e38, -30);
    expect(v(mx.nanToNum(mx.array([NaN, Infinity]), 1, 2))).toEqual([1, 2]);
  });
});

describe('Array methods', () => {
  test('forward to the ops', () => {
    const a = mx.arange(6).reshape(2, 3);
    expect(a.shape).toEqual([2, 3]);
    expect(mx.arange(6).reshape([3, 2]).shape).toEqual([3, 2]);
    expect(v(a.T)).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(a.transpose(1, 0).shape).toEqual([3, 2]);
    expect(a.transpose([1, 0]).shape).toEqual([3, 2]);
    expect(a.transpose().shape).toEqual([3, 2]);
    expect(v(a.sum(1))).toEqual([3, 12]);
    expect(v(a.sum({ axis: 0, keepdims: true }))).toEqual([[3, 5, 7]]);
    expect(v(a.max())).toBe(5);
    expect(v(a.mean(0))).toEqual([1.5, 2.5, 3.5]);
    expect(v(a.argmax(1))).toEqual([2, 2]);
    expect(a.astype(mx.float32).dtype).toBe(mx.float32);
    expect(v(a.add(1).multiply(2))).toEqual([[2, 4, 6], [8, 10, 12]]);
    expect(v(a.greater(2))).toEqual([[false, false, false], [true, true, true]]);
    expect(a.flatten().shape).toEqual([6]);
    expect(a.split(3, 1).length).toBe(3);
    expect(v(a.abs().square())).toEqual([[0, 1, 4], [9, 16, 25]]);
    expect(v(a.cumsum(1))).toEqual([[0, 1, 3], [3, 7, 12]]);
    expect(v(mx.ones([2, 2]).matmul(mx.ones([2, 1])))).toEqual([[2], [2]]);
    expect(v(a.index(1))).toEqual([3, 4, 5]);
    expect(v(a.squeeze().var())).toBeCloseTo(35 / 12, 5);
  });

  test('streams are accepted as options', () => {
    const a = mx.ones([2, 2]);
    const s = mx.sum(a, 0, false, { stream: mx.cpu });
    expect(v(s)).toEqual([2, 2]);
    expect(v(mx.add(a, 1, { stream: mx.cpu }))).toEqual([[2, 2], [2, 2]]);
    expect(v(mx.zeros([2], { stream: mx.cpu }))).toEqual([0, 0]);
    expect(() => (mx.sum as (...args: unknown[]) => mx.Array)(a, 0, false, { stream: mx.cpu }, 1)).toThrow(/options object must be the last/);
  });
});
