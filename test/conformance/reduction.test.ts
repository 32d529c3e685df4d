/**
 * Conformance: reductions with axis (none, one, several, negative) and keepdims, on every dtype,
 * empty reductions (identities; errors for max/min/argmax/argmin), strided inputs, NaN/Inf.
 */
import fc from 'fast-check';
import {
  ALL_NAMES,
  axesArb,
  axisArb,
  checkOp,
  defaultTol,
  describeBackends,
  expectBothThrow,
  FLOAT_NAMES,
  mx,
  property,
  size,
  unaryArb,
  type HostInput,
  type InputOpts,
  type Tolerance,
} from '../helpers/index.js';
import type { DtypeName } from '@mlx-ts/core';

type Axis = number | number[] | undefined;

function reducedCount(x: HostInput, axis: Axis): number {
  const nd = x.shape.length;
  const axes = axis === undefined ? x.shape.map((_, i) => i) : (typeof axis === 'number' ? [axis] : axis).map((a) => (a < 0 ? a + nd : a));
  return axes.reduce((n, a) => n * x.shape[a]!, 1);
}

function maxAbs(x: HostInput): number {
  let m = 1;
  for (const v of x.values) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m;
}

/** Accumulation error of n terms of magnitude up to `mag`: float32 accumulators for 16/32-bit floats. */
function accumTol(n: number, mag: number, extra = 1): (d: DtypeName) => Partial<Tolerance> {
  return (d) => {
    const base = defaultTol(d);
    const eps = d === 'float64' ? 2.3e-16 : 1.2e-7;
    return { rtol: base.rtol * extra, atol: base.atol * extra + 4 * n * eps * mag * extra };
  };
}

const caseArb = (dtypes: readonly DtypeName[], spec?: InputOpts | ((d: DtypeName) => InputOpts)) =>
  unaryArb(dtypes, spec).chain((x) => fc.tuple(fc.constant(x), axesArb(x.shape.length), fc.boolean()));

const sumSpec = (d: DtypeName): InputOpts => (d === 'int64' ? { min: -(2 ** 40), max: 2 ** 40 } : {});
const prodSpec = (d: DtypeName): InputOpts =>
  FLOAT_NAMES.includes(d) ? { min: -1.2, max: 1.2 } : d === 'int64' ? { min: -1, max: 1, specials: [2, -2], pSpecial: 0.05 } : { min: -3, max: 3 };
const moderate = (d: DtypeName): InputOpts => (d === 'bool' ? {} : { min: -100, max: 100 });

describeBackends('conformance: reductions', (backend) => {
  property(
    'sum on every dtype',
    caseArb(ALL_NAMES, sumSpec),
    ([x, axis, keepdims]) => {
      checkOp(backend, [x], (a) => mx.sum(a, { axis, keepdims }), {
        label: `sum axis=${JSON.stringify(axis)} keepdims=${keepdims}`,
        tol: accumTol(reducedCount(x, axis), maxAbs(x)),
      });
    },
    30,
  );

  property(
    'prod on every dtype (integer products wrap)',
    caseArb(ALL_NAMES, prodSpec),
    ([x, axis, keepdims]) => {
      checkOp(backend, [x], (a) => mx.prod(a, axis, keepdims), { label: `prod axis=${JSON.stringify(axis)}`, tolScale: Math.max(1, reducedCount(x, axis)) });
    },
    30,
  );

  for (const [name, fn] of [
    ['max', mx.max],
    ['min', mx.min],
  ] as const) {
    property(
      `${name} on every dtype (NaN propagates; empty is an error)`,
      caseArb(ALL_NAMES),
      ([x, axis, keepdims]) => {
        const f = (a: mx.Array) => fn(a, { axis, keepdims });
        if (reducedCount(x, axis) === 0) expectBothThrow(backend, [x], f, name);
        else checkOp(backend, [x], f, { label: `${name} axis=${JSON.stringify(axis)}`, tol: { rtol: 0, atol: 0 } });
      },
      30,
    );
  }

  for (const [name, fn] of [
    ['all', mx.all],
    ['any', mx.any],
  ] as const) {
    property(
      `${name} on every dtype (empty gives the identity)`,
      caseArb(ALL_NAMES, (d) => (d === 'bool' ? {} : { min: -1, max: 1, specials: [0, NaN, -0] })),
      ([x, axis, keepdims]) => {
        checkOp(backend, [x], (a) => fn(a, { axis, keepdims }), { label: `${name} axis=${JSON.stringify(axis)}` });
      },
      25,
    );
  }

  property(
    'mean on every dtype',
    caseArb(ALL_NAMES, moderate),
    ([x, axis, keepdims]) => {
      const n = reducedCount(x, axis);
      checkOp(backend, [x], (a) => mx.mean(a, { axis, keepdims }), { label: `mean axis=${JSON.stringify(axis)}`, tol: accumTol(n, maxAbs(x), 2) });
    },
    25,
  );

  for (const [name, fn] of [
    ['var', mx.var],
    ['std', mx.std],
  ] as const) {
    property(
      `${name} with ddof`,
      caseArb(ALL_NAMES, moderate).chain((c) => fc.tuple(fc.constant(c), fc.integer({ min: 0, max: 2 }))),
      ([[x, axis, keepdims], ddof]) => {
        const n = reducedCount(x, axis);
        const m = maxAbs(x);
        checkOp(backend, [x], (a) => fn(a, { axis, keepdims, ddof }), {
          label: `${name} axis=${JSON.stringify(axis)} ddof=${ddof}`,
          tol: accumTol(n + 1, name === 'var' ? m * m : m, 8),
        });
      },
      20,
    );
  }

  property(
    'logsumexp on every dtype',
    caseArb(ALL_NAMES, (d) => (d === 'bool' ? {} : { min: -30, max: 30 })),
    ([x, axis, keepdims]) => {
      checkOp(backend, [x], (a) => mx.logsumexp(a, { axis, keepdims }), { label: `logsumexp axis=${JSON.stringify(axis)}`, tolScale: 4 });
    },
    25,
  );

  for (const [name, fn] of [
    ['argmax', mx.argmax],
    ['argmin', mx.argmin],
  ] as const) {
    const arb = unaryArb(ALL_NAMES, (d) => (d === 'bool' ? {} : { min: -3, max: 3, integral: true })).chain((x) =>
      fc.tuple(fc.constant(x), x.shape.length === 0 ? fc.constant(undefined) : fc.option(axisArb(x.shape.length), { nil: undefined }), fc.boolean()),
    );
    property(
      `${name} on every dtype (ties: first; NaN counts as extreme)`,
      arb,
      ([x, axis, keepdims]) => {
        const f = (a: mx.Array) => fn(a, { axis, keepdims });
        const empty = axis === undefined ? size(x.shape) === 0 : x.shape[axis < 0 ? axis + x.shape.length : axis] === 0;
        if (empty) expectBothThrow(backend, [x], f, name);
        else checkOp(backend, [x], f, { label: `${name} axis=${axis}` });
      },
      30,
    );
  }

  property(
    'sum of wide int32 values wraps',
    unaryArb(['int32', 'uint32', 'int8', 'uint8', 'int16', 'uint16'], {}, { minRank: 1 }),
    (x) => {
      checkOp(backend, [x], (a) => mx.sum(a), { label: 'sum wrap' });
    },
    15,
  );
});
