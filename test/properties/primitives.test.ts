/**
 * Runs the property kit over every primitive of the IR: a table maps each primitive to a small
 * function that builds one node of it (with `mx.node`, so the check is about the primitive and
 * its rules, not an op's decomposition) and to the domain its inputs are drawn from. The test
 * enumerates `primitiveNames`, so a primitive added to the IR without a case here fails.
 *
 * Checks per case: vmap against a loop of unbatched calls on every in/out axis (every dtype the
 * kernel contract allows); JVP against central finite differences and VJP against JVP, both in
 * float64, on the floating arguments. Each runs with every registered backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as mx from 'mlx-ts/internals';
import { arrayFromValues, arrays, axes, axisSets, checkPrimitive, dtypes, fc, indices, type PropertyCase, shapes } from '@mlx-ts/testing';
import { eigenvaluePowerSums, eigInvariants, fullRank, invertible, separatedGeneral, separatedSingular, separatedSymmetric, spd } from '../helpers/linalg.js';
import { complexFrom, parts } from '../helpers/complex.js';

type Dt = mx.Dtype;
type Case = PropertyCase<any>;

/** Runs per check; MLX_TS_PROPERTY_RUNS raises it for a longer hunt. */
const NUM_RUNS = Number(process.env.MLX_TS_PROPERTY_RUNS ?? 8);

const floatDt = dtypes({ kinds: ['float'] });
const numericDt = dtypes({ exclude: ['bool'] });
const signedDt = dtypes({ kinds: ['float', 'int'] });
const intDt = dtypes({ kinds: ['int', 'uint'] });
const anyDt = dtypes();
const boolDt = fc.constant(mx.bool);
const f32 = fc.constant(mx.float32);

const solo = { group: 0, rank: 0, size: 1 };
const node = (prim: mx.SingleOutputPrimitive, inputs: mx.Array[], params: object = {}) => mx.node(prim, inputs, params as never);
const nearInteger = (v: number) => Math.abs(v - Math.round(v)) < 0.02;
const nearHalf = (v: number) => Math.abs(Math.abs(v - Math.floor(v)) - 0.5) < 0.02;
const nearZero = (r: number) => (v: number) => Math.abs(v) < r;

interface Domain {
  min?: number;
  max?: number;
  exclude?: (v: number) => boolean;
  distinct?: boolean;
}

/** One array input of `s.shape`/`s.dtype` in `d`. */
const arg = (shape: readonly number[], dtype: Dt, d: Domain = {}) => arrays({ shape, dtype, ...d });

/** A domain, or one per dtype. */
type DomainOf = Domain | ((dt: Dt) => Domain);
const domainOf = (d: DomainOf, dt: Dt): Domain => (typeof d === 'function' ? d(dt) : d);
/** Exclusions that only make sense for floating values (integers would all be excluded). */
const distinctFloats = (dt: Dt): Domain => (dt.isFloating ? { distinct: true } : {});
const floatsOnly =
  (exclude: (v: number) => boolean) =>
  (dt: Dt): Domain =>
    dt.isFloating ? { exclude } : {};

function unary(prim: mx.SingleOutputPrimitive, dtype: fc.Arbitrary<Dt>, d: DomainOf = {}, extra: Partial<Case> = {}): Case {
  return {
    primitive: prim,
    setup: fc.record({ shape: shapes(), dtype }),
    gradSetup: fc.record({ shape: shapes(), dtype: f32 }),
    args: (s) => fc.tuple(arg(s.shape, s.dtype, domainOf(d, s.dtype))),
    fn: () => (x) => node(prim, [x]),
    ...extra,
  };
}

/** Inputs with NaN and infinities among ordinary values, for isnan/isinf. */
function special(shape: readonly number[], dtype: Dt): fc.Arbitrary<mx.Array> {
  const n = shape.reduce((p, q) => p * q, 1);
  const v = dtype.isFloating ? fc.constantFrom(NaN, Infinity, -Infinity, 0, 1.5, -2) : fc.integer({ min: 0, max: 5 });
  return fc.array(v, { minLength: n, maxLength: n }).map((vals) => arrayFromValues(vals, shape, dtype));
}

function binary(prim: mx.Primitive, dtype: fc.Arbitrary<Dt>, da: Domain = {}, db: Domain = {}, extra: Partial<Case> = {}): Case {
  return {
    primitive: prim,
    setup: fc.record({ shape: shapes(), dtype }),
    gradSetup: fc.record({ shape: shapes(), dtype: f32 }),
    args: (s) => fc.tuple(arg(s.shape, s.dtype, da), arg(s.shape, s.dtype, db)),
    fn: () => (a, b) => node(prim as mx.SingleOutputPrimitive, [a!, b!]),
    ...extra,
  };
}

/** A binary primitive of the integer family: integer dtypes, counts in `counts` for the shifts. */
function integerBinary(prim: mx.BinaryInteger, counts: Domain = {}): Case {
  const setup = fc.record({ shape: shapes(), dtype: intDt });
  return binary(
    prim,
    intDt,
    {},
    {},
    {
      gradSetup: setup,
      args: (s) => fc.tuple(arg(s.shape, s.dtype), arg(s.shape, s.dtype, s.dtype.kind === 'uint' ? { ...counts, min: 0 } : counts)),
    },
  );
}

/** A shape of at least one dimension and one of its axes. */
const shapeAxis = (dtype: fc.Arbitrary<Dt>) =>
  shapes({ minDims: 1 }).chain((shape) => fc.record({ shape: fc.constant(shape), axis: axes(shape.length), dtype }));

