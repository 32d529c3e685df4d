/**
 * Every primitive's JVP and VJP rule, on hand-picked inputs that hit the hard cases (zeros in
 * prod/cumprod, duplicate scatter indices, negative slice steps, exclusive and reverse scans):
 * - JVP against central finite differences in float64 (`checkJvp`);
 * - VJP against JVP, `<w, J v> = <J^T w, v>` (`checkVjp`);
 * - second order: the same two checks on `x -> vjp(f, x, w)`, so the rules are themselves
 *   differentiable and right (what grad(grad(f)) relies on).
 * Primitives with no floating output (predicates, argmax, argsort, arange, randomBits) are checked
 * by calling their rules directly. The table is keyed by `primitiveNames`: a primitive added to
 * the IR without a case here fails the suite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as mx from 'mlx-ts/internals';
import { arrayFromValues, checkJvp, checkVjp, seededRandom } from '@mlx-ts/testing';
import { fullRank, invertible, separatedSingular, separatedSymmetric, spd } from '../helpers/linalg.js';
import { complexFrom, parts } from '../helpers/complex.js';

const f64 = mx.float64;
const node = (prim: string, inputs: mx.Array[], params: object = {}) => mx.node(prim as mx.SingleOutputPrimitive, inputs, params as never);

let seed = 1;
/** Random float64 values in [lo, hi), avoiding `bad`. */
function rnd(shape: number[], lo = -2, hi = 2, bad?: (v: number) => boolean): mx.Array {
  const r = seededRandom(seed++);
  const n = shape.reduce((a, b) => a * b, 1);
  const v: number[] = [];
  while (v.length < n) {
    const x = lo + (hi - lo) * r();
    if (!bad?.(x)) v.push(x);
  }
  return arrayFromValues(v, shape, f64);
}
const vals = (v: number[], shape: number[], dt: mx.Dtype = f64) => arrayFromValues(v, shape, dt);
const ints = (v: number[], shape: number[] = [v.length]) => arrayFromValues(v, shape, mx.int32);
const nearInt = (v: number) => Math.abs(v - Math.round(v)) < 0.05;
const nearHalf = (v: number) => Math.abs(Math.abs(v - Math.floor(v)) - 0.5) < 0.05;

interface Case {
  /** Builds the function (arguments: the arrays of `args`) and its arguments. */
  fn: (...xs: mx.Array[]) => mx.Array;
  args: () => mx.Array[];
  /** Which arguments to differentiate (default: all floating). */
  argnums?: number[];
  eps?: number;
  rtol?: number;
  atol?: number;
  vjpRtol?: number;
  /** Skipped while the backend has no kernel for this primitive. */
  needsKernel?: string;
  /** Skip the second-order checks (rules whose derivative is not smooth at these points). */
  firstOrderOnly?: boolean;
}

type Cases = Case[];

const un = (prim: string, lo = -2, hi = 2, bad?: (v: number) => boolean, extra: Partial<Case> = {}): Cases => [
  { fn: (x) => node(prim, [x]), args: () => [rnd([2, 3], lo, hi, bad)], ...extra },
];
const bin = (
  prim: string,
  a: [number, number, ((v: number) => boolean)?] = [-2, 2],
  b: [number, number, ((v: number) => boolean)?] = [-2, 2],
  extra: Partial<Case> = {},
): Cases => [{ fn: (x, y) => node(prim, [x, y]), args: () => [rnd([2, 3], ...a), rnd([2, 3], ...b)], ...extra }];
/** Primitives without a floating output: their rules give zeros (checked directly below). */
const NONE: Cases = [];

const scanParams = [
  { reverse: false, inclusive: true },
  { reverse: true, inclusive: true },
  { reverse: false, inclusive: false },
  { reverse: true, inclusive: false },
];
const scan = (prim: string, make: () => mx.Array, extra: Partial<Case> = {}): Cases =>
  scanParams.flatMap((p) =>
    [0, 1].map((axis) => ({
      // An exclusive cummax/cummin starts at -inf/+inf: clip it so finite differences stay finite.
      fn: (x: mx.Array) =>
        p.inclusive || prim === 'cumsum' || prim === 'cumprod' ? node(prim, [x], { axis, ...p }) : mx.clip(node(prim, [x], { axis, ...p }), -100, 100),
      args: () => [make()],
      ...extra,
    })),
  );

