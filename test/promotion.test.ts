/**
 * Type promotion as MLX does it: the table for every pair of dtypes (written out here from MLX's
 * rules, independently of core's table), weak JS scalars, division of integers, comparisons,
 * reductions and index-returning ops. Values are checked on every registered backend.
 */
import { describe, expect, it } from 'vitest';
import type { DtypeName } from '@mlx-ts/core';
import { ALL_NAMES, mx, onBackend } from './helpers/index.js';

const BITS: Record<string, number> = {
  bool: 1,
  uint8: 8,
  uint16: 16,
  uint32: 32,
  int8: 8,
  int16: 16,
  int32: 32,
  int64: 64,
  float16: 16,
  bfloat16: 16,
  float32: 32,
  float64: 64,
};
const kind = (d: DtypeName) => (d === 'bool' ? 'b' : d.startsWith('uint') ? 'u' : d.startsWith('int') ? 'i' : 'f');

/** MLX's promotion rules (mlx/dtype.cpp), restated. */
function expected(a: DtypeName, b: DtypeName): DtypeName {
  if (a === b) return a;
  if (a === 'bool') return b;
  if (b === 'bool') return a;
  const ka = kind(a),
    kb = kind(b);
  if (ka === 'f' && kb === 'f') {
    if ((a === 'float16' && b === 'bfloat16') || (a === 'bfloat16' && b === 'float16')) return 'float32';
    return BITS[a]! >= BITS[b]! ? a : b;
  }
  if (ka === 'f') return a;
  if (kb === 'f') return b;
  if (ka === kb) return BITS[a]! >= BITS[b]! ? a : b;
  const [u, i] = ka === 'u' ? [a, b] : [b, a];
  if (BITS[i]! > BITS[u]!) return i;
  return `int${Math.min(64, BITS[u]! * 2)}` as DtypeName;
}

const backends = mx.listBackends().map((b) => b.name);