function reduction(prim: mx.SingleOutputPrimitive, dtype: fc.Arbitrary<Dt>, d: DomainOf = {}): Case {
  const setup = (dt: fc.Arbitrary<Dt>) => shapes().chain((shape) => fc.record({ shape: fc.constant(shape), axes: axisSets(shape.length), dtype: dt }));
  return {
    primitive: prim,
    setup: setup(dtype),
    gradSetup: setup(f32),
    args: (s) => fc.tuple(arg(s.shape, s.dtype, domainOf(d, s.dtype))),
    fn: (s) => (x) => node(prim, [x], { axes: s.axes }),
  };
}

function axisPrim(prim: mx.SingleOutputPrimitive, dtype: fc.Arbitrary<Dt>, d: DomainOf = {}, params: (s: any) => object = (s) => ({ axis: s.axis })): Case {
  return {
    primitive: prim,
    setup: shapeAxis(dtype).chain((s) => fc.record({ reverse: fc.boolean(), inclusive: fc.boolean() }).map((r) => ({ ...s, ...r }))),
    gradSetup: shapeAxis(f32).chain((s) => fc.record({ reverse: fc.boolean(), inclusive: fc.boolean() }).map((r) => ({ ...s, ...r }))),
    args: (s) => fc.tuple(arg(s.shape, s.dtype, domainOf(d, s.dtype))),
    fn: (s) => (x) => node(prim, [x], params(s)),
  };
}
const scanParams = (s: any) => ({ axis: s.axis, reverse: s.reverse, inclusive: s.inclusive });

/** A normalized slice of `shape`: per axis a start in range, a nonzero step, and the count it reaches. */
function sliceOf(shape: readonly number[]) {
  return fc
    .tuple(
      ...shape.map((n) =>
        fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.constantFrom(1, 2, -1, -2)).chain(([start, step]) => {
          const most = step > 0 ? Math.ceil((n - start) / step) : Math.floor(start / -step) + 1;
          return fc.integer({ min: 1, max: most }).map((size) => [start, step, size] as const);
        }),
      ),
    )
    .map((dims) => ({ start: dims.map((d) => d[0]), step: dims.map((d) => d[1]), shape: dims.map((d) => d[2]) }));
}

/** gather: operand shape, axis, index shape. */
const gatherSetup = (dtype: fc.Arbitrary<Dt>) =>
  shapeAxis(dtype).chain((s) => fc.record({ idxShape: shapes({ maxDims: 2 }), idxDtype: intDt }).map((r) => ({ ...s, ...r })));
/** gatherAxis: operand shape, axis, and the index's length along it. */
const alongSetup = (dtype: fc.Arbitrary<Dt>) =>
  shapeAxis(dtype).chain((s) => fc.record({ m: fc.integer({ min: 1, max: 4 }), idxDtype: intDt }).map((r) => ({ ...s, ...r })));
const alongShape = (s: any) => s.shape.map((d: number, i: number) => (i === s.axis ? s.m : d));
const gatherOutShape = (s: any) => [...s.shape.slice(0, s.axis), ...s.idxShape, ...s.shape.slice(s.axis + 1)];
const modes = fc.constantFrom<mx.ScatterMode>('set', 'add', 'multiply', 'maximum', 'minimum');

/**
 * A small random convolution: 1 to 3 spatial axes, strides, padding (low and high apart),
 * kernel and input dilation, groups and flip, kept to outputs of at least one element.
 */
const convSetup = (dtype: fc.Arbitrary<Dt>) =>
  fc.integer({ min: 1, max: 3 }).chain((nsp) => {
    const side = nsp === 3 ? 3 : 4;
    const per = (min: number, max: number) => fc.array(fc.integer({ min, max }), { minLength: nsp, maxLength: nsp });
    return fc
      .record({
        n: fc.integer({ min: 1, max: 2 }),
        groups: fc.integer({ min: 1, max: 2 }),
        cinG: fc.integer({ min: 1, max: 2 }),
        coutG: fc.integer({ min: 1, max: 2 }),
        spatial: per(1, side),
        kernel: per(1, 3),
        stride: per(1, 2),
        paddingLow: per(0, 2),
        paddingHigh: per(0, 2),
        kernelDilation: per(1, 2),
        inputDilation: per(1, 2),
        flip: fc.boolean(),
        dtype,
      })
      .filter((r) => mx.convOutputSpatial([r.n, ...r.spatial, 0], [0, ...r.kernel, 0], r).every((o) => o >= 1));
  });
const convParams = (s: any): mx.ConvolutionParams => ({
  stride: s.stride,
  paddingLow: s.paddingLow,
  paddingHigh: s.paddingHigh,
  kernelDilation: s.kernelDilation,
  inputDilation: s.inputDilation,
  groups: s.groups,
  flip: s.flip,
});

/** Shapes of one dtype that agree except along `axis`, for concatenate. */
const concatSetup = (dtype: fc.Arbitrary<Dt>) =>
  shapeAxis(dtype).chain((s) => fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }).map((sizes) => ({ ...s, sizes })));

/** A small quantized product: every width, one or two groups of 32, both orientations, x of 1 or 2 leading axes. */
const qmmSetup = (dtype: fc.Arbitrary<Dt>) =>
  fc.record({
    lead: shapes({ minDims: 1, maxDims: 2, maxSide: 2 }),
    outer: fc.integer({ min: 1, max: 3 }),
    groups: fc.integer({ min: 1, max: 2 }),
    bits: fc.constantFrom(2, 3, 4, 5, 6, 8),
    transpose: fc.boolean(),
    dtype,
  });
