/**
 * Data types as values (`mx.float32`), their storage, and the promotion table.
 * The table is MLX's (which follows JAX's lattice), written down once here.
 */
import { describeValue } from './describe.js';

export type DtypeName =
  'bool' | 'uint8' | 'uint16' | 'uint32' | 'int8' | 'int16' | 'int32' | 'int64' | 'float16' | 'bfloat16' | 'float32' | 'float64' | 'complex64';

export type DtypeKind = 'bool' | 'uint' | 'int' | 'float' | 'complex';

export type HostTypedArray = Uint8Array | Uint16Array | Uint32Array | Int8Array | Int16Array | Int32Array | BigInt64Array | Float32Array | Float64Array;

/** An element type (`mx.float32`, `mx.int32`, ...): MLX's `Dtype`. There is one instance per type, so dtypes compare with `===`. */
export class Dtype {
  /** Dense code shared with native backends; never reorder. */
  readonly code: number;
  private constructor(
    readonly name: DtypeName,
    readonly kind: DtypeKind,
    readonly size: number,
    code: number,
  ) {
    this.code = code;
  }
  /** @internal */
  static make(name: DtypeName, kind: DtypeKind, size: number, code: number): Dtype {
    return new Dtype(name, kind, size, code);
  }
  /** True for float16, bfloat16, float32 and float64. */
  get isFloating(): boolean {
    return this.kind === 'float';
  }
  /** True for complex64 (MLX's `complexfloating`); complex dtypes are not `isFloating`. */
  get isComplex(): boolean {
    return this.kind === 'complex';
  }
  /** True for the floating and complex dtypes (NumPy's `inexact`): the ones that carry derivatives. */
  get isInexact(): boolean {
    return this.kind === 'float' || this.kind === 'complex';
  }
  /** True for the signed and unsigned integer types (not bool). */
  get isInteger(): boolean {
    return this.kind === 'int' || this.kind === 'uint';
  }
  /** MLX's spelling, `mlx.float32`. */
  toString(): string {
    return `mlx.${this.name}`;
  }
}

/** Booleans, one byte each. */
export const bool = Dtype.make('bool', 'bool', 1, 0);
/** Unsigned 8-bit integers. */
export const uint8 = Dtype.make('uint8', 'uint', 1, 1);
/** Unsigned 16-bit integers. */
export const uint16 = Dtype.make('uint16', 'uint', 2, 2);
/** Unsigned 32-bit integers. */
export const uint32 = Dtype.make('uint32', 'uint', 4, 3);
/** Signed 8-bit integers. */
export const int8 = Dtype.make('int8', 'int', 1, 4);
/** Signed 16-bit integers. */
export const int16 = Dtype.make('int16', 'int', 2, 5);
/** Signed 32-bit integers: the dtype of integer indices and of `arange` with integer arguments. */
export const int32 = Dtype.make('int32', 'int', 4, 6);
/** Signed 64-bit integers (JS numbers read them exactly up to 2^53). */
export const int64 = Dtype.make('int64', 'int', 8, 7);
/** IEEE half precision; computed in float32 and rounded on store. */
export const float16 = Dtype.make('float16', 'float', 2, 8);
/** Brain floating point (8 exponent bits); computed in float32 and rounded on store. */
export const bfloat16 = Dtype.make('bfloat16', 'float', 2, 9);
/** IEEE single precision: the default dtype of arrays made from JS numbers. */
export const float32 = Dtype.make('float32', 'float', 4, 10);
/** IEEE double precision. */
export const float64 = Dtype.make('float64', 'float', 8, 11);

/**
 * Complex numbers as interleaved float32 pairs (real, imaginary), 8 bytes each. JS has no complex
 * number: mlx-ts writes one as `{ re, im }` (`mx.array({ re: 1, im: 2 })`, `toList()`, `item()`).
 */
export const complex64 = Dtype.make('complex64', 'complex', 8, 12);

/** Every dtype, in the order of their codes. */
export const allDtypes: readonly Dtype[] = [bool, uint8, uint16, uint32, int8, int16, int32, int64, float16, bfloat16, float32, float64, complex64];
/** The real dtypes (every dtype but complex64): what property tests draw from unless they ask for complex. */
export const realDtypes: readonly Dtype[] = allDtypes.filter((d) => !d.isComplex);
/** The floating dtypes. */
export const floatingDtypes: readonly Dtype[] = [float16, bfloat16, float32, float64];

