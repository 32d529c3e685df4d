/**
 * Conformance: one fixed case per kernel primitive, on every backend against the reference. The
 * table is typed over `KernelPrimitive`, so a primitive added to core without a case here does
 * not compile; each case must really run its primitive (checked on the graph it builds). The
 * per-family files next to this one cover layouts, dtypes and special values in depth.
 */
import { expect, it } from 'vitest';
import {
  unaryPredicate,
  unarySameDtype,
  binaryInteger,
  binaryPredicate,
  binarySameDtype,
  reductions,
  argReductions,
  scans,
  type KernelPrimitive,
} from '@mlx-ts/core';
import { graphUses } from '@mlx-ts/testing';
import { checkOp, describeBackends, hostInput, makeArray, mx, type HostInput, type OpFn } from '../helpers/index.js';
import { complexFrom, parts } from '../helpers/complex.js';
import { eigenvaluePowerSums, eigInvariants } from '../helpers/linalg.js';

interface Case {
  readonly inputs: readonly HostInput[];
  readonly fn: OpFn;
}

const f32 = (shape: number[], values: number[]) => hostInput(shape, 'float32', values);
const x = f32([2, 3], [0.3, -0.7, 0.5, 0.9, -0.2, 0.1]);
const y = f32([2, 3], [0.6, 0.4, -0.8, 1.5, 0.25, -1.1]);
const pos = f32([2, 3], [1.3, 2.7, 0.5, 4, 1.5, 3.1]);
const b = hostInput([2, 3], 'bool', [1, 0, 1, 1, 0, 0]);
const ints = (shape: number[], values: number[]) => hostInput(shape, 'int32', values);
const n = ints([2, 3], [5, -8, 12, 0, -1, 1 << 30]);
const counts = ints([2, 3], [1, 3, 0, 31, 33, -1]);

const solo = { group: 0, rank: 0, size: 1 };
/** Symmetric positive definite, distinct eigenvalues (and singular values). */
const spd3 = f32([3, 3], [4, 1, 0.5, 1, 3, -0.4, 0.5, -0.4, 2]);
/** Not symmetric: a complex-conjugate pair of eigenvalues (1.31 ± 1.96i) and a real one (2.39). */
const general3 = f32([3, 3], [1, -2, 0.5, 2, 1.5, 0.3, 0.2, -0.4, 2.5]);

/** Inputs a unary primitive's domain accepts. */
const unaryInput = (p: string): HostInput =>
  p === 'logicalNot' ? b : p === 'bitwiseInvert' ? n : ['log', 'log1p', 'sqrt', 'rsqrt', 'arccosh'].includes(p) ? pos : x;
const node =
  (prim: string, params: object = {}) =>
  (...xs: mx.Array[]) =>
    mx.node(prim as mx.SingleOutputPrimitive, xs, params as never);

/** One case per primitive of a family, made from its name. */
const family = <K extends string>(names: readonly K[], make: (prim: K) => Case): Record<K, Case> =>
  Object.fromEntries(names.map((p) => [p, make(p)])) as Record<K, Case>;
/** Inputs a binary primitive's domain accepts. */
const binaryInputs = (p: string): HostInput[] =>
  p === 'logicalAnd' || p === 'logicalOr'
    ? [b, b]
    : (binaryInteger as readonly string[]).includes(p)
      ? [n, counts]
      : ['power', 'floorDivide', 'remainder', 'divide'].includes(p)
        ? [pos, pos]
        : [x, y];

