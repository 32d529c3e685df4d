/** Elementwise kernels of two inputs (same shape, same dtype), and `where`. */
import type { BinaryInteger, BinaryPredicate, BinarySameDtype } from '@mlx-ts/core';
import { arithmetic, type Binary, bitwise } from '../arith.js';
import type { Kernel, MultiKernel } from '../kernel.js';

function zip(f: Binary, a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i]!, b[i]!);
  return out;
}

function arithmeticKernel(prim: Exclude<BinarySameDtype, BinaryInteger>): Kernel {
  return ({ inputs: [a, b] }) => zip(arithmetic(prim, a!.dtype), a!.data, b!.data);
}

function bitwiseKernel(prim: BinaryInteger): Kernel {
  return ({ inputs: [a, b] }) => zip(bitwise(prim, a!.dtype), a!.data, b!.data);
}

function predicateKernel(f: (a: number, b: number) => boolean): Kernel {
  return ({ inputs: [a, b] }) => zip((x, y) => Number(f(x, y)), a!.data, b!.data);
}

export const binaryKernels: { readonly [P in BinarySameDtype | BinaryPredicate]: Kernel } = {
  add: arithmeticKernel('add'),
  subtract: arithmeticKernel('subtract'),
  multiply: arithmeticKernel('multiply'),
  divide: arithmeticKernel('divide'),
  power: arithmeticKernel('power'),
  arctan2: arithmeticKernel('arctan2'),
  maximum: arithmeticKernel('maximum'),
  minimum: arithmeticKernel('minimum'),
  floorDivide: arithmeticKernel('floorDivide'),
  remainder: arithmeticKernel('remainder'),
  bitwiseAnd: bitwiseKernel('bitwiseAnd'),
  bitwiseOr: bitwiseKernel('bitwiseOr'),
  bitwiseXor: bitwiseKernel('bitwiseXor'),
  leftShift: bitwiseKernel('leftShift'),
  rightShift: bitwiseKernel('rightShift'),
  // IEEE comparisons: any comparison with NaN is false, except notEqual.
  equal: predicateKernel((a, b) => a === b),
  notEqual: predicateKernel((a, b) => a !== b),
  greater: predicateKernel((a, b) => a > b),
  greaterEqual: predicateKernel((a, b) => a >= b),
  less: predicateKernel((a, b) => a < b),
  lessEqual: predicateKernel((a, b) => a <= b),
  logicalAnd: predicateKernel((a, b) => a !== 0 && b !== 0),
  logicalOr: predicateKernel((a, b) => a !== 0 || b !== 0),
};

/** (cond: bool, a, b) of one shape. */
export const whereKernel: Kernel = ({ inputs: [cond, a, b] }) => {
  const c = cond!.data,
    x = a!.data,
    y = b!.data;
  const out = new Float64Array(c.length);
  for (let i = 0; i < c.length; i++) out[i] = c[i] !== 0 ? x[i]! : y[i]!;
  return out;
};

/** divmod: the floorDivide and remainder kernels' values, in one pass. */
export const divmodKernel: MultiKernel = ({ inputs: [a, b] }) => {
  const q = arithmetic('floorDivide', a!.dtype),
    r = arithmetic('remainder', a!.dtype);
  const x = a!.data,
    y = b!.data;
  const qs = new Float64Array(x.length),
    rs = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    qs[i] = q(x[i]!, y[i]!);
    rs[i] = r(x[i]!, y[i]!);
  }
  return [qs, rs];
};
