/**
 * Conformance: elementwise binary ops, where and clip, on broadcastable shapes, every dtype they
 * accept (same-dtype pairs and mixed pairs that promote), JS scalar operands, strided inputs,
 * NaN/Inf/-0, integer wrap-around and division by zero.
 */
import fc from 'fast-check';
import {
  ALL_NAMES,
  broadcastInputsArb,
  checkOp,
  describeBackends,
  dtypeNameArb,
  FLOAT_NAMES,
  INT_NAMES,
  mx,
  property,
  type SpecFor,
  WIDE_SPECIALS,
} from '../helpers/index.js';
import type { DtypeName } from '@mlx-ts/core';

type Binary = (a: mx.Array, b: mx.Array) => mx.Array | mx.Array[];

interface BinaryCase {
  name: string;
  fn: Binary;
  dtypes: readonly DtypeName[];
  a?: SpecFor;
  b?: SpecFor;
  signedZero?: boolean;
  tolScale?: number;
  /** Whether mixed-dtype pairs are exercised (promotion before the kernel). */
  mixed?: boolean;
  /** The dtypes mixed pairs are drawn from (default: every dtype but int64). */
  mixedDtypes?: readonly DtypeName[];
}

const NUMERIC = [...INT_NAMES, ...FLOAT_NAMES];
const NO_INT64 = ALL_NAMES.filter((d) => d !== 'int64');

/** int64 is exact in the reference only below 2^53: keep sums and products there. */
const int64Small =
  (lim: number): SpecFor =>
  (d) =>
    d === 'int64' ? { min: -lim, max: lim } : {};

const divisorSpec: SpecFor = (d) =>
  FLOAT_NAMES.includes(d)
    ? { min: -10, max: 10, quantum: 0.25, specials: [0, -0, NaN, Infinity, -Infinity, 1, -1] }
    : d === 'int64'
      ? { min: -1000, max: 1000, specials: [0, -1, 1] }
      : { specials: [0, -1, 1] };
const dividendSpec: SpecFor = (d) =>
  FLOAT_NAMES.includes(d) ? { min: -100, max: 100, quantum: 0.25 } : d === 'int64' ? { min: -(2 ** 40), max: 2 ** 40 } : {};

const powBase: SpecFor = (d) => (FLOAT_NAMES.includes(d) ? { min: -4, max: 4 } : { min: -20, max: 20 });
const powExp: SpecFor = (d) =>
  FLOAT_NAMES.includes(d)
    ? { min: -3, max: 3, specials: [0, -0, 1, 2, 0.5, -1, NaN, Infinity, -Infinity] }
    : d.startsWith('u')
      ? { min: 0, max: 12 }
      : { min: -3, max: 12 };

/** Integer dtypes and bool; int64 stays where the reference's doubles are exact. */
const BITWISE = [...INT_NAMES, 'bool'] as DtypeName[];
/** Shift counts around and beyond every width, negative ones included. */
const shiftCount: SpecFor = (d) =>
  d === 'bool' ? {} : d.startsWith('u') ? { min: 0, max: 70 } : { min: -3, max: 70, specials: [0, 7, 8, 15, 16, 31, 32, 63, 64] };