const cases: { readonly [P in KernelPrimitive]: Case } = {
  ...family([...unarySameDtype, ...unaryPredicate], (p) => ({ inputs: [unaryInput(p)], fn: node(p) })),
  ...family([...binarySameDtype, ...binaryPredicate], (p) => ({ inputs: binaryInputs(p), fn: node(p) })),
  ...family(reductions, (p) => ({ inputs: [x], fn: node(p, { axes: [1] }) })),
  ...family(argReductions, (p) => ({ inputs: [x], fn: node(p, { axis: 0 }) })),
  ...family(scans, (p) => ({ inputs: [x], fn: node(p, { axis: 1, reverse: false, inclusive: true }) })),
  astype: { inputs: [x], fn: (a) => mx.astype(a, mx.int32) },
  where: { inputs: [b, x, y], fn: (c, p, q) => mx.where(c, p, q) },
  sort: { inputs: [x], fn: (a) => mx.sort(a, 1) },
  argsort: { inputs: [x], fn: (a) => mx.argsort(a, 0) },
  softmax: { inputs: [x], fn: (a) => mx.softmax(a, 1) },
  logsumexp: { inputs: [x], fn: (a) => mx.logsumexp(a, 1) },
  concatenate: { inputs: [x, y], fn: (p, q) => mx.concatenate([p, q], 1) },
  pad: {
    inputs: [x],
    fn: (a) =>
      mx.pad(
        a,
        [
          [1, 0],
          [0, 2],
        ],
        'constant',
        0.5,
      ),
  },
  gather: { inputs: [x, ints([3], [2, 0, -1])], fn: (a, i) => mx.take(a, i, 1) },
  gatherAxis: { inputs: [x, ints([2, 2], [2, 0, 1, 1])], fn: (a, i) => mx.takeAlongAxis(a, i, 1) },
  scatter: { inputs: [x, ints([2], [1, 0]), y], fn: node('scatter', { axis: 0, mode: 'add' }) },
  scatterAxis: { inputs: [x, ints([2, 3], [1, 0, 1, 0, 0, 1]), y], fn: node('scatterAxis', { axis: 0, mode: 'maximum' }) },
  matmul: { inputs: [x, f32([3, 2], [1, 2, 3, 4, 5, 6])], fn: (p, q) => mx.matmul(p, q) },
  arange: { inputs: [], fn: () => mx.arange(0.5, 4, 0.75) },
  randomBits: { inputs: [], fn: () => mx.random.bits([5], 4, mx.random.key(3)) },
  compiled: { inputs: [x, y], fn: mx.compile((p: mx.Array, q: mx.Array) => mx.add(mx.exp(p), mx.multiply(q, 2))) },
  divmod: { inputs: [x, pos], fn: (p, q) => mx.divmod(p, q) },
  convolution: {
    inputs: [
      f32(
        [1, 4, 3, 2],
        Array.from({ length: 24 }, (_, i) => Math.sin(i)),
      ),
      f32(
        [3, 2, 2, 2],
        Array.from({ length: 24 }, (_, i) => Math.cos(i)),
      ),
    ],
    fn: (a, w) => mx.conv2d(a, w, 1, 1),
  },
  topk: { inputs: [x], fn: (a) => mx.topkWithIndices(a, 2) },
  quantizedMatmul: {
    inputs: [
      f32(
        [2, 32],
        Array.from({ length: 64 }, (_, i) => Math.sin(i)),
      ),
      hostInput(
        [3, 3],
        'uint32',
        Array.from({ length: 9 }, (_, i) => (0x9e3779b9 * (i + 1)) >>> 0),
      ),
      f32([3, 1], [0.1, -0.2, 0.05]),
      f32([3, 1], [-0.3, 0.2, 0.7]),
    ],
    fn: (a, w, sc, b) => mx.quantizedMatmul(a, w, sc, b, true, 32, 3),
  },
  rmsNorm: { inputs: [x, f32([3], [0.5, -1, 2])], fn: (a, w) => mx.fast.rmsNorm(a, w, 1e-5) },
  layerNorm: { inputs: [x, f32([3], [0.5, -1, 2]), f32([3], [0.1, 0, -0.3])], fn: (a, w, c) => mx.fast.layerNorm(a, w, c, 1e-5) },
  rope: {
    inputs: [f32([1, 2, 4], [0.3, -0.7, 0.5, 0.9, -0.2, 0.1, 0.6, 0.4])],
    fn: (a) => mx.fast.rope(a, 4, { traditional: false, base: 10000, scale: 1, offset: 3 }),
  },
  scaledDotProductAttention: {
    inputs: [
      f32(
        [1, 2, 3, 2],
        Array.from({ length: 12 }, (_, i) => Math.sin(i)),
      ),
      f32(
        [1, 1, 4, 2],
        Array.from({ length: 8 }, (_, i) => Math.cos(i)),
      ),
      f32(
        [1, 1, 4, 3],
        Array.from({ length: 12 }, (_, i) => Math.sin(2 * i + 1)),
      ),
    ],
    fn: (q, k, v) => mx.fast.scaledDotProductAttention(q, k, v, { scale: 0.8, mask: 'causal' }),
  },
  // Over the group of this one process (raw nodes: the ops return x itself there); test/distributed.test.ts runs them over MPI.
  allReduce: { inputs: [x], fn: node('allReduce', { ...solo, reduce: 'sum' }) },
  allGather: { inputs: [x], fn: node('allGather', solo) },
  send: { inputs: [x], fn: node('send', { ...solo, dst: 0 }) },
  recv: { inputs: [x], fn: (a) => mx.concatenate([a, mx.node('recv', [], { ...solo, src: 0, shape: [0, 3], dtype: mx.float32 })], 0) },
  view: { inputs: [x], fn: (a) => mx.view(a, mx.uint16) },
  // mx.linalg on fixed well-conditioned matrices (square for the SVD: a tall one's extra columns of U are not unique).
  qr: { inputs: [f32([3, 2], [2, 0.3, -0.5, 1.5, 0.4, -0.9])], fn: (a) => mx.linalg.qr(a) },
  svd: { inputs: [spd3], fn: (a) => mx.linalg.svd(a) },
  inv: { inputs: [spd3], fn: (a) => mx.linalg.inv(a) },
  triInv: { inputs: [spd3], fn: (a) => mx.linalg.triInv(a, true) },
  cholesky: { inputs: [spd3], fn: (a) => mx.linalg.cholesky(a) },
  eigh: { inputs: [spd3], fn: (a) => mx.linalg.eigh(a, 'U') },
  luFactor: { inputs: [f32([2, 3], [0.3, -0.7, 0.5, 0.9, -0.2, 0.1])], fn: (a) => mx.multiNode('luFactor', [a], {}) },
  imag: { inputs: [x, y], fn: (a, c) => mx.imag(complexFrom(a, c)) },
  conjugate: { inputs: [x, y], fn: (a, c) => parts(mx.conjugate(complexFrom(a, c))) },
  fft: { inputs: [x, y], fn: (a, c) => parts(mx.fft.fft2(complexFrom(a, c))) },
  // The eigenpairs' order and the vectors' phases are not contracts: compare what they determine.
  eig: { inputs: [general3], fn: (a) => eigInvariants(mx.linalg.eig(a)) },
  eigvals: { inputs: [general3], fn: (a) => eigenvaluePowerSums(mx.linalg.eigvals(a)) },
};
it('every kernel primitive has a case that builds it', () => {
  for (const [prim, c] of Object.entries(cases)) {
    const args = c.inputs.map(makeArray);
    const out = c.fn(...args);
    expect(graphUses(out instanceof mx.Array ? [out] : [...out], prim), `the case for '${prim}' builds no '${prim}' node`).toBe(true);
  }
});

describeBackends('conformance: every kernel primitive', (backend) => {
  for (const [prim, c] of Object.entries(cases)) {
    it(prim, () => {
      checkOp(backend, c.inputs, c.fn, { label: prim });
    });
  }
});