/** [rows, cols] of the stored matrix: rows is w's first axis, cols the codes per row. */
const qmmDims = (s: { outer: number; groups: number }): [number, number] => [s.outer, s.groups * 32];

const matmulSetup = (dtype: fc.Arbitrary<Dt>) =>
  fc.record({
    batch: shapes({ maxDims: 1, maxSide: 3 }),
    m: fc.integer({ min: 1, max: 3 }),
    k: fc.integer({ min: 1, max: 3 }),
    n: fc.integer({ min: 1, max: 3 }),
    dtype,
  });

const broadcastSetup = (dtype: fc.Arbitrary<Dt>) =>
  shapes({ maxDims: 3 }).chain((target) =>
    fc
      .tuple(fc.integer({ min: 0, max: target.length }), fc.array(fc.boolean(), { minLength: target.length, maxLength: target.length }), dtype)
      .map(([drop, ones, dt]) => ({ target, shape: target.map((d, i) => (ones[i] ? 1 : d)).slice(drop), dtype: dt })),
  );

const reshapeSetup = (dtype: fc.Arbitrary<Dt>) =>
  shapes().chain((shape) => {
    const n = shape.reduce((p, q) => p * q, 1);
    const targets = [[n], [1, n], shape.slice().reverse(), [...shape, 1], n % 2 === 0 ? [2, n / 2] : [n, 1]];
    return fc.record({ shape: fc.constant(shape), target: fc.constantFrom(...targets), dtype });
  });

const transposeSetup = (dtype: fc.Arbitrary<Dt>) =>
  shapes().chain((shape) => {
    const all = [...Array(shape.length).keys()];
    return fc.record({ shape: fc.constant(shape), perm: fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }), dtype });
  });

const padSetup = (dtype: fc.Arbitrary<Dt>) =>
  shapes().chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      low: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: shape.length, maxLength: shape.length }),
      high: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: shape.length, maxLength: shape.length }),
      value: fc.constantFrom(0, 1, -2),
      dtype,
    }),
  );

/** One case per primitive of a family. */
const each = <P extends string>(prims: readonly P[], make: (p: P) => Case) => Object.fromEntries(prims.map((p) => [p, make(p)])) as Record<P, Case>;

/** Domains of the float-only unary primitives; their dtypes come from core's family. */
const floatDomains: { readonly [P in mx.UnaryFloat]: Domain } = {
  exp: {},
  log: { min: 0.1 },
  log1p: { min: -0.9 },
  expm1: {},
  sin: {},
  cos: {},
  tan: { min: -1.3, max: 1.3 },
  tanh: {},
  sinh: {},
  cosh: {},
  arcsin: { min: -0.9, max: 0.9 },
  arccos: { min: -0.9, max: 0.9 },
  arctan: {},
  arcsinh: {},
  arccosh: { min: 1.1 },
  arctanh: { min: -0.9, max: 0.9 },
  sqrt: { min: 0.1 },
  rsqrt: { min: 0.1 },
  sigmoid: {},
  erf: {},
  erfinv: { min: -0.9, max: 0.9 },
};

const U32 = 0xffffffff;

/** Rows of up to 4 features with their [D] weight (and bias); eps large enough to keep the derivatives tame. */
const normSetup = (dtype: fc.Arbitrary<Dt>) =>
  fc.record({ lead: shapes({ maxDims: 2, maxSide: 3 }), d: fc.integer({ min: 1, max: 4 }), eps: fc.constantFrom(0.1, 1), dtype });
const normCase = (prim: 'rmsNorm' | 'layerNorm'): Case => ({
  primitive: prim,
  setup: normSetup(floatDt),
  gradSetup: normSetup(f32),
  args: (s) => fc.tuple(arg([...s.lead, s.d], s.dtype, { min: -2, max: 2 }), ...(prim === 'layerNorm' ? [0, 1] : [0]).map(() => arg([s.d], s.dtype))),
  fn:
    (s) =>
    (x, ...affine) =>
      node(prim, [x!, ...affine], { eps: s.eps }),
});

/** x [B, H?, T, D], the offset (a scalar or one per batch row), and optionally freqs. */
const ropeSetup = (dtype: fc.Arbitrary<Dt>) =>
  fc.record({
    lead: fc.tuple(fc.integer({ min: 1, max: 2 }), shapes({ maxDims: 1, maxSide: 2 }), fc.integer({ min: 1, max: 3 })),
    half: fc.integer({ min: 1, max: 2 }),
    rest: fc.integer({ min: 0, max: 2 }),
    traditional: fc.boolean(),
    forward: fc.boolean(),
    perRow: fc.boolean(),
    freqs: fc.boolean(),
    base: fc.constantFrom(10000, 10),
    scale: fc.constantFrom(1, 0.5),
    dtype,
  });
const ropeShape = (s: any): number[] => [s.lead[0], ...s.lead[1], s.lead[2], 2 * s.half + s.rest];