const byName = new Map<string, Dtype>(allDtypes.map((d) => [d.name, d]));

/** Accepts a Dtype or its name; throws naming the caller on anything else. */
export function toDtype(d: Dtype | DtypeName | string, fn = 'dtype'): Dtype {
  if (d instanceof Dtype) return d;
  const found = typeof d === 'string' ? byName.get(d) : undefined;
  if (!found) {
    throw new Error(`${fn}: expected a dtype (${allDtypes.map((x) => x.name).join(', ')}), got ${describeValue(d)}`);
  }
  return found;
}

// MLX's promotion table (mlx/dtype.cpp), restricted to the dtypes mlx-ts has: anything with complex64 is complex64.
// Rows and columns follow the `code` order above.
const b = bool,
  u8 = uint8,
  u16 = uint16,
  u32 = uint32,
  i8 = int8,
  i16 = int16,
  i32 = int32,
  i64 = int64;
const f16 = float16,
  bf16 = bfloat16,
  f32 = float32,
  f64 = float64,
  c64 = complex64;
const table: Dtype[][] = [
  //        b    u8   u16  u32  i8   i16  i32  i64  f16  bf16  f32  f64  c64
  /* b  */ [b, u8, u16, u32, i8, i16, i32, i64, f16, bf16, f32, f64, c64],
  /* u8 */ [u8, u8, u16, u32, i16, i16, i32, i64, f16, bf16, f32, f64, c64],
  /* u16*/ [u16, u16, u16, u32, i32, i32, i32, i64, f16, bf16, f32, f64, c64],
  /* u32*/ [u32, u32, u32, u32, i64, i64, i64, i64, f16, bf16, f32, f64, c64],
  /* i8 */ [i8, i16, i32, i64, i8, i16, i32, i64, f16, bf16, f32, f64, c64],
  /* i16*/ [i16, i16, i32, i64, i16, i16, i32, i64, f16, bf16, f32, f64, c64],
  /* i32*/ [i32, i32, i32, i64, i32, i32, i32, i64, f16, bf16, f32, f64, c64],
  /* i64*/ [i64, i64, i64, i64, i64, i64, i64, i64, f16, bf16, f32, f64, c64],
  /* f16*/ [f16, f16, f16, f16, f16, f16, f16, f16, f16, f32, f32, f64, c64],
  /* bf16*/ [bf16, bf16, bf16, bf16, bf16, bf16, bf16, bf16, f32, bf16, f32, f64, c64],
  /* f32*/ [f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f64, c64],
  /* f64*/ [f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, c64],
  /* c64*/ [c64, c64, c64, c64, c64, c64, c64, c64, c64, c64, c64, c64, c64],
];

/** MLX's `promote_types`: the dtype both promote to (Dtypes or their names). */
export function promoteTypes(a: Dtype | DtypeName, c: Dtype | DtypeName): Dtype {
  // Ops call this with Dtypes on every multi-input op: only names take the slower path.
  if (a instanceof Dtype && c instanceof Dtype) return table[a.code]![c.code]!;
  return table[toDtype(a, 'promoteTypes').code]![toDtype(c, 'promoteTypes').code]!;
}

/** The dtype a floating op (exp, divide, mean, ...) computes in: MLX maps non-floats to float32. */
export function floatResult(d: Dtype): Dtype {
  return d.isFloating || d.isComplex ? d : float32;
}

/** The typed array that holds one element of `d` on the host (float16/bfloat16 hold raw bits). */
export function hostArrayFor(d: Dtype, length: number): HostTypedArray {
  switch (d.name) {
    case 'bool':
    case 'uint8':
      return new Uint8Array(length);
    case 'uint16':
    case 'float16':
    case 'bfloat16':
      return new Uint16Array(length);
    case 'uint32':
      return new Uint32Array(length);
    case 'int8':
      return new Int8Array(length);
    case 'int16':
      return new Int16Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'int64':
      return new BigInt64Array(length);
    case 'float32':
      return new Float32Array(length);
    case 'float64':
      return new Float64Array(length);
    case 'complex64':
      return new Float32Array(2 * length); // interleaved (re, im)
  }
}

