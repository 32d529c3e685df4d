/**
 * Conformance: elementwise unary ops on every dtype they accept, on random shapes (0-d, empty),
 * strided inputs (transposed, stepped and reversed slices, broadcast), with NaN, +-Inf and -0.
 */
import { ALL_NAMES, checkOp, describeBackends, FLOAT_NAMES, INT_NAMES, mx, property, unaryArb, WIDE_SPECIALS, type InputOpts } from '../helpers/index.js';
import type { DtypeName } from '@mlx-ts/core';

type Unary = (x: mx.Array) => mx.Array;

interface UnaryCase {
  name: string;
  fn: Unary;
  dtypes: readonly DtypeName[];
  /** Ordinary value range (ints use it too, clamped to the dtype). */
  range?: [number, number];
  signedZero?: boolean;
  tolScale?: number;
}

const NUMERIC = [...INT_NAMES, ...FLOAT_NAMES];
const SIGNED = ['int8', 'int16', 'int32', 'int64', ...FLOAT_NAMES] as DtypeName[];
const NO_BOOL = ALL_NAMES.filter((d) => d !== 'bool');

/** Float math: every dtype (ints and bool are cast to float32 by the op). */
const FLOAT_MATH = ALL_NAMES;

const cases: UnaryCase[] = [
  { name: 'abs', fn: mx.abs, dtypes: ALL_NAMES, signedZero: true },
  { name: 'negative', fn: mx.negative, dtypes: NO_BOOL, signedZero: true },
  { name: 'sign', fn: mx.sign, dtypes: NO_BOOL, signedZero: false },
  { name: 'square', fn: mx.square, dtypes: NUMERIC },
  { name: 'floor', fn: mx.floor, dtypes: NUMERIC, signedZero: true, range: [-20, 20] },
  { name: 'ceil', fn: mx.ceil, dtypes: NUMERIC, signedZero: true, range: [-20, 20] },
  { name: 'round', fn: (x) => mx.round(x), dtypes: NUMERIC, signedZero: true, range: [-20, 20] },
  { name: 'exp', fn: mx.exp, dtypes: FLOAT_MATH, range: [-10, 10] },
  { name: 'expm1', fn: mx.expm1, dtypes: FLOAT_MATH, range: [-10, 10], signedZero: true },
  { name: 'log', fn: mx.log, dtypes: FLOAT_MATH, range: [-2, 50] },
  { name: 'log1p', fn: mx.log1p, dtypes: FLOAT_MATH, range: [-2, 50], signedZero: true },
  { name: 'sin', fn: mx.sin, dtypes: FLOAT_MATH, range: [-10, 10], signedZero: true },
  { name: 'cos', fn: mx.cos, dtypes: FLOAT_MATH, range: [-10, 10] },
  { name: 'tan', fn: mx.tan, dtypes: FLOAT_MATH, range: [-1.5, 1.5], signedZero: true },
  { name: 'tanh', fn: mx.tanh, dtypes: FLOAT_MATH, range: [-10, 10], signedZero: true },
  { name: 'sinh', fn: mx.sinh, dtypes: FLOAT_MATH, range: [-10, 10], signedZero: true },
  { name: 'cosh', fn: mx.cosh, dtypes: FLOAT_MATH, range: [-10, 10] },
  { name: 'arcsin', fn: mx.arcsin, dtypes: FLOAT_MATH, range: [-1.2, 1.2], signedZero: true },
  { name: 'arccos', fn: mx.arccos, dtypes: FLOAT_MATH, range: [-1.2, 1.2] },
  { name: 'arctan', fn: mx.arctan, dtypes: FLOAT_MATH, range: [-20, 20], signedZero: true },
  { name: 'sqrt', fn: mx.sqrt, dtypes: FLOAT_MATH, range: [-1, 100], signedZero: true },
  { name: 'rsqrt', fn: mx.rsqrt, dtypes: FLOAT_MATH, range: [-1, 100] },
  { name: 'sigmoid', fn: mx.sigmoid, dtypes: FLOAT_MATH, range: [-20, 20] },
  { name: 'erf', fn: mx.erf, dtypes: FLOAT_MATH, range: [-4, 4] },
  { name: 'erfinv', fn: mx.erfinv, dtypes: FLOAT_MATH, range: [-1.1, 1.1], tolScale: 4 },
  { name: 'arcsinh', fn: mx.arcsinh, dtypes: FLOAT_MATH, range: [-20, 20], signedZero: true },
  { name: 'arccosh', fn: mx.arccosh, dtypes: FLOAT_MATH, range: [0.5, 20] },
  { name: 'arctanh', fn: mx.arctanh, dtypes: FLOAT_MATH, range: [-1.1, 1.1], signedZero: true },
  { name: 'log2', fn: mx.log2, dtypes: FLOAT_MATH, range: [-1, 50] },
  { name: 'log10', fn: mx.log10, dtypes: FLOAT_MATH, range: [-1, 50] },
  { name: 'reciprocal', fn: mx.reciprocal, dtypes: FLOAT_MATH, range: [-10, 10] },
  { name: 'degrees', fn: mx.degrees, dtypes: FLOAT_MATH },
  { name: 'radians', fn: mx.radians, dtypes: FLOAT_MATH },
  { name: 'isnan', fn: mx.isnan, dtypes: ALL_NAMES },
  { name: 'isposinf', fn: mx.isposinf, dtypes: ALL_NAMES },
  { name: 'isneginf', fn: mx.isneginf, dtypes: ALL_NAMES },
  { name: 'isfinite', fn: mx.isfinite, dtypes: ALL_NAMES },
  { name: 'stopGradient', fn: mx.stopGradient, dtypes: ALL_NAMES, signedZero: true },
  { name: 'isinf', fn: mx.isinf, dtypes: ALL_NAMES },
  { name: 'logicalNot', fn: mx.logicalNot, dtypes: ALL_NAMES },
  // The integer family; bool inverts logically.
  { name: 'bitwiseInvert', fn: mx.bitwiseInvert, dtypes: [...INT_NAMES, 'bool'] },
];

