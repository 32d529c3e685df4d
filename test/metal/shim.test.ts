/**
 * The Metal backend's kernels, verified on Linux: every primitive the capability table says has a
 * Metal kernel runs through host/plan.h and the .metal kernels compiled as C++ through the shim (the
 * fake device, ./fake-device.ts), over inputs from the property kit (strided, broadcast, NaN, +-Inf,
 * -0), and matches the CPU backend under the conformance suite's tolerances. Each case also checks
 * that the kernel ran, not the CPU fallback.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { capabilities, metalPrimitives } from '@mlx-ts/metal-backend';
import {
  assertOutputsMatch,
  broadcastInputsArb,
  evalOn,
  fc,
  FINITE_SPECIALS,
  FLOAT_SPECIALS,
  hostInput,
  inputArb,
  mx,
  property,
  shapeArb,
  unaryArb,
  type CompareOpts,
  type HostInput,
  type OpFn,
} from '../helpers/index.js';
import { fakeMetalBackend, stepRunner, type StepRecord } from './fake-device.js';
import type { DtypeName, Primitive } from '@mlx-ts/core';

const FLOATS: DtypeName[] = ['float32', 'float16', 'bfloat16'];
const SHIM = 'metal-shim';
let log: StepRecord[] = [];

beforeAll(async () => {
  const fake = fakeMetalBackend(await stepRunner(), SHIM, 'cpu');
  log = fake.log;
  mx.registerBackend(fake);
}, 300_000);

/** Compares the shim with the CPU backend and requires that `prim` ran as a kernel, not on the CPU. */
function check(prim: Primitive, inputs: readonly HostInput[], f: OpFn, o: CompareOpts = {}): void {
  const want = evalOn('cpu', inputs, f);
  const before = log.length;
  const got = evalOn(SHIM, inputs, f);
  assertOutputsMatch(SHIM, inputs, want, got, { label: prim, ...o });
  const ran = log.slice(before).filter((r) => r.prim === prim);
  const empty = want.every((w) => w.data.length === 0);
  if (!empty) {
    expect(ran.length, `${prim} never reached the fake device`).toBeGreaterThan(0);
    for (const r of ran) expect(r.where, `${prim} fell back to the CPU: ${r.why}`).toBe('shim');
  }
}

interface Case {
  arb: fc.Arbitrary<HostInput[]>;
  f: OpFn;
  opts?: CompareOpts;
}

const small = { maxRank: 3, maxDim: 5 };
const floatIn = (spec = {}) => unaryArb(FLOATS, { specials: FLOAT_SPECIALS, pSpecial: 0.1, ...spec }, { ...small, empty: false }).map((x) => [x]);
const unary = (f: (x: mx.Array) => mx.Array, spec = {}, opts: CompareOpts = {}): Case => ({ arb: floatIn(spec), f: (x) => f(x!), opts });
const binary = (f: (a: mx.Array, b: mx.Array) => mx.Array, spec = {}): Case => ({
  arb: broadcastInputsArb(2, FLOATS, [spec, spec], small).map((c) => c.inputs),
  f: (a, b) => f(a!, b!),
});
/** Rows of at least one element, long enough to span several simd-groups now and then. */
const rowsArb = (dtypes: DtypeName[], spec = {}) =>
  fc
    .tuple(fc.constantFrom(...dtypes), shapeArb({ minRank: 1, maxRank: 3, maxDim: 4 }), fc.constantFrom(1, 7, 33, 300))
    .chain(([d, s, n]) => inputArb([...s.slice(0, -1), n], d, { min: -3, max: 3, ...spec }))
    .map((x) => [x]);
const axisOf = (x: mx.Array) => (x.ndim === 0 ? 0 : x.ndim - 1);

const unaryCases: Partial<Record<Primitive, Case>> = {
  abs: unary(mx.abs, {}, { signedZero: true }),
  negative: unary(mx.negative, {}, { signedZero: true }),
  sign: unary(mx.sign),
  square: unary(mx.square),
  floor: unary(mx.floor, {}, { signedZero: true }),
  ceil: unary(mx.ceil),
  round: unary(mx.round),
  exp: unary(mx.exp),
  log: unary(mx.log, { min: 0, max: 10 }),
  sin: unary(mx.sin),
  cos: unary(mx.cos),
  tan: unary(mx.tan, { min: -1.4, max: 1.4 }),
  tanh: unary(mx.tanh),
  sinh: unary(mx.sinh),
  cosh: unary(mx.cosh),
  arcsin: unary(mx.arcsin, { min: -1, max: 1 }),
  arccos: unary(mx.arccos, { min: -1, max: 1 }),
  arctan: unary(mx.arctan),
  sqrt: unary(mx.sqrt, { min: 0, max: 10 }),
  rsqrt: unary(mx.rsqrt, { min: 0.01, max: 10 }),
  sigmoid: unary(mx.sigmoid),
  erf: unary(mx.erf),
};