/** One fft node: complex forward or inverse over some axes, rfft, or irfft (odd or even length). */
const fftSetup = shapes({ minDims: 1, maxDims: 3 }).chain((shape) =>
  fc.record({
    shape: fc.constant(shape),
    dtype: f32,
    kind: fc.constantFrom('complex', 'inverse', 'rfft', 'irfft'),
    axes: fc
      .subarray(
        shape.map((_, i) => i),
        { minLength: 1 },
      )
      .chain((ax) => fc.shuffledSubarray(ax, { minLength: ax.length })),
    odd: fc.boolean(),
  }),
);
function fftCase(s: { shape: number[]; kind: string; axes: number[]; odd: boolean }, a: mx.Array, b: mx.Array): mx.Array {
  const last = s.axes[s.axes.length - 1]!;
  const n = s.axes.map((ax) => s.shape[ax]!);
  if (s.kind === 'rfft') return parts(node('fft', [mx.astype(a, mx.float32)], { axes: s.axes, n, inverse: false, real: true }));
  const z = complexFrom(a, b);
  if (s.kind !== 'irfft') return parts(node('fft', [z], { axes: s.axes, n, inverse: s.kind === 'inverse', real: false }));
  const m = s.shape[last]!;
  n[n.length - 1] = s.odd || m === 1 ? 2 * m - 1 : 2 * m - 2;
  return node('fft', [z], { axes: s.axes, n, inverse: true, real: true });
}