const scatterCases = (prim: 'scatter' | 'scatterAxis'): Cases => {
  // [3, 2] array; scatter along axis 0 with duplicate (and negative) indices.
  const idx = () => (prim === 'scatter' ? ints([0, 2, -3, 1]) : ints([0, 2, 2, 1, 0, 0], [3, 2]));
  const upd = (lo = -2, hi = 2) => (prim === 'scatter' ? rnd([4, 2], lo, hi) : rnd([3, 2], lo, hi));
  const mk = (mode: string, extra: Partial<Case> = {}, u = () => upd()): Case => ({
    fn: (a, i, v) => node(prim, [a, i, v], { axis: 0, mode }),
    args: () => [rnd([3, 2]), idx(), u()],
    ...extra,
  });
  return [
    mk('set'),
    mk('add'),
    mk('multiply'),
    // A zero among the updates, landing on a position hit twice: the exact derivative.
    mk('multiply', {}, () => (prim === 'scatter' ? vals([0, 1.5, 2, -1, 0.5, 3, -1.2, 0.7], [4, 2]) : vals([0, 1.5, 2, -1, 0.5, 3], [3, 2]))),
    mk('maximum', {}, () => upd(-3, 3)),
    mk('minimum', {}, () => upd(-3, 3)),
    // Two zero updates on one position: exact at first order; the second order there is not (see the note in jvp.ts).
    mk('multiply', { firstOrderOnly: true }, () => (prim === 'scatter' ? vals([0, 1.5, 2, -1, 0, 3, -1.2, 0.7], [4, 2]) : vals([0, 1.5, 2, -1, 0, 3], [3, 2]))),
  ];
};

const cx: Partial<Case> = { eps: 0.05, rtol: 1e-3, atol: 1e-4, vjpRtol: 1e-4 };