/** The dtype mlx-ts infers for a host typed array passed to `mx.array`. */
export function dtypeOfTypedArray(a: ArrayBufferView): Dtype | undefined {
  if (a instanceof Float32Array) return float32;
  if (a instanceof Float64Array) return float64;
  if (a instanceof Int32Array) return int32;
  if (a instanceof Int16Array) return int16;
  if (a instanceof Int8Array) return int8;
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return uint8;
  if (a instanceof Uint16Array) return uint16;
  if (a instanceof Uint32Array) return uint32;
  if (a instanceof BigInt64Array) return int64;
  return undefined;
}

// ---- float16 / bfloat16 bit conversions (host side) ----

const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);

/** The bfloat16 bit pattern nearest to `x` (round to nearest even; NaN stays NaN). */
export function float32ToBfloat16Bits(x: number): number {
  f32buf[0] = x;
  const bits = u32buf[0]!;
  if ((bits & 0x7fffffff) > 0x7f800000) return 0x7fc0; // NaN
  // Round to nearest even.
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** The value of a bfloat16 bit pattern. */
export function bfloat16BitsToNumber(h: number): number {
  u32buf[0] = h << 16;
  return f32buf[0]!;
}

/** The float16 bit pattern nearest to `x` (round to nearest even). */
export function numberToFloat16Bits(x: number): number {
  f32buf[0] = x;
  const f = u32buf[0]!;
  const sign = (f >>> 16) & 0x8000;
  const exp = (f >>> 23) & 0xff;
  let mant = f & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** The value of a float16 bit pattern. */
export function float16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Rounds a JS number to the nearest value representable in `d` (ints wrap as C casts do from in-range values). */
export function roundToDtype(x: number, d: Dtype): number {
  switch (d.name) {
    case 'bool':
      return x !== 0 ? 1 : 0; // NaN is truthy in C++ casts too
    case 'float64':
      return x;
    case 'float32':
    case 'complex64': // each part is a float32
      return Math.fround(x);
    case 'float16':
      return float16BitsToNumber(numberToFloat16Bits(x));
    case 'bfloat16':
      return bfloat16BitsToNumber(float32ToBfloat16Bits(x));
    default:
      return wrapInteger(x, d);
  }
}

function wrapInteger(x: number, d: Dtype): number {
  if (!Number.isFinite(x)) return 0;
  const t = Math.trunc(x);
  switch (d.name) {
    case 'uint8':
      return t & 0xff;
    case 'uint16':
      return t & 0xffff;
    case 'uint32':
      return t >>> 0; // ToUint32 is exact modular arithmetic for any finite double
    case 'int8':
      return (t << 24) >> 24;
    case 'int16':
      return (t << 16) >> 16;
    case 'int32':
      return t | 0;
    case 'int64':
      return t; // doubles hold int64 exactly only up to 2^53: the reference backend's documented limit
    default:
      return t;
  }
}

/** Finite range of a dtype, used by max/min reductions' identities and clipping tests. */
export function dtypeLimits(d: Dtype): { min: number; max: number } {
  switch (d.name) {
    case 'bool':
      return { min: 0, max: 1 };
    case 'uint8':
      return { min: 0, max: 255 };
    case 'uint16':
      return { min: 0, max: 65535 };
    case 'uint32':
      return { min: 0, max: 4294967295 };
    case 'int8':
      return { min: -128, max: 127 };
    case 'int16':
      return { min: -32768, max: 32767 };
    case 'int32':
      return { min: -2147483648, max: 2147483647 };
    case 'int64':
      return { min: -9223372036854775808, max: 9223372036854775807 };
    case 'float16':
      return { min: -65504, max: 65504 };
    case 'bfloat16':
      return { min: -3.3895313892515355e38, max: 3.3895313892515355e38 };
    case 'float32':
    case 'complex64': // each part's range
      return { min: -3.4028234663852886e38, max: 3.4028234663852886e38 };
    case 'float64':
      return { min: -Number.MAX_VALUE, max: Number.MAX_VALUE };
  }
}
