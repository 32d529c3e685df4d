/**
 * The twelve dtypes as values, and exact round trips of each dtype's edge values through every
 * registered backend (storage, strided reads, a copy through a kernel): integer limits, int64
 * beyond 2^31, float16/bfloat16 rounding, subnormals, infinities, NaN and -0.
 */
import { describe, expect, it } from 'vitest';
import type { DtypeName } from '@mlx-ts/core';
import { ALL_NAMES, mx, onBackend } from './helpers/index.js';

const backends = mx.listBackends().map((b) => b.name);

describe('dtype values', () => {
  const table: [DtypeName, number, string][] = [
    ['bool', 1, 'bool'],
    ['uint8', 1, 'uint'],
    ['uint16', 2, 'uint'],
    ['uint32', 4, 'uint'],
    ['int8', 1, 'int'],
    ['int16', 2, 'int'],
    ['int32', 4, 'int'],
    ['int64', 8, 'int'],
    ['float16', 2, 'float'],
    ['bfloat16', 2, 'float'],
    ['float32', 4, 'float'],
    ['float64', 8, 'float'],
  ];
  it('mx exports all twelve with their size and kind', () => {
    for (const [name, size, kind] of table) {
      const d = (mx as unknown as Record<string, mx.Dtype>)[name]!;
      expect(d, name).toBeInstanceOf(mx.Dtype);
      expect(d.name).toBe(name);
      expect(d.size).toBe(size);
      expect(d.kind).toBe(kind);
      expect(d.isFloating).toBe(kind === 'float');
      expect(d.isInteger).toBe(kind === 'int' || kind === 'uint');
      expect(mx.toDtype(name)).toBe(d);
      expect(String(d)).toContain(name);
    }
  });

  it('arrays report their dtype, itemsize and nbytes', () => {
    for (const [name, size] of table) {
      const a = mx.zeros([2, 3], name);
      expect(a.dtype.name).toBe(name);
      expect(a.itemsize).toBe(size);
      expect(a.nbytes).toBe(6 * size);
      expect(a.size).toBe(6);
      expect(a.ndim).toBe(2);
    }
  });
});

const edges: Record<DtypeName, number[]> = {
  bool: [0, 1],
  uint8: [0, 1, 127, 128, 255],
  uint16: [0, 1, 32767, 32768, 65535],
  uint32: [0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1],
  int8: [-128, -1, 0, 1, 127],
  int16: [-32768, -1, 0, 1, 32767],
  int32: [-(2 ** 31), -1, 0, 1, 2 ** 31 - 1],
  int64: [-(2 ** 53), -(2 ** 31) - 1, -1, 0, 2 ** 31, 2 ** 40 + 3, 2 ** 53],
  float16: [0, -0, 1, -2.5, 65504, -65504, 2 ** -14, 2 ** -24, -(2 ** -24), Infinity, -Infinity, NaN, 0.333251953125],
  bfloat16: [0, -0, 1, -2.5, 3.3895313892515355e38, 2 ** -126, 2 ** -133, Infinity, -Infinity, NaN, 0.333984375],
  float32: [0, -0, 1, -2.5, 3.4028234663852886e38, 1.1754943508222875e-38, 1.401298464324817e-45, Infinity, -Infinity, NaN, Math.fround(0.1)],
  float64: [0, -0, 1, -2.5, Number.MAX_VALUE, Number.MIN_VALUE, 2.2250738585072014e-308, Infinity, -Infinity, NaN, 0.1],
  // Each part a float32 (test/complex.test.ts checks pairs).
  complex64: [0, -0, 1, -2.5, 3.4028234663852886e38, 1.401298464324817e-45, Infinity, -Infinity, NaN],
};

const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