const cases: Partial<Record<Primitive, Case>> = {
  ...unaryCases,
  add: binary(mx.add),
  subtract: binary(mx.subtract),
  multiply: binary(mx.multiply),
  divide: binary(mx.divide, { avoid: [0] }),
  power: binary(mx.power, { min: 0.1, max: 3 }),
  arctan2: binary(mx.arctan2),
  maximum: binary(mx.maximum, { specials: FLOAT_SPECIALS, pSpecial: 0.2 }),
  minimum: binary(mx.minimum, { specials: FLOAT_SPECIALS, pSpecial: 0.2 }),
  equal: binary(mx.equal, { specials: FINITE_SPECIALS, pSpecial: 0.5 }),
  notEqual: binary(mx.notEqual, { specials: FINITE_SPECIALS, pSpecial: 0.5 }),
  greater: binary(mx.greater, { specials: FINITE_SPECIALS, pSpecial: 0.5 }),
  greaterEqual: binary(mx.greaterEqual, { specials: FINITE_SPECIALS, pSpecial: 0.5 }),
  less: binary(mx.less, { specials: FINITE_SPECIALS, pSpecial: 0.5 }),
  lessEqual: binary(mx.lessEqual, { specials: FINITE_SPECIALS, pSpecial: 0.5 }),
  where: {
    arb: fc
      .tuple(fc.constantFrom<DtypeName>(...FLOATS, 'int32', 'uint32'), broadcastInputsArb(3, FLOATS, [], small))
      .chain(([d, c]) =>
        fc.tuple(
          inputArb(c.inputs[0]!.shape, 'bool'),
          inputArb(c.inputs[1]!.shape, d, { min: 0, max: 100 }),
          inputArb(c.inputs[2]!.shape, d, { min: 0, max: 100 }),
        ),
      ),
    f: (c, x, y) => mx.where(c!, x!, y!),
  },
  astype: {
    arb: fc
      .tuple(fc.constantFrom<DtypeName>(...FLOATS, 'int32', 'uint32'), fc.constantFrom<DtypeName>(...FLOATS, 'int32', 'uint32'), shapeArb(small))
      // A cast to its own dtype is no step at all.
      .filter(([from, to]) => from !== to)
      // No NaN or infinities: their casts to integers are unspecified (the numeric contract).
      .chain(([from, to, s]) => inputArb(s, from, { min: 0, max: 200, pSpecial: 0 }).map((x) => [x, hostInput([], to, [0])])),
    f: (x, proto) => mx.astype(x!, proto!.dtype),
  },
  sum: { arb: rowsArb(FLOATS), f: (x) => mx.sum(x!, axisOf(x!)), opts: { tolScale: 30 } },
  // Factors near 1, so no product of a 300-long row nears float16's overflow, where rounding decides finite or inf.
  // Products over finite specials: with Infinity beside a subnormal, whether the result is Inf or NaN
  // depends on subnormal flushing (inf * 0 after a flush), which the GPU may do, so non-finite
  // product rows are the CPU backend's contract (as matmul's).
  prod: { arb: rowsArb(FLOATS, { min: 0.99, max: 1.01, specials: FINITE_SPECIALS }), f: (x) => mx.prod(x!, axisOf(x!)), opts: { tolScale: 30 } },
  max: { arb: rowsArb(FLOATS, { specials: FLOAT_SPECIALS, pSpecial: 0.05 }), f: (x) => mx.max(x!, axisOf(x!)) },
  min: { arb: rowsArb(FLOATS, { specials: FLOAT_SPECIALS, pSpecial: 0.05 }), f: (x) => mx.min(x!, axisOf(x!)) },
  argmax: { arb: rowsArb(FLOATS, { specials: FINITE_SPECIALS, pSpecial: 0.3 }), f: (x) => mx.argmax(x!, axisOf(x!)) },
  argmin: { arb: rowsArb(FLOATS, { specials: FINITE_SPECIALS, pSpecial: 0.3 }), f: (x) => mx.argmin(x!, axisOf(x!)) },
  cumsum: { arb: rowsArb(FLOATS), f: (x) => mx.cumsum(x!, { axis: -1 }), opts: { tolScale: 30 } },
  cumprod: {
    arb: rowsArb(FLOATS, { min: 0.99, max: 1.01, specials: FINITE_SPECIALS }),
    f: (x) => mx.cumprod(x!, { axis: -1, reverse: true }),
    opts: { tolScale: 30 },
  },
  cummax: { arb: rowsArb(FLOATS), f: (x) => mx.cummax(x!, { axis: -1, inclusive: false }) },
  cummin: { arb: rowsArb(FLOATS), f: (x) => mx.cummin(x!, { axis: -1 }) },
  softmax: { arb: rowsArb(FLOATS), f: (x) => mx.softmax(x!, -1), opts: { tolScale: 4 } },
  logsumexp: { arb: rowsArb(FLOATS), f: (x) => mx.logsumexp(x!, -1), opts: { tolScale: 4 } },
  matmul: {
    arb: fc
      .tuple(
        fc.constantFrom(...FLOATS),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 2 }),
      )
      // Finite values: which of inf - inf or inf * 0 a row meets first depends on the tile order and on whether
      // subnormals are flushed (the GPU's matmul may flush them), so non-finite rows are the CPU backend's contract.
      .chain(([d, m, k, n, b]) =>
        fc.tuple(inputArb([b, m, k], d, { min: -1, max: 1, specials: FINITE_SPECIALS }), inputArb([k, n], d, { min: -1, max: 1, specials: FINITE_SPECIALS })),
      ),
    f: (a, b) => mx.matmul(a!, b!),
    opts: { tolScale: 40 },
  },
  concatenate: {
    // The axis rides as the length of a third (bool) input, so the op function stays a function of inputs.
    arb: fc
      .tuple(
        fc.constantFrom<DtypeName>(...FLOATS, 'int32', 'uint32'),
        shapeArb({ minRank: 1, maxRank: 3, maxDim: 4 }),
        fc.nat(2),
        fc.integer({ min: 1, max: 3 }),
      )
      .chain(([d, s, a, extra]) => {
        const axis = a % s.length;
        const t = s.slice();
        t[axis] = extra;
        return fc.tuple(
          inputArb(s, d, { min: 0, max: 100 }),
          inputArb(t, d, { min: 0, max: 100 }),
          fc.constant(hostInput([axis], 'bool', new Array<number>(axis).fill(0))),
        );
      }),
    f: (a, b, axis) => mx.concatenate([a!, b!], axis!.shape[0]),
  },
  pad: {
    arb: fc
      .tuple(fc.constantFrom<DtypeName>(...FLOATS, 'int32', 'uint32'), shapeArb({ ...small, minRank: 1 }))
      .chain(([d, s]) => inputArb(s, d, { min: 0, max: 100 }))
      .map((x) => [x]),
    f: (x) => mx.pad(x!, [[1, 2]], 'constant', 7),
  },
  gather: {
    // Indices past either end: a negative one wraps once, then all clamp (the CPU backend's rule).
    arb: fc
      .tuple(
        fc.constantFrom<DtypeName>(...FLOATS, 'int32', 'uint32'),
        // No empty source axis: taking any index from one is an Error, not a kernel case.
        shapeArb({ minRank: 1, maxRank: 3, maxDim: 4, empty: false }),
        fc.nat(2),
        shapeArb({ maxRank: 2, maxDim: 3 }),
      )
      .chain(([d, s, a, is]) => {
        const axis = a % s.length;
        return fc.tuple(
          inputArb(s, d, { min: 0, max: 100 }),
          inputArb(is, 'int32', { min: -2 * s[axis]!, max: 2 * s[axis]! }),
          fc.constant(hostInput([axis], 'bool', new Array<number>(axis).fill(0))),
        );
      }),
    f: (a, idx, axis) => mx.take(a!, idx!, { axis: axis!.shape[0] }),
  },
  // Few distinct values (ties), NaN and -0: the order must be the CPU's stable one, NaN last.
  sort: { arb: rowsArb(FLOATS, { specials: [...FINITE_SPECIALS, NaN], pSpecial: 0.5 }), f: (x) => mx.sort(x!, -1), opts: { signedZero: true } },
  argsort: { arb: rowsArb(FLOATS, { specials: [...FINITE_SPECIALS, NaN], pSpecial: 0.5 }), f: (x) => mx.argsort(x!, -1) },
  randomBits: {
    arb: fc
      .tuple(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 300 }))
      .map(([seed, n]) => [hostInput([], 'int32', [seed]), hostInput([n], 'bool', new Array<number>(n).fill(0))]),
    f: (seed, shape) => mx.random.bits(shape!.shape, 4, mx.random.key(seed!.item() as number)),
  },
};

describe('the shim runs every Metal kernel and matches the CPU backend', () => {
  it('has a case for every primitive the capability table gives a Metal kernel', () => {
    expect(metalPrimitives().filter((p) => cases[p] === undefined)).toEqual([]);
    expect(Object.keys(cases).filter((p) => capabilities[p as Primitive].kind !== 'metal')).toEqual([]);
  });
  for (const prim of metalPrimitives()) {
    const c = cases[prim];
    if (c === undefined) continue;
    property(prim, c.arb, (inputs) => check(prim, inputs, c.f, c.opts), 3);
  }
});