export const cases: { [P in mx.Primitive]: Case } = {
  // Unary, every dtype the contract allows.
  abs: unary('abs', numericDt, { exclude: nearZero(0.02) }),
  negative: unary('negative', numericDt),
  sign: unary('sign', numericDt, { exclude: nearZero(0.02) }),
  square: unary('square', numericDt),
  floor: unary('floor', numericDt, floatsOnly(nearInteger)),
  ceil: unary('ceil', numericDt, floatsOnly(nearInteger)),
  round: unary('round', numericDt, floatsOnly(nearHalf)),
  // Unary float math (core's unaryFloat family): floating dtypes, each on its domain.
  ...each(mx.unaryFloat, (p) => unary(p, floatDt, floatDomains[p])),
  // Predicates: bool outputs (no derivative to check; vmap over every dtype, with NaN and infinities).
  isnan: { ...unary('isnan', anyDt), args: (s) => fc.tuple(special(s.shape, s.dtype)) },
  isinf: { ...unary('isinf', anyDt), args: (s) => fc.tuple(special(s.shape, s.dtype)) },
  logicalNot: unary('logicalNot', boolDt),
  // The integer family: integer dtypes only; no derivative (the derivative checks see no floating argument).
  bitwiseInvert: { ...unary('bitwiseInvert', intDt), gradSetup: fc.record({ shape: shapes(), dtype: intDt }) },

  add: binary('add', anyDt),
  subtract: binary('subtract', numericDt),
  multiply: binary('multiply', anyDt),
  power: binary(
    'power',
    signedDt,
    { min: 0.5 },
    { min: -2, max: 2 },
    {
      // Integer powers: no negative exponents (0 except for bases 1 and -1), small values.
      args: (s) =>
        fc.tuple(
          arg(s.shape, s.dtype, s.dtype.isFloating ? { min: 0.5 } : { min: -3, max: 3 }),
          arg(s.shape, s.dtype, s.dtype.isFloating ? { min: -2, max: 2 } : { min: 0, max: 3 }),
        ),
    },
  ),
  // Binary float math (core's binaryFloat family): floating dtypes, divisors away from zero.
  ...each(mx.binaryFloat, (p) => binary(p, floatDt, {}, { exclude: nearZero(0.3) })),
  maximum: binary('maximum', anyDt),
  minimum: binary('minimum', anyDt),
  floorDivide: binary('floorDivide', numericDt, {}, { exclude: nearZero(0.5) }),
  remainder: binary('remainder', numericDt, {}, { exclude: nearZero(0.5) }),
  divmod: binary('divmod', numericDt, {}, { exclude: nearZero(0.5) }, { fn: () => (a, b) => mx.multiNode('divmod', [a!, b!], {}) }),

  equal: binary('equal', anyDt),
  notEqual: binary('notEqual', anyDt),
  greater: binary('greater', anyDt),
  greaterEqual: binary('greaterEqual', anyDt),
  less: binary('less', anyDt),
  lessEqual: binary('lessEqual', anyDt),
  logicalAnd: binary('logicalAnd', boolDt),
  logicalOr: binary('logicalOr', boolDt),
  bitwiseAnd: integerBinary('bitwiseAnd'),
  bitwiseOr: integerBinary('bitwiseOr'),
  bitwiseXor: integerBinary('bitwiseXor'),
  leftShift: integerBinary('leftShift', { min: -2, max: 70 }),
  rightShift: integerBinary('rightShift', { min: -2, max: 70 }),

  sum: reduction('sum', numericDt),
  prod: reduction('prod', numericDt, { min: -2, max: 2 }),
  max: reduction('max', numericDt, distinctFloats),
  min: reduction('min', numericDt, distinctFloats),
  argmax: axisPrim('argmax', numericDt),
  argmin: axisPrim('argmin', numericDt),
  cumsum: axisPrim('cumsum', numericDt, {}, scanParams),
  cumprod: axisPrim('cumprod', numericDt, { min: -2, max: 2 }, scanParams),
  cummax: axisPrim('cummax', numericDt, distinctFloats, scanParams),
  cummin: axisPrim('cummin', numericDt, distinctFloats, scanParams),
  sort: axisPrim('sort', numericDt, distinctFloats),
  argsort: axisPrim('argsort', numericDt, distinctFloats),
  topk: {
    primitive: 'topk',
    setup: shapes({ minDims: 1 }).chain((shape) =>
      fc.record({ shape: fc.constant(shape), k: fc.integer({ min: 0, max: shape[shape.length - 1]! }), dtype: numericDt }),
    ),
    gradSetup: shapes({ minDims: 1 }).chain((shape) =>
      fc.record({ shape: fc.constant(shape), k: fc.integer({ min: 0, max: shape[shape.length - 1]! }), dtype: f32 }),
    ),
    args: (s) => fc.tuple(arg(s.shape, s.dtype, distinctFloats(s.dtype))),
    fn: (s) => (x) => mx.multiNode('topk', [x], { k: s.k }),
  },
  // Over the group of this one process, where each is the identity (test/distributed.test.ts runs them over MPI).
  allReduce: {
    primitive: 'allReduce',
    setup: fc.record({ shape: shapes(), dtype: anyDt, reduce: fc.constantFrom('sum' as const, 'max' as const, 'min' as const) }),
    gradSetup: fc.record({ shape: shapes(), dtype: f32, reduce: fc.constantFrom('sum' as const, 'max' as const, 'min' as const) }),
    args: (s) => fc.tuple(arg(s.shape, s.dtype)),
    fn: (s) => (x) => node('allReduce', [x], { ...solo, reduce: s.reduce }),
  },
  allGather: {
    primitive: 'allGather',
    setup: fc.record({ shape: shapes(), dtype: anyDt }),
    gradSetup: fc.record({ shape: shapes(), dtype: f32 }),
    args: (s) => fc.tuple(arg(s.shape, s.dtype)),
    fn: () => (x) => node('allGather', [x], solo),
  },
  // A message has no derivative.
  send: {
    primitive: 'send',
    setup: fc.record({ shape: shapes(), dtype: anyDt }),
    args: (s) => fc.tuple(arg(s.shape, s.dtype)),
    fn: () => (x) => node('send', [x], { ...solo, dst: 0 }),
    skip: ['jvp', 'vjp'],
  },
  // An empty message (all a group of one can receive), concatenated to x.
  recv: {
    primitive: 'recv',
    setup: fc.record({ shape: shapes({ minDims: 1 }), dtype: anyDt }),
    gradSetup: fc.record({ shape: shapes({ minDims: 1 }), dtype: f32 }),
    args: (s) => fc.tuple(arg(s.shape, s.dtype)),
    fn: () => (x) => node('concatenate', [x, node('recv', [], { ...solo, src: 0, shape: [0, ...x.shape.slice(1)], dtype: x.dtype })], { axis: 0 }),
  },
  softmax: axisPrim('softmax', floatDt, { min: -4, max: 4 }),
  logsumexp: axisPrim('logsumexp', floatDt, { min: -4, max: 4 }),

  astype: {
    primitive: 'astype',
    setup: fc.record({ shape: shapes(), dtype: anyDt, to: anyDt }),
    // Float64 out, so that finite differences are not rounded away.
    gradSetup: fc.record({ shape: shapes(), dtype: f32, to: fc.constant(mx.float64) }),
    args: (s) => fc.tuple(arg(s.shape, s.dtype)),
    fn: (s) => (x) => node('astype', [x], { dtype: s.to }),
  },
  // Its JVP is zero by definition, unlike finite differences; VJP against JVP still holds.
  stopGradient: unary('stopGradient', anyDt, {}, { finiteDifferences: false }),
  where: {
    primitive: 'where',
    setup: fc.record({ shape: shapes(), dtype: anyDt }),
    gradSetup: fc.record({ shape: shapes(), dtype: f32 }),
    args: (s) => fc.tuple(arg(s.shape, mx.bool), arg(s.shape, s.dtype), arg(s.shape, s.dtype)),
    fn: () => (c, a, b) => node('where', [c!, a!, b!]),
  },

  reshape: {
    primitive: 'reshape',
    setup: reshapeSetup(anyDt),
    gradSetup: reshapeSetup(f32),
    args: (s) => fc.tuple(arg(s.shape, s.dtype)),
    fn: (s) => (x) => node('reshape', [x], { shape: s.target }),
  },
  transpose: {
    primitive: 'transpose',
    setup: transposeSetup(anyDt),
    gradSetup: transposeSetup(f32),
    args: (s) => fc.tuple(arg(s.shape, s.dtype)),
    fn: (s) => (x) => node('transpose', [x], { perm: s.perm }),
  },
  broadcastTo: {
    primitive: 'broadcastTo',
    setup: broadcastSetup(anyDt),
    gradSetup: broadcastSetup(f32),
    args: (s) => fc.tuple(arg(s.shape, s.dtype)),
    fn: (s) => (x) => node('broadcastTo', [x], { shape: s.target }),
  },
  slice: {
    primitive: 'slice',
    setup: shapes({ minDims: 1 }).chain((shape) => fc.record({ shape: fc.constant(shape), sl: sliceOf(shape), dtype: anyDt })),
    gradSetup: shapes({ minDims: 1 }).chain((shape) => fc.record({ shape: fc.constant(shape), sl: sliceOf(shape), dtype: f32 })),
    args: (s) => fc.tuple(arg(s.shape, s.dtype)),
    fn: (s) => (x) => node('slice', [x], s.sl),
  },
  concatenate: {
    primitive: 'concatenate',
    setup: concatSetup(anyDt),
    gradSetup: concatSetup(f32),
    args: (s) =>
      fc.tuple(
        ...(s.sizes as number[]).map((m) =>
          arg(
            s.shape.map((d: number, i: number) => (i === s.axis ? m : d)),
            s.dtype,
          ),
        ),
      ),
    fn:
      (s) =>
      (...xs) =>
        node('concatenate', xs, { axis: s.axis }),
  },
  pad: {
    primitive: 'pad',
    setup: padSetup(anyDt),
    gradSetup: padSetup(f32),
    args: (s) => fc.tuple(arg(s.shape, s.dtype)),
    fn: (s) => (x) => node('pad', [x], { low: s.low, high: s.high, value: s.value }),
  },

  gather: {
    primitive: 'gather',
    setup: gatherSetup(anyDt),
    gradSetup: gatherSetup(f32),
    argnums: [0],
    args: (s) => fc.tuple(arg(s.shape, s.dtype), indices(s.idxShape, s.shape[s.axis], { dtype: s.idxDtype, outOfRange: true })),
    fn: (s) => (a, i) => node('gather', [a!, i!], { axis: s.axis }),
  },
  gatherAxis: {
    primitive: 'gatherAxis',
    setup: alongSetup(anyDt),
    gradSetup: alongSetup(f32),
    argnums: [0],
    args: (s) => fc.tuple(arg(s.shape, s.dtype), indices(alongShape(s), s.shape[s.axis], { dtype: s.idxDtype, outOfRange: true })),
    fn: (s) => (a, i) => node('gatherAxis', [a!, i!], { axis: s.axis }),
  },
  scatter: {
    primitive: 'scatter',
    setup: gatherSetup(numericDt).chain((s) => modes.map((mode) => ({ ...s, mode }))),
    gradSetup: gatherSetup(f32).chain((s) => modes.map((mode) => ({ ...s, mode }))),
    argnums: [0, 2],
    args: (s) =>
      fc.tuple(arg(s.shape, s.dtype), indices(s.idxShape, s.shape[s.axis], { dtype: s.idxDtype, outOfRange: true }), arg(gatherOutShape(s), s.dtype)),
    fn: (s) => (a, i, u) => node('scatter', [a!, i!, u!], { axis: s.axis, mode: s.mode }),
  },
  scatterAxis: {
    primitive: 'scatterAxis',
    setup: alongSetup(numericDt).chain((s) => modes.map((mode) => ({ ...s, mode }))),
    gradSetup: alongSetup(f32).chain((s) => modes.map((mode) => ({ ...s, mode }))),
    argnums: [0, 2],
    args: (s) => fc.tuple(arg(s.shape, s.dtype), indices(alongShape(s), s.shape[s.axis], { dtype: s.idxDtype, outOfRange: true }), arg(alongShape(s), s.dtype)),
    fn: (s) => (a, i, u) => node('scatterAxis', [a!, i!, u!], { axis: s.axis, mode: s.mode }),
  },
  quantizedMatmul: {
    primitive: 'quantizedMatmul',
    setup: qmmSetup(floatDt),
    gradSetup: qmmSetup(f32),
    argnums: [0, 2, 3],
    args: (s) => {
      const [rows, cols] = qmmDims(s);
      const k = s.transpose ? cols : rows;
      const words = (cols * s.bits) / 32;
      return fc.tuple(
        arg([...s.lead, k], s.dtype),
        fc
          .array(fc.integer({ min: 0, max: U32 }), { minLength: rows * words, maxLength: rows * words })
          .map((v) => arrayFromValues(v, [rows, words], mx.uint32)),
        arg([rows, cols / 32], s.dtype, { min: -0.5, max: 0.5 }),
        arg([rows, cols / 32], s.dtype),
      );
    },
    // float16/bfloat16 outputs round once per sum, which vmap's dense fallback groups differently.
    vmapTolerance: { rtol: 3e-2, atol: 3e-1 },
    fn: (s) => (x, w, sc, b) => node('quantizedMatmul', [x!, w!, sc!, b!], { groupSize: 32, bits: s.bits, transpose: s.transpose }),
  },
  matmul: {
    primitive: 'matmul',
    setup: matmulSetup(floatDt),
    gradSetup: matmulSetup(f32),
    args: (s) => fc.tuple(arg([...s.batch, s.m, s.k], s.dtype), arg([...s.batch, s.k, s.n], s.dtype)),
    // float16/bfloat16 products round differently when batched rows are folded together.
    vmapTolerance: { rtol: 2e-2, atol: 2e-2 },
    fn: () => (a, b) => node('matmul', [a!, b!]),
  },
  // No array inputs: under vmap it is a constant next to the mapped argument it is added to.
  arange: {
    primitive: 'arange',
    setup: fc.record({ n: fc.integer({ min: 1, max: 5 }), start: fc.constantFrom(0, -1.5, 2), step: fc.constantFrom(1, 0.5, -2), dtype: floatDt }),
    gradSetup: fc.record({ n: fc.integer({ min: 1, max: 5 }), start: fc.constantFrom(0, -1.5, 2), step: fc.constantFrom(1, 0.5, -2), dtype: f32 }),
    args: (s) => fc.tuple(arg([s.n], s.dtype)),
    fn: (s) => (x) => node('add', [x, node('arange', [], { start: s.start, step: s.step, n: s.n, dtype: x.dtype })]),
  },
  // A key per batch entry: under vmap, one draw per key.
  randomBits: {
    primitive: 'randomBits',
    setup: fc.record({ shape: shapes({ maxDims: 2 }) }),
    args: () => fc.tuple(fc.tuple(fc.integer({ min: 0, max: U32 }), fc.integer({ min: 0, max: U32 })).map((k) => arrayFromValues(k, [2], mx.uint32))),
    fn: (s) => (k) => node('randomBits', [k], { shape: s.shape }),
  },
  // compile's fused elementwise program: sin(a) * b + 0.5 where a > b, else b.
  compiled: {
    primitive: 'compiled',
    setup: fc.record({ shape: shapes(), dtype: floatDt }),
    gradSetup: fc.record({ shape: shapes(), dtype: f32 }),
    args: (s) => fc.tuple(arg(s.shape, s.dtype), arg(s.shape, s.dtype)),
    fn: () => (a, b) => node('compiled', [a!, b!], fusedProgram(a!.dtype)),
  },
  convolution: {
    primitive: 'convolution',
    setup: convSetup(floatDt),
    gradSetup: convSetup(f32),
    args: (s) => fc.tuple(arg([s.n, ...s.spatial, s.groups * s.cinG], s.dtype), arg([s.groups * s.coutG, ...s.kernel, s.cinG], s.dtype)),
    // float16/bfloat16 sums round differently when vmap folds the batch into the groups.
    vmapTolerance: { rtol: 2e-2, atol: 2e-2 },
    fn: (s) => (x, w) => node('convolution', [x!, w!], convParams(s)),
  },
  rmsNorm: normCase('rmsNorm'),
  layerNorm: normCase('layerNorm'),
  rope: {
    primitive: 'rope',
    setup: ropeSetup(floatDt),
    gradSetup: ropeSetup(f32),
    argnums: [0], // offsets are integers; freqs have no derivative (as in MLX)
    args: (s) =>
      fc.tuple(
        arg(ropeShape(s), s.dtype),
        fc
          .array(fc.integer({ min: -3, max: 6 }), { minLength: s.perRow ? s.lead[0] : 1, maxLength: s.perRow ? s.lead[0] : 1 })
          .map((v) => arrayFromValues(v, s.perRow ? [v.length] : [], mx.int32)),
        ...(s.freqs ? [arg([s.half], mx.float32, { min: 0.5, max: 4 })] : []),
      ),
    fn: (s) => (x, offset, freqs) =>
      node('rope', [x!, offset!, ...(freqs ? [freqs] : [])], {
        dims: 2 * s.half,
        traditional: s.traditional,
        base: s.base,
        scale: s.scale,
        forward: s.forward,
      }),
  },
  scaledDotProductAttention: {
    primitive: 'scaledDotProductAttention',
    setup: attentionSetup(floatDt),
    gradSetup: attentionSetup(f32),
    args: (s) => {
      const hq = s.hkv * s.group;
      const qkv = [arg([s.b, hq, s.tq, s.d], s.dtype), arg([s.b, s.hkv, s.tk, s.d], s.dtype), arg([s.b, s.hkv, s.tk, s.dv], s.dtype)];
      const m = [s.b, hq, s.tq, s.tk];
      if (s.mask === 'additive') return fc.tuple(...qkv, arg(m, s.dtype));
      if (s.mask === 'bool') return fc.tuple(...qkv, arg(m, mx.bool));
      return fc.tuple(...qkv);
    },
    // float16/bfloat16 round differently when vmap folds the mapped axis into the batch.
    vmapTolerance: { rtol: 2e-2, atol: 2e-2 },
    fn: (s) => (q, k, v, m) => node('scaledDotProductAttention', m ? [q!, k!, v!, m] : [q!, k!, v!], { scale: s.scale, causal: s.mask === 'causal' }),
  },
  logcumsumexp: axisPrim('logcumsumexp', floatDt, {}, scanParams),
  // Bit casts between every pair of non-bool dtypes (no int64 target: the reference stores doubles,
  // so int64s of arbitrary bits would round); a last axis of 0 or 8 fits every ratio of item sizes.
  view: {
    primitive: 'view',
    setup: fc.record({
      shape: fc.tuple(shapes({ maxDims: 2 }), fc.constantFrom(0, 8)).map(([lead, last]) => [...lead, last]),
      dtype: dtypes({ exclude: ['bool'] }),
      to: dtypes({ exclude: ['bool', 'int64'] }),
    }),
    args: (s) => fc.tuple(arg(s.shape, s.dtype)),
    fn: (s) => (x) => node('view', [x], { dtype: s.to }),
    skip: ['jvp', 'vjp'],
  },
  // mx.linalg: the inputs pass through a well-conditioning map (test/helpers/linalg.ts), so the
  // factorizations are unique and differentiable. QR's derivative checks use tall and square
  // matrices (the rule's domain), the SVD's shapes with |M - N| <= 1, where U's (or Vt's) extra
  // columns are unique up to their normalized sign, so finite differences see the rule's choice.
  qr: linalgCase('qr', 'any', 'tall', (x) => mx.multiNode('qr', [fullRank(x)], {})),
  svd: linalgCase('svd', 'any', 'near', (x) => mx.multiNode('svd', [separatedSingular(x)], {})),
  inv: linalgCase('inv', 'square', 'square', (x) => node('inv', [invertible(x)])),
  triInv: linalgCase('triInv', 'square', 'square', (x, s) => node('triInv', [invertible(x)], { upper: s.flag })),
  cholesky: linalgCase('cholesky', 'square', 'square', (x, s) => node('cholesky', [spd(x)], { upper: s.flag })),
  eigh: linalgCase('eigh', 'square', 'square', (x, s) => mx.multiNode('eigh', [separatedSymmetric(x)], { uplo: s.flag ? 'U' : 'L' })),
  luFactor: { ...linalgCase('luFactor', 'any', 'any', (x) => mx.multiNode('luFactor', [x], {})), skip: ['jvp', 'vjp'] },
  // Complex primitives with real arguments and results: re + i im in, the parts stacked out.
  imag: {
    primitive: 'imag',
    jvpTolerance: { eps: 0.05, rtol: 1e-3, atol: 1e-4 },
    vjpTolerance: { rtol: 1e-4, atol: 1e-4 },
    vmapTolerance: { rtol: 1e-5, atol: 1e-5 },
    setup: fc.record({ shape: shapes(), dtype: f32 }),
    args: (s) => fc.tuple(arg(s.shape, s.dtype), arg(s.shape, s.dtype)),
    fn: () => (a, b) => node('imag', [complexFrom(a!, b!)]),
  },
  conjugate: {
    primitive: 'conjugate',
    jvpTolerance: { eps: 0.05, rtol: 1e-3, atol: 1e-4 },
    vjpTolerance: { rtol: 1e-4, atol: 1e-4 },
    vmapTolerance: { rtol: 1e-5, atol: 1e-5 },
    setup: fc.record({ shape: shapes(), dtype: f32 }),
    args: (s) => fc.tuple(arg(s.shape, s.dtype), arg(s.shape, s.dtype)),
    fn: () => (a, b) => parts(node('conjugate', [complexFrom(a!, b!)])),
  },
  fft: {
    primitive: 'fft',
    jvpTolerance: { eps: 0.05, rtol: 1e-3, atol: 1e-4 },
    vjpTolerance: { rtol: 1e-4, atol: 1e-4 },
    vmapTolerance: { rtol: 1e-5, atol: 1e-5 },
    setup: fftSetup,
    args: (s) => fc.tuple(arg(s.shape, mx.float32), arg(s.shape, mx.float32)),
    fn: (s) => (a, b) => fftCase(s, a!, b!),
  },
  // No derivatives (as MLX); the outputs compared through what they determine whatever the eigenpairs' order and phases.
  eig: { ...linalgCase('eig', 'square', 'square', (x) => eigInvariants(mx.linalg.eig(separatedGeneral(x)))), skip: ['jvp', 'vjp'] },
  eigvals: { ...linalgCase('eigvals', 'square', 'square', (x) => eigenvaluePowerSums(mx.linalg.eigvals(separatedGeneral(x)))), skip: ['jvp', 'vjp'] },
};

