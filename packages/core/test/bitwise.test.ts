// The bitwise ops and shifts: NumPy's values on every integer dtype (fixtures/gen_bitwise.py),
// counts past the width included; MLX's bool rules; promotion; errors for floating inputs.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import * as mx from 'mlx-ts';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/bitwise.json', import.meta.url), 'utf8')) as {
  cases: { op: string; dtype: mx.DtypeName; a: number[]; b?: number[]; out: number[] }[];
  bool: Record<'a' | 'b' | 'bitwise_and' | 'bitwise_or' | 'bitwise_xor' | 'invert', boolean[]>;
};
const ops: Record<string, (a: mx.Array, b: mx.Array) => mx.Array> = {
  bitwise_and: mx.bitwiseAnd,
  bitwise_or: mx.bitwiseOr,
  bitwise_xor: mx.bitwiseXor,
  left_shift: mx.leftShift,
  right_shift: mx.rightShift,
  invert: (a) => mx.bitwiseInvert(a),
};

describe('bitwise ops (NumPy values)', () => {
  test.each(fixture.cases.map((c) => [`${c.op} ${c.dtype}${c.b ? ` by ${c.b[0]}` : ''}`, c] as const))('%s', (_name, c) => {
    const a = mx.array(c.a, c.dtype);
    const out = ops[c.op]!(a, mx.array(c.b ?? c.a, c.dtype));
    expect(out.dtype.name).toBe(c.dtype);
    expect(out.tolist()).toEqual(c.out);
  });

  test('bool: and, or, xor and invert are logical (bool results); shifts compute as uint8', () => {
    const a = mx.array(fixture.bool.a);
    const b = mx.array(fixture.bool.b);
    expect(mx.bitwiseAnd(a, b).tolist()).toEqual(fixture.bool.bitwise_and);
    expect(mx.bitwiseOr(a, b).tolist()).toEqual(fixture.bool.bitwise_or);
    expect(mx.bitwiseXor(a, b).tolist()).toEqual(fixture.bool.bitwise_xor);
    expect(mx.bitwiseInvert(a).tolist()).toEqual(fixture.bool.invert);
    const shifted = mx.leftShift(a, b);
    expect(shifted.dtype).toBe(mx.uint8);
    expect(shifted.tolist()).toEqual([2, 1, 0, 0]);
  });

  test('promotion follows MLX: mixed integer dtypes widen, JS numbers take the array dtype', () => {
    const r = mx.bitwiseAnd(mx.array([-1, 6], mx.int8), mx.array([255, 3], mx.uint8));
    expect(r.dtype).toBe(mx.int16);
    expect(r.tolist()).toEqual([255, 2]);
    const s = mx.leftShift(mx.array([1, 3], mx.uint8), 2);
    expect(s.dtype).toBe(mx.uint8);
    expect(s.tolist()).toEqual([4, 12]);
    expect(mx.rightShift(mx.array([-16], mx.int32), mx.array([2, 40], mx.int32)).tolist()).toEqual([-4, -1]);
  });

  test('compiled programs fuse them and agree with eager', () => {
    const f = (a: mx.Array, b: mx.Array) => mx.bitwiseXor(mx.leftShift(a, 1), mx.bitwiseAnd(b, mx.bitwiseInvert(a)));
    const a = mx.array([1, -2, 7, 100], mx.int32);
    const b = mx.array([3, 5, -1, 9], mx.int32);
    expect(mx.compile(f)(a, b).tolist()).toEqual(f(a, b).tolist());
  });

  test('floating inputs are an Error naming the op', () => {
    const x = mx.array([1.5]);
    expect(() => mx.bitwiseAnd(x, 1)).toThrow(
      /bitwiseAnd: only integer and boolean types are supported, got float32 and a JS number \(which promote to float32\)/,
    );
    expect(() => mx.leftShift(mx.array([1], mx.int32), x)).toThrow(/leftShift: only integer and boolean types are supported, got int32 and float32/);
    expect(() => mx.bitwiseInvert(x)).toThrow(/bitwiseInvert: only integer and boolean types are supported, got float32/);
    expect(() => mx.bitwiseOr(mx.array([1], mx.int32), 1.5)).toThrow(/bitwiseOr: only integer/);
  });
});