describe('promotion table', () => {
  it('add, multiply, maximum, where and concatenate promote every pair as MLX', () => {
    const bad: string[] = [];
    for (const a of ALL_NAMES) {
      for (const b of ALL_NAMES) {
        const x = mx.zeros([2], a);
        const y = mx.ones([2], b);
        const want = expected(a, b);
        const got = {
          add: mx.add(x, y).dtype.name,
          multiply: mx.multiply(x, y).dtype.name,
          maximum: mx.maximum(x, y).dtype.name,
          where: mx.where(mx.array([true, false]), x, y).dtype.name,
          concatenate: mx.concatenate([x, y]).dtype.name,
        };
        for (const [op, g] of Object.entries(got)) if (g !== want) bad.push(`${op}(${a}, ${b}) -> ${g}, expected ${want}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('promoteTypes agrees with the restated table', () => {
    for (const a of ALL_NAMES) for (const b of ALL_NAMES) expect(mx.promoteTypes(mx.toDtype(a), mx.toDtype(b)).name, `${a} ${b}`).toBe(expected(a, b));
  });

  it('comparisons and logical ops give bool for every pair', () => {
    for (const a of ALL_NAMES) {
      for (const b of ALL_NAMES) {
        const x = mx.zeros([2], a);
        const y = mx.ones([2], b);
        for (const f of [mx.equal, mx.notEqual, mx.less, mx.lessEqual, mx.greater, mx.greaterEqual, mx.logicalAnd, mx.logicalOr]) {
          expect(f(x, y).dtype).toBe(mx.bool);
        }
      }
    }
  });

  it('divide and float math of integers and bool give float32; floats keep their dtype', () => {
    for (const a of ALL_NAMES) {
      const want = a.startsWith('float') || a === 'bfloat16' ? a : 'float32';
      const x = mx.ones([2], a);
      expect(mx.divide(x, x).dtype.name, `divide ${a}`).toBe(want);
      for (const f of [mx.exp, mx.log, mx.sin, mx.sqrt, mx.rsqrt, mx.sigmoid, mx.erf, mx.tanh]) expect(f(x).dtype.name, `${f.name} ${a}`).toBe(want);
      expect(mx.mean(x).dtype.name, `mean ${a}`).toBe(want);
      expect(mx.softmax(x).dtype.name, `softmax ${a}`).toBe(want);
    }
    expect(mx.divide(mx.array(new Int32Array([7])), mx.array(new Int32Array([2]))).dtype).toBe(mx.float32);
    expect(mx.divide(mx.ones([1], mx.float16), mx.array(new Int32Array([2]))).dtype).toBe(mx.float16);
  });

  it('sum and prod of bool give int32; argmax, argmin and argsort give uint32', () => {
    const b = mx.array([true, false, true]);
    expect(mx.sum(b).dtype).toBe(mx.int32);
    expect(mx.prod(b).dtype).toBe(mx.int32);
    expect(mx.cumsum(b).dtype).toBe(mx.int32);
    for (const d of ALL_NAMES) {
      const x = mx.ones([3], d);
      expect(mx.argmax(x).dtype, d).toBe(mx.uint32);
      expect(mx.argmin(x, 0).dtype, d).toBe(mx.uint32);
      expect(mx.argsort(x).dtype, d).toBe(mx.uint32);
      expect(mx.all(x).dtype, d).toBe(mx.bool);
      expect(mx.any(x).dtype, d).toBe(mx.bool);
      expect(mx.isnan(x).dtype, d).toBe(mx.bool);
    }
  });
});

describe('weak JS scalars', () => {
  const i32 = () => mx.array(new Int32Array([1, 2, 3]));
  const cases: [string, () => mx.Array, DtypeName][] = [
    ['int32 array + 1 stays int32', () => mx.add(i32(), 1), 'int32'],
    ['1 + int32 array stays int32', () => mx.add(1, i32()), 'int32'],
    ['int32 array + 1.5 -> float32', () => mx.add(i32(), 1.5), 'float32'],
    ['int32 array * true stays int32', () => mx.multiply(i32(), true), 'int32'],
    ['float16 array + 2 stays float16', () => mx.add(mx.ones([2], mx.float16), 2), 'float16'],
    ['float16 array + 2.5 stays float16', () => mx.add(mx.ones([2], mx.float16), 2.5), 'float16'],
    ['bfloat16 array * 1e3 stays bfloat16', () => mx.multiply(mx.ones([2], mx.bfloat16), 1e3), 'bfloat16'],
    ['float64 array + 1 stays float64', () => mx.add(mx.ones([2], mx.float64), 1), 'float64'],
    ['uint8 array + 1 stays uint8', () => mx.add(mx.ones([2], mx.uint8), 1), 'uint8'],
    ['int8 array - 1 stays int8', () => mx.subtract(mx.ones([2], mx.int8), 1), 'int8'],
    ['int64 array + 1 stays int64', () => mx.add(mx.ones([2], mx.int64), 1), 'int64'],
    ['uint32 array + 0.5 -> float32', () => mx.add(mx.ones([2], mx.uint32), 0.5), 'float32'],
    ['bool + bool stays bool', () => mx.add(mx.array([true, false]), mx.array([true, true])), 'bool'],
    ['bool array + true stays bool', () => mx.add(mx.array([true, false]), true), 'bool'],
    ['bool array + 1 -> int32', () => mx.add(mx.array([true, false]), 1), 'int32'],
    ['bool array + 1.5 -> float32', () => mx.add(mx.array([true, false]), 1.5), 'float32'],
    ['1 + 2 -> float32', () => mx.add(1, 2), 'float32'],
    ['true + false -> bool', () => mx.add(true, false), 'bool'],
    ['int32 array < 2.5 -> bool', () => mx.less(i32(), 2.5), 'bool'],
    ['maximum(int8 array, 3) stays int8', () => mx.maximum(mx.ones([2], mx.int8), 3), 'int8'],
    ['where(c, 1, int8 array) stays int8', () => mx.where(mx.array([true, false]), 1, mx.ones([2], mx.int8)), 'int8'],
    ['where(c, 1.5, int8 array) -> float32', () => mx.where(mx.array([true, false]), 1.5, mx.ones([2], mx.int8)), 'float32'],
    ['power(int32 array, 2) stays int32', () => mx.power(i32(), 2), 'int32'],
    ['power(int32 array, 0.5) -> float32', () => mx.power(i32(), 0.5), 'float32'],
    ['floorDivide(int32 array, 2) stays int32', () => mx.floorDivide(i32(), 2), 'int32'],
    ['remainder(int16 array, 3) stays int16', () => mx.remainder(mx.ones([2], mx.int16), 3), 'int16'],
    ['clip(int32 array, 0, 2) stays int32', () => mx.clip(i32(), 0, 2), 'int32'],
    ['x.add(1) method on int32', () => i32().add(1), 'int32'],
    ['nested JS array + int32 array -> float32 (JS numbers make float32 arrays)', () => mx.add([1, 2, 3], i32()), 'float32'],
  ];
  for (const [name, f, want] of cases) {
    it(name, () => {
      const r = f();
      expect(r.dtype.name).toBe(want);
    });
  }

  it('weak scalars compute the right values on every backend', () => {
    for (const b of backends) {
      onBackend(b, () => {
        expect(mx.add(i32(), 1).tolist(), b).toEqual([2, 3, 4]);
        expect(mx.add(i32(), 1.5).tolist(), b).toEqual([2.5, 3.5, 4.5]);
        expect(mx.add(mx.array([true, false]), mx.array([true, true])).tolist(), b).toEqual([true, true]);
        expect(mx.add(mx.array([true, false]), 1).tolist(), b).toEqual([2, 1]);
        expect(mx.divide(mx.array(new Int32Array([7, -7])), 2).tolist(), b).toEqual([3.5, -3.5]);
        expect(mx.floorDivide(mx.array(new Int32Array([7, -7])), 2).tolist(), b).toEqual([3, -4]);
        expect(mx.remainder(mx.array(new Int32Array([7, -7])), 3).tolist(), b).toEqual([1, 2]);
        expect(mx.sum(mx.array([true, true, false])).item(), b).toBe(2);
        expect(mx.argmax(mx.array([1, 5, 5, 2])).item(), b).toBe(1);
        expect(mx.add(mx.array(new Uint8Array([250])), 10).tolist(), b).toEqual([4]);
        // 2049 rounds to 2048 in float16 (ties to even), and 1 + 2048 rounds back to 2048: computed in float16, not float32.
        expect(mx.add(mx.ones([1], mx.float16), 2049).tolist(), b).toEqual([2048]);
      });
    }
  });
});

describe('dtypes of creation and conversion', () => {
  it('JS numbers make float32, booleans bool, typed arrays keep their type', () => {
    expect(mx.array(1).dtype).toBe(mx.float32);
    expect(mx.array([1, 2]).dtype).toBe(mx.float32);
    expect(mx.array(true).dtype).toBe(mx.bool);
    expect(mx.array([[true], [false]]).dtype).toBe(mx.bool);
    expect(mx.array(new Int32Array(2)).dtype).toBe(mx.int32);
    expect(mx.array(new Float64Array(2)).dtype).toBe(mx.float64);
    expect(mx.array(new Uint8Array(2)).dtype).toBe(mx.uint8);
    expect(mx.array(new Int8Array(2)).dtype).toBe(mx.int8);
    expect(mx.array(new Int16Array(2)).dtype).toBe(mx.int16);
    expect(mx.array(new Uint16Array(2)).dtype).toBe(mx.uint16);
    expect(mx.array(new Uint32Array(2)).dtype).toBe(mx.uint32);
    expect(mx.array(new BigInt64Array(2)).dtype).toBe(mx.int64);
    expect(mx.array([1, 2], mx.int8).dtype).toBe(mx.int8);
    expect(mx.array([1, 2], 'bfloat16').dtype).toBe(mx.bfloat16);
  });

  it('creation defaults: zeros/ones/eye/linspace float32, arange of integers int32, full follows its value', () => {
    expect(mx.zeros([2]).dtype).toBe(mx.float32);
    expect(mx.ones([2]).dtype).toBe(mx.float32);
    expect(mx.eye(2).dtype).toBe(mx.float32);
    expect(mx.linspace(0, 1, 5).dtype).toBe(mx.float32);
    expect(mx.arange(5).dtype).toBe(mx.int32);
    expect(mx.arange(0, 5, 1).dtype).toBe(mx.int32);
    expect(mx.arange(0.5, 3).dtype).toBe(mx.float32);
    expect(mx.arange(0, 3, 0.5).dtype).toBe(mx.float32);
    expect(mx.full([2], 3).dtype).toBe(mx.float32);
    expect(mx.full([2], true).dtype).toBe(mx.bool);
    expect(mx.full([2], 3, mx.int8).dtype).toBe(mx.int8);
    expect(mx.zerosLike(mx.ones([2], mx.uint16)).dtype).toBe(mx.uint16);
    expect(mx.matmul(mx.ones([2, 2], mx.float16), mx.ones([2, 2], mx.float32)).dtype).toBe(mx.float32);
  });
});