const cases: BinaryCase[] = [
  { name: 'add', fn: mx.add, dtypes: ALL_NAMES, a: int64Small(2 ** 51), b: int64Small(2 ** 51), mixed: true, signedZero: true },
  { name: 'subtract', fn: mx.subtract, dtypes: NUMERIC, a: int64Small(2 ** 51), b: int64Small(2 ** 51), mixed: true },
  { name: 'multiply', fn: mx.multiply, dtypes: ALL_NAMES, a: int64Small(2 ** 26), b: int64Small(2 ** 26), mixed: true, signedZero: true },
  { name: 'divide', fn: mx.divide, dtypes: ALL_NAMES, b: divisorSpec, mixed: true },
  { name: 'power', fn: mx.power, dtypes: NUMERIC, a: powBase, b: powExp, tolScale: 2 },
  { name: 'arctan2', fn: mx.arctan2, dtypes: ALL_NAMES, mixed: true },
  { name: 'maximum', fn: mx.maximum, dtypes: ALL_NAMES, mixed: true },
  { name: 'minimum', fn: mx.minimum, dtypes: ALL_NAMES, mixed: true },
  { name: 'floorDivide', fn: mx.floorDivide, dtypes: NUMERIC, a: dividendSpec, b: divisorSpec },
  { name: 'remainder', fn: mx.remainder, dtypes: NUMERIC, a: dividendSpec, b: divisorSpec },
  // One multi-output node: both outputs of one step.
  { name: 'divmod', fn: (a, b) => mx.divmod(a, b), dtypes: NUMERIC, a: dividendSpec, b: divisorSpec },
  { name: 'logaddexp', fn: mx.logaddexp, dtypes: ALL_NAMES, tolScale: 2 },
  { name: 'equal', fn: mx.equal, dtypes: ALL_NAMES, mixed: true },
  { name: 'notEqual', fn: mx.notEqual, dtypes: ALL_NAMES, mixed: true },
  { name: 'greater', fn: mx.greater, dtypes: ALL_NAMES, mixed: true },
  { name: 'greaterEqual', fn: mx.greaterEqual, dtypes: ALL_NAMES, mixed: true },
  { name: 'less', fn: mx.less, dtypes: ALL_NAMES, mixed: true },
  { name: 'lessEqual', fn: mx.lessEqual, dtypes: ALL_NAMES, mixed: true },
  { name: 'logicalAnd', fn: mx.logicalAnd, dtypes: ALL_NAMES, mixed: true },
  { name: 'logicalOr', fn: mx.logicalOr, dtypes: ALL_NAMES, mixed: true },
  // The integer family (and bool, which the ops map to logical ops or shift as uint8).
  { name: 'bitwiseAnd', fn: mx.bitwiseAnd, dtypes: BITWISE, mixed: true, mixedDtypes: BITWISE.filter((d) => d !== 'int64') },
  { name: 'bitwiseOr', fn: mx.bitwiseOr, dtypes: BITWISE, mixed: true, mixedDtypes: BITWISE.filter((d) => d !== 'int64') },
  { name: 'bitwiseXor', fn: mx.bitwiseXor, dtypes: BITWISE, mixed: true, mixedDtypes: BITWISE.filter((d) => d !== 'int64') },
  { name: 'leftShift', fn: mx.leftShift, dtypes: BITWISE, b: shiftCount },
  { name: 'rightShift', fn: mx.rightShift, dtypes: BITWISE, b: shiftCount },
];

/** Adds values near overflow (and subnormals) to float specs that do not choose their specials. */
const wide =
  (sp?: SpecFor): SpecFor =>
  (d) => {
    const o = typeof sp === 'function' ? sp(d) : (sp ?? {});
    return FLOAT_NAMES.includes(d) && !o.specials ? { ...o, specials: WIDE_SPECIALS } : o;
  };

/** Small values so that comparisons often tie across dtypes. */
const smallInts: SpecFor = (d) => (d === 'bool' ? {} : { min: -3, max: 3, integral: true, pSpecial: 0.2 });