const cases: Record<mx.Primitive, Cases> = {
  abs: un('abs', -2, 2, (v) => Math.abs(v) < 0.1),
  negative: un('negative'),
  sign: un('sign', -2, 2, (v) => Math.abs(v) < 0.1),
  square: un('square'),
  floor: un('floor', -3, 3, nearInt),
  ceil: un('ceil', -3, 3, nearInt),
  round: un('round', -3, 3, nearHalf),
  exp: un('exp'),
  log: un('log', 0.3, 3),
  log1p: un('log1p', -0.5, 3),
  expm1: un('expm1'),
  sin: un('sin'),
  cos: un('cos'),
  tan: un('tan', -1.2, 1.2),
  tanh: un('tanh'),
  sinh: un('sinh'),
  cosh: un('cosh'),
  arcsin: un('arcsin', -0.8, 0.8),
  arccos: un('arccos', -0.8, 0.8),
  arctan: un('arctan'),
  arcsinh: un('arcsinh'),
  arccosh: un('arccosh', 1.2, 3),
  arctanh: un('arctanh', -0.8, 0.8),
  sqrt: un('sqrt', 0.3, 3),
  rsqrt: un('rsqrt', 0.3, 3),
  sigmoid: un('sigmoid'),
  erf: un('erf'),
  erfinv: un('erfinv', -0.8, 0.8),
  isnan: NONE,
  isinf: NONE,
  logicalNot: NONE,
  bitwiseInvert: NONE,
  add: bin('add'),
  subtract: bin('subtract'),
  multiply: bin('multiply'),
  divide: bin('divide', [-2, 2], [0.5, 2]),
  power: [
    ...bin('power', [0.3, 2], [-2, 2]),
    // An integral exponent of a negative base.
    { fn: (x) => node('power', [x, vals([2, 3, 2, 3, 2, 3], [2, 3])]), args: () => [rnd([2, 3], -2, -0.3)], argnums: [0] },
  ],
  arctan2: bin('arctan2', [-2, 2], [0.5, 2]),
  maximum: bin('maximum', [-2, 2], [-2, 2]),
  minimum: bin('minimum', [-2, 2], [-2, 2]),
  floorDivide: [
    { fn: (x, y) => node('floorDivide', [x, y]), args: () => [vals([1.3, -2.6, 4.2, 0.7, -0.4, 3.3], [2, 3]), vals([1, 1, 2, 2, -1, 1.5], [2, 3])] },
  ],
  remainder: [{ fn: (x, y) => node('remainder', [x, y]), args: () => [vals([1.3, -2.6, 4.2, 0.7, -0.4, 3.2], [2, 3]), vals([1, 1, 2, 2, -1, 1.5], [2, 3])] }],
  // Both outputs used: the quotient's cotangent is zero, the remainder's flows to both inputs.
  divmod: [
    {
      fn: (x, y) => mx.add(...(mx.multiNode('divmod', [x, y], {}) as [mx.Array, mx.Array])),
      args: () => [vals([1.3, -2.6, 4.2, 0.7, -0.4, 3.2], [2, 3]), vals([1, 1, 2, 2, -1, 1.5], [2, 3])],
    },
  ],
  // Over the group of this one process (test/distributed.test.ts differentiates over MPI).
  allReduce: (['sum', 'max', 'min'] as const).map((reduce) => ({
    fn: (x: mx.Array) => node('allReduce', [x], { group: 0, rank: 0, size: 1, reduce }),
    args: () => [vals([0.3, -1.2, 2.5, 0.9, 1.7, -0.4], [2, 3])],
  })),
  allGather: [{ fn: (x) => node('allGather', [x], { group: 0, rank: 0, size: 1 }), args: () => [vals([0.3, -1.2, 2.5, 0.9, 1.7, -0.4], [2, 3])] }],
  send: NONE,
  recv: NONE,
  // Distinct values, so the selection is the same under a small perturbation.
  topk: [1, 3].map((k) => ({
    fn: (x: mx.Array) => mx.multiNode('topk', [x], { k })[0]!,
    args: () => [vals([0.3, -1.2, 2.5, 0.9, 1.7, -0.4, 0.1, 2.2], [2, 4])],
  })),
  equal: NONE,
  notEqual: NONE,
  greater: NONE,
  greaterEqual: NONE,
  less: NONE,
  lessEqual: NONE,
  logicalAnd: NONE,
  logicalOr: NONE,
  bitwiseAnd: NONE,
  bitwiseOr: NONE,
  bitwiseXor: NONE,
  leftShift: NONE,
  rightShift: NONE,
  sum: [[1], [0, 1], []].map((axes) => ({ fn: (x: mx.Array) => node('sum', [x], { axes }), args: () => [rnd([2, 3])] })),
  prod: [
    ...[[1], [0, 2], [0, 1, 2]].map((axes) => ({ fn: (x: mx.Array) => node('prod', [x], { axes }), args: () => [rnd([2, 3, 2], 0.5, 1.5)] })),
    // One zero and two zeros in a slice: exact derivatives.
    { fn: (x) => node('prod', [x], { axes: [1] }), args: () => [vals([0, 2, 3, 1.5, 0, 0, 1, 2, 3], [3, 3])] },
  ],
  max: [[1], [0, 1]].map((axes) => ({ fn: (x: mx.Array) => node('max', [x], { axes }), args: () => [rnd([2, 3])] })),
  min: [[1], [0, 1]].map((axes) => ({ fn: (x: mx.Array) => node('min', [x], { axes }), args: () => [rnd([2, 3])] })),
  argmax: NONE,
  argmin: NONE,
  cumsum: scan('cumsum', () => rnd([3, 4])),
  cumprod: [
    ...scan('cumprod', () => rnd([3, 4], 0.5, 1.5)),
    // Zeros: one per row, two in a row, at the ends.
    ...scan('cumprod', () => vals([1.5, 0, 2, 3, 0, 0, 1.2, 2, 2, 1.3, 0.7, 0], [3, 4])),
  ],
  cummax: scan('cummax', () => rnd([3, 4])),
  cummin: scan('cummin', () => rnd([3, 4])),
  astype: [
    {
      fn: (x) => node('astype', [node('astype', [x], { dtype: mx.float32 })], { dtype: f64 }),
      args: () => [rnd([2, 3])],
      eps: 1e-2,
      rtol: 1e-4,
      atol: 1e-4,
      vjpRtol: 1e-6,
    },
    // To an integer and back: zero derivative.
    { fn: (x) => mx.multiply(node('astype', [node('astype', [x], { dtype: mx.int32 })], { dtype: f64 }), x), args: () => [rnd([2, 3], -3, 3, nearInt)] },
  ],
  // stopGradient is the identity in value, so finite differences do not apply: checked below.
  stopGradient: NONE,
  where: [
    {
      fn: (a, b) => node('where', [vals([1, 0, 1, 1, 0, 0], [2, 3], mx.bool), a, b]),
      args: () => [rnd([2, 3]), rnd([2, 3])],
    },
  ],
  sort: [0, 1].map((axis) => ({ fn: (x: mx.Array) => node('sort', [x], { axis }), args: () => [rnd([3, 4])] })),
  argsort: NONE,
  // Large entries too: the rule uses the output, not exp of the input.
  logsumexp: [0, 1, -1].map((axis) => ({
    fn: (x: mx.Array) => node('logsumexp', [x], { axis: axis < 0 ? 1 : axis }),
    args: () => [axis < 0 ? vals([30, 31, 29, -2, 0, 1, 2, 3, 40, 41, 39, 38], [3, 4]) : rnd([3, 4])],
  })),
  softmax: [0, 1, -1].map((axis) => ({
    fn: (x: mx.Array) => node('softmax', [x], { axis: axis < 0 ? 1 : axis }),
    args: () => [axis < 0 ? vals([30, 31, 29, -2, 0, 1, 2, 3, 40, 41, 39, 38], [3, 4]) : rnd([3, 4])],
  })),
  reshape: [{ fn: (x) => node('reshape', [x], { shape: [3, 2, 1] }), args: () => [rnd([2, 3])] }],
  transpose: [{ fn: (x) => node('transpose', [x], { perm: [2, 0, 1] }), args: () => [rnd([2, 3, 4])] }],
  broadcastTo: [
    { fn: (x) => node('broadcastTo', [x], { shape: [2, 3, 4] }), args: () => [rnd([3, 1])] },
    { fn: (x) => node('broadcastTo', [x], { shape: [4, 3] }), args: () => [rnd([])] },
  ],
  slice: [
    { fn: (x) => node('slice', [x], { start: [1, 0], step: [1, 2], shape: [2, 3] }), args: () => [rnd([3, 5])] },
    { fn: (x) => node('slice', [x], { start: [2, 4], step: [-2, -3], shape: [2, 2] }), args: () => [rnd([3, 5])] },
    { fn: (x) => node('slice', [x], { start: [0, 3], step: [3, -1], shape: [1, 3] }), args: () => [rnd([3, 5])] },
  ],
  concatenate: [
    { fn: (a, b, c) => node('concatenate', [a, b, c], { axis: 1 }), args: () => [rnd([2, 1]), rnd([2, 3]), rnd([2, 2])] },
    { fn: (a, b) => node('concatenate', [a, b, a], { axis: 0 }), args: () => [rnd([1, 2]), rnd([2, 2])] },
  ],
  pad: [{ fn: (x) => node('pad', [x], { low: [1, 0], high: [2, 3], value: 1.5 }), args: () => [rnd([2, 3])] }],
  gather: [
    { fn: (a, i) => node('gather', [a, i], { axis: 0 }), args: () => [rnd([3, 2]), ints([0, 2, 2, -1, 1], [5])] },
    { fn: (a, i) => node('gather', [a, i], { axis: 1 }), args: () => [rnd([2, 4]), ints([3, 0, 0, 1], [2, 2])] },
  ],
  gatherAxis: [{ fn: (a, i) => node('gatherAxis', [a, i], { axis: 1 }), args: () => [rnd([2, 3]), ints([0, 2, 2, 1, 1, 1, 0, -1], [2, 4])] }],
  scatter: scatterCases('scatter'),
  scatterAxis: scatterCases('scatterAxis'),
  matmul: [
    { fn: (a, b) => node('matmul', [a, b]), args: () => [rnd([2, 3]), rnd([3, 4])] },
    { fn: (a, b) => node('matmul', [a, b]), args: () => [rnd([2, 2, 3]), rnd([2, 3, 2])] },
  ],
  arange: NONE,
  randomBits: NONE,
  compiled: [
    {
      // r2 = x*y; r3 = 2; r4 = exp(r2); r5 = r4*r3; r6 = sin(r5); r7 = x > y; r8 = where(r7, r6, x);
      // r9 = float32(r8); r10 = float64(r9) + r8... the last register is the output.
      fn: (x, y) =>
        node('compiled', [x, y], {
          nInputs: 2,
          name: 'test_program',
          instrs: [
            { op: 'multiply', dtype: f64, args: [0, 1] },
            { op: 'constant', dtype: f64, args: [], value: 0.5 },
            { op: 'exp', dtype: f64, args: [2] },
            { op: 'multiply', dtype: f64, args: [4, 3] },
            { op: 'sin', dtype: f64, args: [5] },
            { op: 'greater', dtype: mx.bool, args: [0, 1] },
            { op: 'where', dtype: f64, args: [7, 6, 0] },
            { op: 'astype', dtype: mx.int32, args: [8] },
            { op: 'astype', dtype: f64, args: [9] },
            { op: 'add', dtype: f64, args: [10, 8] },
            { op: 'multiply', dtype: f64, args: [11, 1] },
          ],
        }),
      args: () => [rnd([2, 3], -1, 1), rnd([2, 3], -1, 1)],
      needsKernel: 'compiled',
    },
  ],
  convolution: [
    {
      fn: (x, w) =>
        node('convolution', [x, w], {
          stride: [2, 1],
          paddingLow: [1, 0],
          paddingHigh: [0, 2],
          kernelDilation: [1, 2],
          inputDilation: [1, 1],
          groups: 2,
          flip: false,
        }),
      args: () => [rnd([2, 5, 4, 4]), rnd([4, 2, 2, 2])],
    },
    {
      fn: (x, w) =>
        node('convolution', [x, w], { stride: [1], paddingLow: [2], paddingHigh: [1], kernelDilation: [1], inputDilation: [2], groups: 1, flip: true }),
      args: () => [rnd([1, 4, 3]), rnd([2, 3, 3])],
    },
  ],
  // The packed codes are a constant (integers have no derivative); x, scales and biases vary.
  quantizedMatmul: [true, false].map((transpose) => {
    const words = [3, 3]; // 3 rows of 32 three-bit codes
    const codes = arrayFromValues(
      Array.from({ length: 9 }, (_, i) => (0x9e3779b9 * (i + 1)) >>> 0),
      words,
      mx.uint32,
    );
    return {
      fn: (x: mx.Array, sc: mx.Array, b: mx.Array) => node('quantizedMatmul', [x, codes, sc, b], { groupSize: 32, bits: 3, transpose }),
      args: () => [rnd([2, transpose ? 32 : 3]), rnd([3, 1]), rnd([3, 1])],
    };
  }),
  rmsNorm: [
    { fn: (x, w) => node('rmsNorm', [x, w], { eps: 1e-5 }), args: () => [rnd([3, 4]), rnd([4])] },
    // One feature per row: the row normalizes to its sign, a flat spot for the derivative.
    { fn: (x, w) => node('rmsNorm', [x, w], { eps: 0.5 }), args: () => [rnd([2, 1, 1]), rnd([1])] },
  ],
  layerNorm: [
    { fn: (x, w, b) => node('layerNorm', [x, w, b], { eps: 1e-5 }), args: () => [rnd([3, 4]), rnd([4]), rnd([4])] },
    { fn: (x, w, b) => node('layerNorm', [x, w, b], { eps: 0.1 }), args: () => [rnd([2, 2, 3]), rnd([3]), rnd([3])] },
  ],
  rope: [
    { fn: (x) => node('rope', [x, ints([2])], { dims: 4, traditional: false, base: 10000, scale: 1, forward: true }), args: () => [rnd([1, 3, 6])] },
    {
      fn: (x) => node('rope', [x, ints([0, 5]), vals([1, 3], [2], mx.float32)], { dims: 4, traditional: true, base: 1, scale: 0.5, forward: false }),
      args: () => [rnd([2, 2, 3, 5])],
      argnums: [0],
    },
  ],
  scaledDotProductAttention: [
    // Grouped queries (4 heads over 2) with an additive mask, which has a derivative too.
    {
      fn: (q, k, v, m) => node('scaledDotProductAttention', [q, k, v, m], { scale: 0.7, causal: false }),
      args: () => [rnd([1, 4, 2, 3]), rnd([1, 2, 3, 3]), rnd([1, 2, 3, 2]), rnd([1, 4, 2, 3])],
    },
    // Causal with more queries than keys: the first query sees no key and averages the values.
    {
      fn: (q, k, v) => node('scaledDotProductAttention', [q, k, v], { scale: 0.5, causal: true }),
      args: () => [rnd([2, 1, 3, 2]), rnd([2, 1, 2, 2]), rnd([2, 1, 2, 3])],
    },
    // A boolean mask (broadcast, stride 0) with one row that keeps nothing.
    {
      fn: (q, k, v) =>
        node('scaledDotProductAttention', [q, k, v, mx.broadcastTo(vals([1, 0, 1, 0, 0, 0], [2, 3], mx.bool), [1, 2, 2, 3])], { scale: 1, causal: false }),
      args: () => [rnd([1, 2, 2, 2]), rnd([1, 1, 3, 2]), rnd([1, 1, 3, 2])],
    },
  ],
  logcumsumexp: [
    ...scan('logcumsumexp', () => rnd([3, 4])),
    // Terms 30 apart: the small ones still get their (tiny) share, nothing overflows.
    { fn: (x) => node('logcumsumexp', [x], { axis: 1, reverse: false, inclusive: true }), args: () => [vals([-30, 0, 30, 1, 2, -2, 40, 0.5], [2, 4])] },
  ],
  view: NONE,
  // mx.linalg, on well-conditioned inputs (test/helpers/linalg.ts); one case per output of a multi-output primitive.
  qr: [0, 1].flatMap((k) =>
    [
      [3, 2],
      [2, 2],
    ].map((shape) => ({ fn: (x: mx.Array) => mx.multiNode('qr', [fullRank(x)], {})[k]!, args: () => [rnd(shape)] })),
  ),
  svd: [0, 1, 2].flatMap((k) =>
    [
      [3, 3],
      [3, 2],
      [2, 3],
    ].map((shape) => ({ fn: (x: mx.Array) => mx.multiNode('svd', [separatedSingular(x)], {})[k]!, args: () => [rnd(shape)] })),
  ),
  inv: [{ fn: (x) => node('inv', [invertible(x)]), args: () => [rnd([2, 3, 3])] }],
  triInv: [false, true].map((upper) => ({ fn: (x: mx.Array) => node('triInv', [invertible(x)], { upper }), args: () => [rnd([3, 3])] })),
  cholesky: [false, true].map((upper) => ({ fn: (x: mx.Array) => node('cholesky', [spd(x)], { upper }), args: () => [rnd([3, 3])] })),
  eigh: (['L', 'U'] as const).flatMap((uplo) =>
    [0, 1].map((k) => ({ fn: (x: mx.Array) => mx.multiNode('eigh', [separatedSymmetric(x)], { uplo })[k]!, args: () => [rnd([3, 3])] })),
  ),
  // No derivative (as MLX): checked in test/linalg.test.ts.
  luFactor: NONE,
  eig: NONE,
  eigvals: NONE,
  // Complex primitives between real arguments and results (re + i im in, parts out). complex64 is
  // float32 inside, so differences take a wide step (the maps are linear) and looser tolerances.
  imag: [{ fn: (a, b) => node('imag', [complexFrom(a, b)]), args: () => [rnd([2, 3]), rnd([2, 3])], ...cx }],
  conjugate: [{ fn: (a, b) => parts(node('conjugate', [complexFrom(a, b)])), args: () => [rnd([2, 3]), rnd([2, 3])], ...cx }],
  fft: [
    {
      fn: (a, b) => parts(node('fft', [complexFrom(a, b)], { axes: [1], n: [5], inverse: false, real: false })),
      args: () => [rnd([2, 5]), rnd([2, 5])],
      ...cx,
    },
    {
      fn: (a, b) => parts(node('fft', [complexFrom(a, b)], { axes: [1, 0], n: [3, 2], inverse: true, real: false })),
      args: () => [rnd([2, 3]), rnd([2, 3])],
      ...cx,
    },
    { fn: (a) => parts(node('fft', [mx.astype(a, mx.float32)], { axes: [0, 1], n: [3, 6], inverse: false, real: true })), args: () => [rnd([3, 6])], ...cx },
    { fn: (a, b) => node('fft', [complexFrom(a, b)], { axes: [1], n: [7], inverse: true, real: true }), args: () => [rnd([2, 4]), rnd([2, 4])], ...cx },
    { fn: (a, b) => node('fft', [complexFrom(a, b)], { axes: [0, 1], n: [2, 6], inverse: true, real: true }), args: () => [rnd([2, 4]), rnd([2, 4])], ...cx },
  ],
};