describe.each(backends)('edge values round-trip exactly [%s]', (backend) => {
  for (const d of ALL_NAMES) {
    it(d, () => {
      onBackend(backend, () => {
        const vals = edges[d];
        const a = d === 'int64' ? mx.array(BigInt64Array.from(vals.map((v) => BigInt(v)))) : mx.array(vals, d);
        expect(a.dtype.name).toBe(d);
        const copies = [
          a,
          mx.maximum(a, a),
          mx.reshape(mx.stack([a, a]), [2, vals.length]).index(1),
          a.index('::-1').index('::-1'),
          mx.concatenate([a, a]).index(`${vals.length}:`),
        ];
        for (const c of copies) {
          const got = [...c.toTypedArray()].map(Number);
          expect(got).toHaveLength(vals.length);
          got.forEach((g, i) => expect(same(g, vals[i]!), `${d}[${i}]: got ${g}, want ${vals[i]}`).toBe(true));
        }
      });
    });
  }

  it('float16 and bfloat16 round to nearest even on store', () => {
    onBackend(backend, () => {
      expect(mx.array([2049, 2051, 1 + 2 ** -11, 65520, 65519], mx.float16).tolist()).toEqual([2048, 2052, 1, Infinity, 65504]);
      expect(mx.array([257, 259, 1 + 2 ** -8], mx.bfloat16).tolist()).toEqual([256, 260, 1]);
      expect(mx.multiply(mx.array([1025], mx.float16), 3).tolist()).toEqual([3076]);
      expect(mx.add(mx.array([2048], mx.float16), mx.array([1], mx.float16)).tolist()).toEqual([2048]);
      expect(mx.add(mx.array([256], mx.bfloat16), mx.array([1], mx.bfloat16)).tolist()).toEqual([256]);
    });
  });

  it('int64 beyond 2^32 computes exactly below 2^53', () => {
    onBackend(backend, () => {
      const a = mx.array(BigInt64Array.from([2n ** 40n, -(2n ** 45n), 3n]));
      expect(mx.add(a, a).tolist()).toEqual([2 ** 41, -(2 ** 46), 6]);
      expect(mx.multiply(a, 3).tolist()).toEqual([3 * 2 ** 40, -3 * 2 ** 45, 9]);
      expect(mx.sum(a).item()).toBe(2 ** 40 - 2 ** 45 + 3);
      expect(mx.astype(a, mx.float64).tolist()).toEqual([2 ** 40, -(2 ** 45), 3]);
      expect(mx.astype(mx.array([2 ** 40 + 0.5], mx.float64), mx.int64).tolist()).toEqual([2 ** 40]);
    });
  });

  it("integer arithmetic wraps (two's complement)", () => {
    onBackend(backend, () => {
      expect(mx.add(mx.array([127], mx.int8), 1).tolist()).toEqual([-128]);
      expect(mx.subtract(mx.array([0], mx.uint8), 1).tolist()).toEqual([255]);
      expect(mx.multiply(mx.array([65535], mx.uint16), mx.array([65535], mx.uint16)).tolist()).toEqual([1]);
      expect(mx.multiply(mx.array(new Int32Array([2 ** 30 + 1])), 4).tolist()).toEqual([4]);
      expect(mx.multiply(mx.array(new Int32Array([123456789])), mx.array(new Int32Array([987654321]))).tolist()).toEqual([Math.imul(123456789, 987654321)]);
      expect(mx.multiply(mx.array(new Uint32Array([4294967295])), mx.array(new Uint32Array([4294967295]))).tolist()).toEqual([1]);
      expect(mx.negative(mx.array([-128], mx.int8)).tolist()).toEqual([-128]);
      expect(mx.abs(mx.array(new Int32Array([-(2 ** 31)]))).tolist()).toEqual([-(2 ** 31)]);
      expect(mx.floorDivide(mx.array([7, -7, 7, 0], mx.int32), mx.array([0, 0, -2, 0], mx.int32)).tolist()).toEqual([0, 0, -4, 0]);
      expect(mx.remainder(mx.array([7, -7, 7], mx.int32), mx.array([0, 3, -3], mx.int32)).tolist()).toEqual([0, 2, -2]);
      expect(mx.power(mx.array([2, -1, 1, 3], mx.int32), mx.array([-1, -3, -2, 2], mx.int32)).tolist()).toEqual([0, -1, 1, 9]);
    });
  });

  it('casts: float to int truncates toward zero, anything to bool is x != 0 (NaN is true), bool to number is 0/1', () => {
    onBackend(backend, () => {
      expect(mx.astype(mx.array([1.9, -1.9, 0.5, -0.5]), mx.int32).tolist()).toEqual([1, -1, 0, 0]);
      expect(mx.astype(mx.array([0, -0, NaN, 0.1, -3]), mx.bool).tolist()).toEqual([false, false, true, true, true]);
      expect(mx.astype(mx.array([true, false]), mx.float32).tolist()).toEqual([1, 0]);
      expect(mx.astype(mx.array([300, -1], mx.int32), mx.uint8).tolist()).toEqual([44, 255]);
      // Unspecified results must still not crash.
      expect(mx.astype(mx.array([NaN, Infinity, -Infinity, 1e30]), mx.int32).shape).toEqual([4]);
      mx.eval(
        mx.astype(mx.array([NaN, Infinity, -Infinity, 1e30]), mx.int32),
        mx.astype(mx.array([NaN, 1e30]), mx.uint8),
        mx.astype(mx.array([NaN, -1e30]), mx.int64),
      );
    });
  });

  it('round is half to even, sign(NaN) is NaN, max/min/maximum/minimum propagate NaN', () => {
    onBackend(backend, () => {
      expect(mx.round(mx.array([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999])).tolist()).toEqual([0, 2, 2, -0, -2, 2]);
      expect(Object.is(mx.round(mx.array([-0.5])).item(), -0)).toBe(true);
      expect(mx.sign(mx.array([NaN, -3, 0, 2])).tolist()).toEqual([NaN, -1, 0, 1]);
      expect(mx.max(mx.array([1, NaN, 3])).item()).toBeNaN();
      expect(mx.min(mx.array([1, NaN, 3])).item()).toBeNaN();
      expect(mx.maximum(mx.array([1, NaN]), mx.array([NaN, 0])).tolist()).toEqual([NaN, NaN]);
      expect(mx.minimum(mx.array([1, NaN]), mx.array([NaN, 0])).tolist()).toEqual([NaN, NaN]);
      expect(mx.argmax(mx.array([1, NaN, 3, NaN])).item()).toBe(1);
      expect(mx.argmin(mx.array([1, NaN, -3])).item()).toBe(1);
      expect(mx.sort(mx.array([3, NaN, -1, 2])).tolist()).toEqual([-1, 2, 3, NaN]);
      expect(mx.argsort(mx.array([1, 0, 1, 0])).tolist()).toEqual([1, 3, 0, 2]);
    });
  });

  it('empty reductions give the identity', () => {
    onBackend(backend, () => {
      expect(mx.sum(mx.zeros([0])).item()).toBe(0);
      expect(mx.prod(mx.zeros([0], mx.int32)).item()).toBe(1);
      expect(mx.all(mx.zeros([0])).itemBool()).toBe(true);
      expect(mx.any(mx.zeros([0])).itemBool()).toBe(false);
      expect(mx.sum(mx.zeros([2, 0]), 1).tolist()).toEqual([0, 0]);
      expect(mx.logsumexp(mx.zeros([0])).item()).toBe(-Infinity);
      expect(mx.cumsum(mx.zeros([0])).shape).toEqual([0]);
    });
  });
});