function spec(c: UnaryCase): (d: DtypeName) => InputOpts {
  return (d) => {
    if (d === 'bool') return {};
    const specials = FLOAT_NAMES.includes(d) ? { specials: WIDE_SPECIALS } : {};
    if (!c.range) return specials;
    // Float math on integer inputs sees float32 values: keep them in the op's domain.
    return { min: c.range[0], max: c.range[1], ...specials };
  };
}

describeBackends('conformance: unary', (backend) => {
  for (const c of cases) {
    property(
      `${c.name} on ${c.dtypes.length === ALL_NAMES.length ? 'every dtype' : c.dtypes.join('/')}`,
      unaryArb(c.dtypes, spec(c)),
      (x) => {
        checkOp(backend, [x], c.fn, { label: c.name, signedZero: c.signedZero ?? false, tolScale: c.tolScale ?? 1 });
      },
      25,
    );
  }

  // Integer wrap-around on the full range (two's complement), where the result overflows.
  property(
    'negative/abs/square wrap on the full integer range',
    unaryArb(SIGNED.filter((d) => d !== 'int64' && !FLOAT_NAMES.includes(d))),
    (x) => {
      checkOp(backend, [x], (a) => [mx.negative(a), mx.abs(a), mx.square(a)], { label: 'negative/abs/square (wrap)' });
    },
    15,
  );

  property(
    'square of int64 below 2^26',
    unaryArb(['int64'], { min: -(2 ** 26), max: 2 ** 26 }),
    (x) => {
      checkOp(backend, [x], (a) => mx.square(a), { label: 'square int64' });
    },
    10,
  );

  property(
    'round(x, decimals)',
    unaryArb(['float32', 'float64', 'float16'], { min: -100, max: 100 }),
    (x) => {
      checkOp(backend, [x], (a) => [mx.round(a, 2), mx.round(a, { decimals: 1 })], { label: 'round decimals', tolScale: 10 });
    },
    10,
  );
});