it('has a case for every primitive', () => {
  for (const p of mx.primitiveNames) expect(cases, `no case for '${p}'`).toHaveProperty(p);
});

for (const backend of mx.listBackends().map((b) => b.name))
  describe(`JVP and VJP rules of every primitive, on the '${backend}' backend`, () => {
    beforeAll(() => mx.useBackend(backend));
    afterAll(() => mx.useBackend(null));

    for (const prim of mx.primitiveNames) {
      const list = cases[prim] ?? [];
      if (list.length === 0) continue;
      describe(prim, () => {
        list.forEach((c, k) => {
          if (c.needsKernel && !mx.getBackendByName(backend).supports(c.needsKernel)) {
            it.skip(`case ${k}: the backend has no '${c.needsKernel}' kernel yet`, () => {});
            return;
          }
          it(`case ${k}: JVP vs finite differences, VJP vs JVP`, () => {
            const args = c.args();
            const tol = {
              ...(c.argnums ? { argnums: c.argnums } : {}),
              ...(c.eps ? { eps: c.eps } : {}),
              ...(c.rtol ? { rtol: c.rtol } : {}),
              ...(c.atol ? { atol: c.atol } : {}),
            };
            checkJvp(c.fn, args, tol);
            checkVjp(c.fn, args, { ...(c.argnums ? { argnums: c.argnums } : {}), ...(c.vjpRtol ? { rtol: c.vjpRtol } : {}) });
          });
          if (!c.firstOrderOnly) {
            it(`case ${k}: second order (the rules differentiated)`, () => {
              const args = c.args();
              const diff = c.argnums ?? args.flatMap((a, i) => (a.dtype.isFloating ? [i] : []));
              const y = c.fn(...args);
              const w = rnd(y.shape.slice());
              // x -> J^T w at x (reverse mode), checked to second order.
              const pullback = (...xs: mx.Array[]) => {
                const full = args.slice();
                diff.forEach((i, j) => (full[i] = xs[j]!));
                const [, vjps] = mx.vjp(
                  (...d: mx.Array[]) => {
                    const a = full.slice();
                    diff.forEach((i, j) => (a[i] = d[j]!));
                    return c.fn(...a);
                  },
                  diff.map((i) => full[i]!),
                  [w],
                );
                return vjps;
              };
              const xs = diff.map((i) => args[i]!);
              checkJvp(pullback as never, xs, { eps: c.eps ?? 1e-6, rtol: 1e-4, atol: 1e-5 });
              checkVjp(pullback as never, xs, c.vjpRtol ? { rtol: c.vjpRtol } : {});
            });
          }
        });
      });
    }
  });