describeBackends('conformance: binary', (backend) => {
  for (const c of cases) {
    const specs = [wide(c.a), wide(c.b)];
    property(
      `${c.name}: same dtype, broadcast shapes`,
      broadcastInputsArb(2, c.dtypes, specs),
      ({ inputs }) => {
        checkOp(backend, inputs, c.fn, { label: c.name, signedZero: c.signedZero ?? false, tolScale: c.tolScale ?? 1 });
      },
      25,
    );
    if (c.mixed) {
      const pool = c.mixedDtypes ?? NO_INT64;
      const pair = fc.tuple(dtypeNameArb(pool), dtypeNameArb(pool));
      property(
        `${c.name}: mixed dtypes promote`,
        broadcastInputsArb(2, pair, [smallInts, smallInts]),
        ({ inputs }) => {
          checkOp(backend, inputs, c.fn, { label: `${c.name} mixed`, tolScale: c.tolScale ?? 1 });
        },
        15,
      );
    }
  }

  // Integer wrap-around: 32-bit products overflow 2^53, so a float64 product would lose the low bits.
  property(
    'add/subtract/multiply wrap on full-range 8/16/32-bit ints',
    broadcastInputsArb(
      2,
      INT_NAMES.filter((d) => d !== 'int64'),
    ),
    ({ inputs }) => {
      checkOp(backend, inputs, (a, b) => [mx.add(a, b), mx.subtract(a, b), mx.multiply(a, b)], { label: 'integer wrap' });
    },
    20,
  );

  property(
    'floorDivide/remainder of INT_MIN by -1 and by 0 never crash',
    broadcastInputsArb(2, ['int8', 'int16', 'int32'], [{ pSpecial: 0.5 }, { specials: [-1, 0], pSpecial: 0.7 }]),
    ({ inputs }) => {
      checkOp(backend, inputs, (a, b) => [mx.floorDivide(a, b), mx.remainder(a, b)], { label: 'int division edge cases' });
    },
    15,
  );

  for (const [name, fn] of [
    ['add', mx.add],
    ['multiply', mx.multiply],
    ['subtract', mx.subtract],
    ['divide', mx.divide],
    ['maximum', mx.maximum],
    ['power', mx.power],
    ['less', mx.less],
  ] as const) {
    property(
      `${name} with JS scalars on either side`,
      broadcastInputsArb(
        1,
        NUMERIC.filter((d) => d !== 'int64'),
        [{ min: -5, max: 5 }],
      ),
      ({ inputs }) => {
        checkOp(backend, inputs, (a) => [fn(a, 2), fn(a, 2.5), fn(3, a), fn(a, -1.5), fn(a, true)], { label: `${name} scalar`, tolScale: 2 });
      },
      10,
    );
  }

  property(
    'where(cond, x, y): three-way broadcast, promotion',
    broadcastInputsArb(3, fc.tuple(dtypeNameArb(ALL_NAMES), dtypeNameArb(ALL_NAMES), dtypeNameArb(ALL_NAMES)), [undefined, smallInts, smallInts]),
    ({ inputs }) => {
      checkOp(backend, inputs, (c, a, b) => mx.where(c, a, b), { label: 'where', signedZero: true });
    },
    25,
  );

  property(
    'where with every value dtype (exact copies)',
    broadcastInputsArb(
      3,
      fc.constantFrom(...ALL_NAMES).map((d) => ['bool', d, d] as DtypeName[]),
    ),
    ({ inputs }) => {
      checkOp(backend, inputs, (c, a, b) => mx.where(c, a, b), { label: 'where', signedZero: true, tol: { rtol: 0, atol: 0 } });
    },
    20,
  );

  property(
    'clip with array and scalar bounds',
    broadcastInputsArb(
      3,
      NUMERIC.filter((d) => d !== 'int64'),
      [{}, { min: -5, max: 0 }, { min: 0, max: 5 }],
    ),
    ({ inputs }) => {
      checkOp(backend, inputs, (x, lo, hi) => [mx.clip(x, lo, hi), mx.clip(x, -1, null), mx.clip(x, null, 2), mx.clip(x, -1.5, 1.5)], { label: 'clip' });
    },
    20,
  );

  property(
    'isclose, allclose and arrayEqual (with equalNan)',
    broadcastInputsArb(2, fc.tuple(dtypeNameArb(ALL_NAMES), dtypeNameArb(ALL_NAMES)), [smallInts, smallInts]),
    ({ inputs }) => {
      checkOp(
        backend,
        inputs,
        (a, b) => [
          mx.isclose(a, b),
          mx.isclose(a, b, { rtol: 0.5, atol: 1, equalNan: true }),
          mx.allclose(a, b),
          mx.allclose(a, a, { equalNan: true }),
          mx.allclose(a, b, 1e-3, 2),
          mx.arrayEqual(a, b),
          mx.arrayEqual(a, a),
          mx.arrayEqual(a, a, { equalNan: true }),
        ],
        { label: 'isclose/allclose/arrayEqual' },
      );
    },
    20,
  );
});
