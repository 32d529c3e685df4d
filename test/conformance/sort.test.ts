/**
 * Conformance: sort and argsort (stable, NaN last), topk, partition, softmax, on every dtype,
 * along any axis or flattened, with ties, NaN, +-Inf and -0.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { ALL_NAMES, axisArb, checkOp, describeBackends, FLOAT_NAMES, mx, onBackend, property, unaryArb, type InputOpts } from '../helpers/index.js';
import type { DtypeName } from '@mlx-ts/core';

/** Few distinct values, so that ties (and the stability of argsort) matter. */
const tiesSpec = (d: DtypeName): InputOpts =>
  d === 'bool' ? {} : FLOAT_NAMES.includes(d) ? { min: -3, max: 3, integral: true, pSpecial: 0.2 } : { min: -3, max: 3, pSpecial: 0.1 };

const withAxis = (spec?: (d: DtypeName) => InputOpts) =>
  unaryArb(ALL_NAMES, spec, { minRank: 1 }).chain((x) => fc.tuple(fc.constant(x), fc.option(axisArb(x.shape.length), { nil: null, freq: 4 })));

describeBackends('conformance: sorting and softmax', (backend) => {
  property(
    'sort on every dtype (NaN last; -0 and 0 keep their order)',
    withAxis(tiesSpec),
    ([x, axis]) => {
      checkOp(backend, [x], (a) => mx.sort(a, { axis }), { label: `sort axis=${axis}`, tol: { rtol: 0, atol: 0 }, signedZero: true });
    },
    30,
  );

  property(
    'argsort on every dtype is stable',
    withAxis(tiesSpec),
    ([x, axis]) => {
      checkOp(backend, [x], (a) => mx.argsort(a, { axis }), { label: `argsort axis=${axis}` });
    },
    30,
  );

  property(
    'sort and argsort with the default axis on wide values',
    unaryArb(ALL_NAMES, undefined, { minRank: 1 }),
    (x) => {
      checkOp(backend, [x], (a) => [mx.sort(a), mx.argsort(a)], { label: 'sort default axis', tol: { rtol: 0, atol: 0 } });
    },
    20,
  );

  property(
    'topk (as a multiset along the axis)',
    withAxis(tiesSpec).chain(([x, axis]) => {
      const n = axis === null ? x.values.length : x.shape[axis < 0 ? axis + x.shape.length : axis]!;
      return fc.tuple(fc.constant(x), fc.constant(axis), fc.integer({ min: 0, max: n }));
    }),
    ([x, axis, k]) => {
      // Compare along the last axis as a multiset: move the topk axis last first.
      checkOp(
        backend,
        [x],
        (a) => {
          const t = mx.topk(a, k, { axis });
          return axis === null ? t : mx.moveaxis(t, axis, -1);
        },
        { label: `topk k=${k} axis=${axis}`, sortLastAxis: true, tol: { rtol: 0, atol: 0 } },
      );
    },
    25,
  );

  property(
    'topkWithIndices: values and indices in one step, largest first, ties in index order',
    withAxis(tiesSpec).chain(([x, axis]) => {
      const n = axis === null ? x.values.length : x.shape[axis < 0 ? axis + x.shape.length : axis]!;
      return fc.tuple(fc.constant(x), fc.constant(axis), fc.integer({ min: 0, max: n }));
    }),
    ([x, axis, k]) => {
      checkOp(backend, [x], (a) => mx.topkWithIndices(a, k, { axis }), { label: `topkWithIndices k=${k} axis=${axis}`, tol: { rtol: 0, atol: 0 } });
    },
    25,
  );

  property(
    'partition puts the kth element in place',
    withAxis(tiesSpec)
      .filter(([x, axis]) => (axis === null ? x.values.length : x.shape[axis < 0 ? axis + x.shape.length : axis]!) > 0)
      .chain(([x, axis]) => {
        const n = axis === null ? x.values.length : x.shape[axis < 0 ? axis + x.shape.length : axis]!;
        return fc.tuple(fc.constant(x), fc.constant(axis), fc.integer({ min: -n, max: n - 1 }));
      }),
    ([x, axis, kth]) => {
      checkOp(
        backend,
        [x],
        (a) => {
          const p = mx.partition(a, kth, { axis });
          return axis === null ? mx.take(p, kth) : mx.take(p, kth, axis);
        },
        { label: `partition kth=${kth} axis=${axis}` },
      );
    },
    15,
  );

  property(
    'softmax over any axes',
    unaryArb(ALL_NAMES, (d) => (d === 'bool' ? {} : { min: -20, max: 20 })).chain((x) =>
      fc.tuple(fc.constant(x), fc.option(fc.integer({ min: -Math.max(1, x.shape.length), max: Math.max(0, x.shape.length - 1) }), { nil: undefined })),
    ),
    ([x, axis]) => {
      const ax = x.shape.length === 0 ? undefined : axis;
      checkOp(backend, [x], (a) => [mx.softmax(a, { axis: ax }), mx.softmax(a, { axis: ax, precise: true })], { label: `softmax axis=${ax}`, tolScale: 4 });
    },
    25,
  );

  it('softmax and logsumexp of rows with infinities and NaN (every backend and the reference agree)', () => {
    const rows = [
      [1, 2, 3],
      [-Infinity, 0, -Infinity],
      [-Infinity, -Infinity, -Infinity],
      [Infinity, 0, 1],
      [NaN, 1, 2],
      [1000, 1001, 999],
    ];
    const x = mx.array(rows);
    const sm = onBackend(backend, () => mx.softmax(x, -1).tolist()) as number[][];
    const lse = onBackend(backend, () => mx.logsumexp(x, -1).tolist()) as number[];
    const e = Math.exp;
    const want = [
      [e(-2) / (e(-2) + e(-1) + 1), e(-1) / (e(-2) + e(-1) + 1), 1 / (e(-2) + e(-1) + 1)],
      [0, 1, 0],
      [NaN, NaN, NaN],
      [NaN, 0, 0],
      [NaN, NaN, NaN],
      [e(-1) / (e(-1) + 1 + e(-2)), 1 / (e(-1) + 1 + e(-2)), e(-2) / (e(-1) + 1 + e(-2))],
    ];
    expect(sm.map((r) => r.length)).toEqual(want.map((r) => r.length));
    expect(lse).toHaveLength(rows.length);
    sm.forEach((r, i) =>
      r.forEach((v, j) => (Number.isNaN(want[i]![j]!) ? expect(v, `softmax row ${i}`).toBeNaN() : expect(v, `softmax row ${i}`).toBeCloseTo(want[i]![j]!, 6))),
    );
    const wantLse = [Math.log(e(1) + e(2) + e(3)), 0, -Infinity, Infinity, NaN, 1001 + Math.log(e(-1) + 1 + e(-2))];
    lse.forEach((v, i) =>
      Number.isNaN(wantLse[i]!)
        ? expect(v).toBeNaN()
        : Number.isFinite(wantLse[i]!)
          ? expect(v, `logsumexp row ${i}`).toBeCloseTo(wantLse[i]!, 4)
          : expect(v).toBe(wantLse[i]),
    );
  });
});
