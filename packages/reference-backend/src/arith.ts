/**
 * Scalar arithmetic per dtype, shared by the binary, reduction, scan and scatter kernels.
 *
 * For floating dtypes a function returns the float64 result unrounded (the caller rounds once,
 * at the end). For integer and bool dtypes it returns the result already wrapped to the dtype, so
 * a chain of them (a sum, a product, a power) is exact two's-complement arithmetic.
 */
import type { BinaryInteger, BinarySameDtype, Dtype } from '@mlx-ts/core';
import { int64ToBigInt, type Rounder, rounderFor } from './rounding.js';

export type Binary = (a: number, b: number) => number;
/** The binary primitives that are arithmetic on every numeric dtype (the integer family is bitwise). */
type Arithmetic = Exclude<BinarySameDtype, BinaryInteger>;

/** C's pow, which differs from Math.pow where the result does not depend on the exponent. */
function cPow(x: number, y: number): number {
  if (x === 1) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return Math.pow(x, y);
}

/** C's copysign(0, s). */
function signedZero(s: number): number {
  return s < 0 || Object.is(s, -0) ? -0 : 0;
}

/** NumPy's npy_divmod for floats: Python's floor division and modulo, exact in corner cases that floor(a / b) gets wrong. */
function floatDivmod(a: number, b: number): [quotient: number, remainder: number] {
  let mod = a % b; // JS % is C's fmod
  if (b === 0) return [a / b, mod];
  let div = (a - mod) / b;
  if (mod !== 0) {
    if (b < 0 !== mod < 0) {
      mod += b;
      div -= 1;
    }
  } else {
    mod = signedZero(b);
  }
  let floorDiv: number;
  if (div !== 0) {
    floorDiv = Math.floor(div);
    if (div - floorDiv > 0.5) floorDiv += 1;
  } else {
    floorDiv = signedZero(a / b);
  }
  return [floorDiv, mod];
}

/** Python's integer modulo (sign of the divisor); 0 for division by zero. */
function intRemainder(a: number, b: number): number {
  if (b === 0) return 0;
  const r = a % b;
  return (r !== 0 && r < 0 !== b < 0 ? r + b : r) + 0;
}

/** Integer power by squaring with `mul` (which wraps); negative exponents give 0 except for bases 1 and -1. */
function intPower(mul: Binary): Binary {
  return (base, exp) => {
    if (exp < 0) {
      if (base === 1) return 1;
      if (base === -1) return exp % 2 === 0 ? 1 : -1;
      return 0;
    }
    let result = 1;
    let b = base;
    for (let e = exp; e > 0; e = Math.floor(e / 2)) {
      if (e % 2 === 1) result = mul(result, b);
      if (e > 1) b = mul(b, b);
    }
    return result;
  };
}

function floatArithmetic(prim: Arithmetic): Binary {
  switch (prim) {
    case 'add':
      return (a, b) => a + b;
    case 'subtract':
      return (a, b) => a - b;
    case 'multiply':
      return (a, b) => a * b;
    case 'divide':
      return (a, b) => a / b;
    case 'power':
      return cPow;
    case 'arctan2':
      return Math.atan2;
    case 'maximum':
      return Math.max; // propagates NaN
    case 'minimum':
      return Math.min;
    case 'floorDivide':
      return (a, b) => floatDivmod(a, b)[0];
    case 'remainder':
      return (a, b) => floatDivmod(a, b)[1];
  }
}

/** int64 through BigInt: exact on the stored doubles, wrapped modulo 2^64, then the nearest double. */
function int64Arithmetic(prim: Arithmetic, d: Dtype): Binary {
  const lift =
    (f: (a: bigint, b: bigint) => bigint): Binary =>
    (a, b) =>
      Number(BigInt.asIntN(64, f(int64ToBigInt(a), int64ToBigInt(b))));
  const floorDiv = (a: bigint, b: bigint): bigint => {
    if (b === 0n) return 0n;
    const q = a / b; // truncates
    return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
  };
  const mul = lift((a, b) => a * b);
  switch (prim) {
    case 'add':
      return lift((a, b) => a + b);
    case 'subtract':
      return lift((a, b) => a - b);
    case 'multiply':
      return mul;
    case 'power':
      return intPower(mul);
    case 'floorDivide':
      return lift(floorDiv);
    case 'remainder':
      return lift((a, b) => (b === 0n ? 0n : a - floorDiv(a, b) * b));
    default:
      return otherIntArithmetic(prim, rounderFor(d));
  }
}

/** Integer (and bool) dtypes up to 32 bits: float64 holds every sum and quotient exactly; products of 32-bit values need Math.imul. */
function smallIntArithmetic(prim: Arithmetic, d: Dtype): Binary {
  const wrap = rounderFor(d);
  const mul: Binary = d.name === 'int32' ? Math.imul : d.name === 'uint32' ? (a, b) => Math.imul(a, b) >>> 0 : (a, b) => wrap(a * b);
  switch (prim) {
    case 'add':
      return (a, b) => wrap(a + b);
    case 'subtract':
      return (a, b) => wrap(a - b);
    case 'multiply':
      return mul;
    case 'power':
      return intPower(mul);
    case 'floorDivide':
      // |a|, |b| < 2^32, so a / b is never rounded onto the integer above its floor.
      return (a, b) => (b === 0 ? 0 : wrap(Math.floor(a / b)));
    case 'remainder':
      return intRemainder;
    default:
      return otherIntArithmetic(prim, wrap);
  }
}

/** The float function then the wrap: right for maximum and minimum; integer divide and arctan2 never reach a kernel, but must not crash. */
function otherIntArithmetic(prim: Arithmetic, wrap: Rounder): Binary {
  const f = floatArithmetic(prim);
  return (a, b) => wrap(f(a, b));
}

/** `prim` on two values of dtype `d` (see the module comment for rounding). */
export function arithmetic(prim: Arithmetic, d: Dtype): Binary {
  if (d.isFloating) return floatArithmetic(prim);
  if (d.name === 'int64') return int64Arithmetic(prim, d);
  return smallIntArithmetic(prim, d);
}

/**
 * The integer family on two values of integer dtype `d`, exactly (through BigInt, so int64 is
 * right for every stored double). Shift counts outside [0, width) give 0, or -1 for a right
 * shift of a negative value.
 */
export function bitwise(prim: BinaryInteger, d: Dtype): Binary {
  const bits = d.size * 8;
  const wrap = d.kind === 'uint' ? (x: bigint) => BigInt.asUintN(bits, x) : (x: bigint) => BigInt.asIntN(bits, x);
  const big = d.name === 'int64' ? int64ToBigInt : BigInt;
  const lift =
    (f: (a: bigint, b: bigint) => bigint): Binary =>
    (a, b) =>
      Number(wrap(f(big(a), big(b))));
  const inRange = (c: bigint) => c >= 0n && c < BigInt(bits);
  switch (prim) {
    case 'bitwiseAnd':
      return lift((a, b) => a & b);
    case 'bitwiseOr':
      return lift((a, b) => a | b);
    case 'bitwiseXor':
      return lift((a, b) => a ^ b);
    case 'leftShift':
      return lift((a, c) => (inRange(c) ? a << c : 0n));
    case 'rightShift':
      return lift((a, c) => (inRange(c) ? a >> c : a < 0n ? -1n : 0n));
  }
}