interface MatrixSetup {
  batch: number[];
  m: number;
  n: number;
  flag: boolean;
  dtype: Dt;
}
type MatrixForm = 'any' | 'square' | 'tall' | 'near';
/** Matrices [...batch, m, n] of float32/float64 (the kernels' dtypes): any shape, square, tall (m >= n), or near square (|m - n| <= 1). */
function matrixSetup(form: MatrixForm, dtype: fc.Arbitrary<Dt>): fc.Arbitrary<MatrixSetup> {
  const side = fc.integer({ min: 1, max: 3 });
  return fc.record({ batch: fc.array(fc.integer({ min: 1, max: 2 }), { maxLength: 1 }), m: side, n: side, flag: fc.boolean(), dtype }).map((s) => {
    if (form === 'square') return { ...s, m: s.n };
    if (form === 'tall') return { ...s, m: Math.max(s.m, s.n) };
    if (form === 'near') return { ...s, m: Math.min(Math.max(s.m, s.n - 1), s.n + 1) };
    return s;
  });
}
function linalgCase(prim: mx.Primitive, form: 'any' | 'square', gradForm: MatrixForm, build: (x: mx.Array, s: MatrixSetup) => mx.Array | mx.Array[]): Case {
  return {
    primitive: prim,
    setup: matrixSetup(form, fc.constantFrom(mx.float32, mx.float64)),
    gradSetup: matrixSetup(gradForm, f32),
    args: (s) => fc.tuple(arg([...s.batch, s.m, s.n], s.dtype)),
    fn: (s) => (x) => build(x!, s),
  };
}

