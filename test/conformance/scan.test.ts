/**
 * Conformance: cumsum, cumprod, cummax, cummin, logcumsumexp with axis (or flattened), reverse and inclusive,
 * on every dtype, 0-d and empty arrays, strided inputs, NaN/Inf.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { ALL_NAMES, axisArb, checkOp, defaultTol, describeBackends, FLOAT_NAMES, mx, property, size, unaryArb, type InputOpts } from '../helpers/index.js';
import type { DtypeName } from '@mlx-ts/core';

const sumSpec = (d: DtypeName): InputOpts => (d === 'int64' ? { min: -(2 ** 40), max: 2 ** 40 } : {});
const prodSpec = (d: DtypeName): InputOpts =>
  FLOAT_NAMES.includes(d) ? { min: -1.2, max: 1.2 } : d === 'int64' ? { min: -1, max: 1, specials: [2, -2], pSpecial: 0.05 } : { min: -3, max: 3 };

const scans = [
  { name: 'cumsum', fn: mx.cumsum, spec: sumSpec, exact: false },
  { name: 'cumprod', fn: mx.cumprod, spec: prodSpec, exact: false },
  { name: 'cummax', fn: mx.cummax, spec: undefined, exact: true },
  { name: 'cummin', fn: mx.cummin, spec: undefined, exact: true },
  // Values far apart (the stable log-add-exp must keep both ends), with NaN and infinities among them.
  { name: 'logcumsumexp', fn: mx.logcumsumexp, spec: (d: DtypeName): InputOpts => (FLOAT_NAMES.includes(d) ? { min: -80, max: 80 } : {}), exact: false },
] as const;

describeBackends('conformance: scans', (backend) => {
  for (const s of scans) {
    const arb = unaryArb(ALL_NAMES, s.spec).chain((x) =>
      fc.tuple(
        fc.constant(x),
        x.shape.length === 0 ? fc.constant(undefined) : fc.option(axisArb(x.shape.length), { nil: undefined, freq: 4 }),
        fc.boolean(),
        fc.boolean(),
      ),
    );
    property(
      `${s.name} on every dtype with axis/reverse/inclusive`,
      arb,
      ([x, axis, reverse, inclusive]) => {
        const n = axis === undefined ? size(x.shape) : x.shape[axis < 0 ? axis + x.shape.length : axis]!;
        const mag = Math.max(1, ...x.values.filter(Number.isFinite).map(Math.abs));
        checkOp(backend, [x], (a) => s.fn(a, { axis, reverse, inclusive }), {
          label: `${s.name} axis=${axis} reverse=${reverse} inclusive=${inclusive}`,
          tol: s.exact
            ? { rtol: 0, atol: 0 }
            : (d) => {
                const b = defaultTol(d);
                const eps = d === 'float64' ? 2.3e-16 : 1.2e-7;
                return s.name === 'cumsum'
                  ? { rtol: b.rtol, atol: b.atol + 4 * n * eps * mag }
                  : { rtol: b.rtol * Math.max(1, n), atol: b.atol * Math.max(1, n) };
              },
        });
      },
      30,
    );
  }

  property(
    'positional arguments match the options object',
    unaryArb(['float32', 'int32'], {}, { minRank: 1 }),
    (x) => {
      const [positional, options] = checkOp(backend, [x], (a) => [mx.cumsum(a, 0, true, false), mx.cumsum(a, { axis: 0, reverse: true, inclusive: false })], {
        label: 'cumsum positional',
      });
      expect(positional).toEqual(options);
    },
    10,
  );
});
