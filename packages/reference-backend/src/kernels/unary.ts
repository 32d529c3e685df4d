/** Elementwise kernels of one input: math, predicates, `astype`. */
import type { Dtype, UnaryPredicate, UnarySameDtype } from '@mlx-ts/core';
import { arithmetic } from '../arith.js';
import { erf, erfinv } from '../erf.js';
import type { Kernel } from '../kernel.js';

type Scalar = (x: number) => number;

/** A kernel applying the function `make` picks for the input's dtype to every element. */
function map(make: (d: Dtype) => Scalar): Kernel {
  return ({ inputs: [x] }) => {
    const f = make(x!.dtype);
    return x!.data.map((v) => f(v));
  };
}

const fixed = (f: Scalar): Kernel => map(() => f);

/** Round half to even: Math.round rounds halves up, so step back from odd results of exact halves. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function sigmoid(x: number): number {
  // exp of a non-positive argument only: no overflow for either sign.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

const identity: Scalar = (x) => x;
const isFloat = (d: Dtype) => d.isFloating;

export const unaryKernels: { readonly [P in UnarySameDtype | UnaryPredicate]: Kernel } = {
  abs: fixed(Math.abs),
  negative: fixed((x) => -x),
  sign: fixed((x) => (Number.isNaN(x) ? x : Number(x > 0) - Number(x < 0))),
  // Same product as `multiply`, so int32 squares wrap exactly.
  square: map((d) => {
    const mul = arithmetic('multiply', d);
    return (x) => mul(x, x);
  }),
  floor: map((d) => (isFloat(d) ? Math.floor : identity)),
  ceil: map((d) => (isFloat(d) ? Math.ceil : identity)),
  round: map((d) => (isFloat(d) ? roundHalfEven : identity)),
  exp: fixed(Math.exp),
  log: fixed(Math.log),
  log1p: fixed(Math.log1p),
  expm1: fixed(Math.expm1),
  sin: fixed(Math.sin),
  cos: fixed(Math.cos),
  tan: fixed(Math.tan),
  tanh: fixed(Math.tanh),
  sinh: fixed(Math.sinh),
  cosh: fixed(Math.cosh),
  arcsin: fixed(Math.asin),
  arccos: fixed(Math.acos),
  arctan: fixed(Math.atan),
  arcsinh: fixed(Math.asinh),
  arccosh: fixed(Math.acosh),
  arctanh: fixed(Math.atanh),
  sqrt: fixed(Math.sqrt),
  rsqrt: fixed((x) => 1 / Math.sqrt(x)),
  sigmoid: fixed(sigmoid),
  erf: fixed(erf),
  erfinv: fixed(erfinv),
  isnan: fixed((x) => Number(Number.isNaN(x))),
  isinf: fixed((x) => Number(x === Infinity || x === -Infinity)),
  logicalNot: fixed((x) => Number(x === 0)),
  // Two's complement: ~x is -x - 1, which the output's wrap to the dtype makes right for unsigned dtypes too.
  bitwiseInvert: fixed((x) => -x - 1),
};

/** The backend rounds every output to its dtype, which is exactly the cast (truncation for float to int, x != 0 for bool). */
export const astypeKernel: Kernel = ({ inputs: [x] }) => x!.data.slice();