describe('rules of primitives without a floating output, and arguments without a derivative', () => {
  const x = vals([1, 2, NaN, 4], [4]);
  const y = vals([2, 2, 1, 5], [4]);
  const b = vals([1, 0, 1, 0], [4], mx.bool);
  const k = vals([1, 6, 3, 2], [4], mx.int32);
  const zeroRules: [mx.SingleOutputPrimitive, mx.Array[], object][] = [
    ['isnan', [x], {}],
    ['isinf', [x], {}],
    ['logicalNot', [b], {}],
    ['equal', [x, y], {}],
    ['notEqual', [x, y], {}],
    ['greater', [x, y], {}],
    ['greaterEqual', [x, y], {}],
    ['less', [x, y], {}],
    ['lessEqual', [x, y], {}],
    ['logicalAnd', [b, b], {}],
    ['logicalOr', [b, b], {}],
    ['bitwiseInvert', [k], {}],
    ['bitwiseAnd', [k, k], {}],
    ['bitwiseOr', [k, k], {}],
    ['bitwiseXor', [k, k], {}],
    ['leftShift', [k, k], {}],
    ['rightShift', [k, k], {}],
    ['argmax', [x], { axis: 0 }],
    ['argmin', [x], { axis: 0 }],
    ['argsort', [x], { axis: 0 }],
  ];
  for (const [prim, ins, params] of zeroRules) {
    it(`${prim}: zero tangent and zero cotangents`, () => {
      const out = node(prim, ins, params);
      const t = (mx.jvpRules[prim] as mx.JvpRule<unknown>)(
        ins,
        ins.map((a) => a),
        params,
        out,
      );
      expect(t.shape).toEqual(out.shape);
      expect(t.dtype).toBe(out.dtype);
      expect((mx.reshape(mx.astype(t, mx.float64), [-1]).tolist() as number[]).every((v) => v === 0)).toBe(true);
      const cts = (mx.vjpRules[prim] as mx.VjpRule<unknown>)(
        ins,
        mx.zerosLike(out),
        ins.map((_, i) => i),
        params,
        out,
      );
      expect(cts.length).toBe(ins.length);
      cts.forEach((c, i) => {
        expect(c.shape).toEqual(ins[i]!.shape);
        expect((mx.reshape(mx.astype(c, mx.float64), [-1]).tolist() as number[]).every((v) => v === 0)).toBe(true);
      });
    });
  }

  it('stopGradient: zero tangent and cotangent, identity value', () => {
    const x = vals([0.5, -1, 2], [3]);
    const f = (a: mx.Array) => mx.sum(mx.multiply(node('stopGradient', [a]), a));
    expect(mx.grad(f)(x).tolist()).toEqual([0.5, -1, 2]);
    const [[y], [t]] = mx.jvp((a: mx.Array) => mx.multiply(node('stopGradient', [a]), a), [x], [vals([1, 1, 1], [3])]);
    expect(y.tolist()).toEqual([0.25, 1, 4]);
    expect(t.tolist()).toEqual([0.5, -1, 2]);
    checkVjp((a: mx.Array) => mx.multiply(node('stopGradient', [mx.exp(a)]), mx.sin(a)), [x]);
    expect(
      mx
        .grad((a: mx.Array) => mx.sum(mx.stopGradient(a)))(x)
        .tolist(),
    ).toEqual([0, 0, 0]);
  });

  it('arange: no inputs, zero tangent', () => {
    const p = { start: 0, step: 1, n: 3, dtype: f64 };
    const out = node('arange', [], p);
    expect(mx.jvpRules.arange([], [], p, out).tolist()).toEqual([0, 0, 0]);
    expect(mx.vjpRules.arange([], out, [], p, out)).toEqual([]);
  });

  it('view: no derivative (a bit cast), as in MLX', () => {
    const x = vals([1, 2], [2], mx.float32);
    const p = { dtype: mx.int32 };
    const out = node('view', [x], p);
    expect(() => mx.jvpRules.view([x], [x], p, out)).toThrow(/view: has no JVP/);
    expect(() => mx.vjpRules.view([x], out, [0], p, out)).toThrow(/view: has no VJP/);
  });

  it('randomBits: no derivative with respect to the key', () => {
    const key = mx.random.key(0);
    const p = { shape: [2] };
    const out = node('randomBits', [key], p);
    expect(mx.jvpRules.randomBits([key], [null], p, out).tolist()).toEqual([0, 0]);
    expect(() => mx.vjpRules.randomBits([key], out, [0], p, out)).toThrow(/randomBits.*key.*stopGradient/);
  });

  it('gather, gatherAxis, scatter, scatterAxis: no derivative with respect to the indices', () => {
    const a = vals([1, 2, 3], [3]);
    const i = ints([0, 2]);
    const g = node('gather', [a, i], { axis: 0 });
    expect(() => mx.vjpRules.gather([a, i], g, [1], { axis: 0 }, g)).toThrow(/gather.*indices.*stopGradient/);
    const ga = node('gatherAxis', [a, i], { axis: 0 });
    expect(() => mx.vjpRules.gatherAxis([a, i], ga, [1], { axis: 0 }, ga)).toThrow(/gatherAxis.*indices.*stopGradient/);
    const u = vals([5, 6], [2]);
    for (const prim of ['scatter', 'scatterAxis'] as const) {
      for (const mode of ['set', 'add', 'multiply', 'maximum', 'minimum'] as const) {
        const s = node(prim, [a, i, u], { axis: 0, mode });
        expect(() => mx.vjpRules[prim]([a, i, u], s, [1], { axis: 0, mode }, s)).toThrow(new RegExp(`${prim}.*indices.*stopGradient`));
        // The other two arguments are fine.
        expect(mx.vjpRules[prim]([a, i, u], s, [0, 2], { axis: 0, mode }, s).map((c) => c.shape)).toEqual([[3], [2]]);
      }
    }
  });

  it('gradients flow around integer indices computed from the input (they are constants)', () => {
    // x[argmax(x)]: the index is an integer path, so only the gathered element gets a gradient.
    const f = (x: mx.Array) => mx.sum(node('gather', [x, mx.reshape(mx.argmax(x), [1])], { axis: 0 }));
    expect(
      mx
        .grad(f)(vals([1, 3, 2], [3]))
        .tolist(),
    ).toEqual([0, 1, 0]);
  });
});