/** Small attention shapes (grouped heads, lengths that differ, so causal alignment matters) and a mask kind. */
function attentionSetup(dtype: fc.Arbitrary<Dt>) {
  const dim = (max: number) => fc.integer({ min: 1, max });
  return fc.record({
    b: dim(2),
    hkv: dim(2),
    group: dim(2),
    tq: dim(3),
    tk: dim(3),
    d: dim(3),
    dv: dim(2),
    scale: fc.constantFrom(0.5, 1),
    mask: fc.constantFrom('none', 'causal', 'additive', 'bool'),
    dtype,
  });
}

function fusedProgram(dt: Dt): mx.CompiledParams {
  return {
    nInputs: 2,
    name: 'sin_multiply_add_greater_where',
    instrs: [
      { op: 'sin', dtype: dt, args: [0] }, // r2
      { op: 'multiply', dtype: dt, args: [2, 1] }, // r3
      { op: 'constant', dtype: dt, args: [], value: 0.5 }, // r4
      { op: 'add', dtype: dt, args: [3, 4] }, // r5
      { op: 'greater', dtype: mx.bool, args: [0, 1] }, // r6
      { op: 'where', dtype: dt, args: [6, 5, 1] }, // r7
    ],
  };
}

const backends = mx.listBackends().map((b) => b.name);

it('every primitive of the IR has a property case', () => {
  const missing = mx.primitiveNames.filter((p) => !Object.prototype.hasOwnProperty.call(cases, p));
  expect(missing).toEqual([]);
});

for (const backend of backends) {
  describe(`primitive properties on the '${backend}' backend`, () => {
    beforeAll(() => mx.useBackend(backend));
    afterAll(() => mx.useBackend(null));
    for (const prim of mx.primitiveNames) {
      it(prim, () => {
        const c = (cases as Record<string, Case | undefined>)[prim];
        if (!c) throw new Error(`no property case for primitive '${prim}': add one to test/properties/primitives.test.ts`);
        checkPrimitive(c, { numRuns: NUM_RUNS, batchSize: 3 });
      });
    }
  });
}
