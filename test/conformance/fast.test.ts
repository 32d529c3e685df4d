/**
 * Conformance: mx.fast's rmsNorm, layerNorm and rope on every floating dtype and input layout
 * (transposed, sliced, broadcast rows), without weight or bias, and rope's every option: both
 * pairings, partial dims, per-row offsets, freqs, and the inverse rotation its VJP runs.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { checkOp, describeBackends, FLOAT_NAMES, inputArb, mx, onBackend, property } from '../helpers/index.js';
import type { DtypeName } from '@mlx-ts/core';

const dtypeArb = fc.constantFrom<DtypeName>(...FLOAT_NAMES);
const rows = fc.tuple(fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), fc.integer({ min: 1, max: 9 }));

describeBackends('conformance: mx.fast', (backend) => {
  property(
    'rmsNorm and layerNorm on every layout, with and without weight and bias',
    fc
      .tuple(rows, dtypeArb, fc.boolean(), fc.boolean(), fc.constantFrom(1e-5, 0.1))
      .chain(([[lead, d], dt, hasW, hasB, eps]) =>
        fc.tuple(inputArb([...lead, d], dt, { min: -3, max: 3 }), inputArb([d], dt), inputArb([d], dt), fc.constant({ hasW, hasB, eps })),
      ),
    ([x, w, b, o]) => {
      checkOp(
        backend,
        [x, w, b],
        (a, wt, bs) => [mx.fast.rmsNorm(a, o.hasW ? wt : null, o.eps), mx.fast.layerNorm(a, o.hasW ? wt : null, o.hasB ? bs : null, o.eps)],
        {
          label: `norms weight=${o.hasW} bias=${o.hasB} eps=${o.eps}`,
        },
      );
    },
    30,
  );

  it('layerNorm of constant rows is exactly 0 (the mean of a constant row is its value)', () => {
    // Below float64 the mean is summed exactly (in double); a float64 row's own sum rounds.
    for (const dt of FLOAT_NAMES.filter((n) => n !== 'float64')) {
      for (const c of [0.1, 1 / 3, 7.77, -123.456]) {
        const y = onBackend(backend, () => mx.fast.layerNorm(mx.broadcastTo(mx.array([c], mx[dt]), [3, 37]), null, null, 1e-5));
        expect(
          onBackend(backend, () => mx.max(mx.abs(y)).item()),
          `layerNorm of constant ${c} (${dt})`,
        ).toBe(0);
      }
    }
  });

  property(
    'rope: traditional or not, partial dims, offsets, freqs, both directions',
    fc
      .record({
        b: fc.integer({ min: 1, max: 2 }),
        heads: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
        t: fc.integer({ min: 1, max: 5 }),
        half: fc.integer({ min: 1, max: 3 }),
        rest: fc.integer({ min: 0, max: 3 }),
        traditional: fc.boolean(),
        freqs: fc.boolean(),
        perRow: fc.boolean(),
        offset: fc.integer({ min: 0, max: 40 }),
        scale: fc.constantFrom(1, 0.25, 2),
        base: fc.constantFrom(10000, 500000),
        dtype: dtypeArb,
      })
      .chain((s) =>
        fc.tuple(
          fc.constant(s),
          inputArb([s.b, ...s.heads, s.t, 2 * s.half + s.rest], s.dtype, { min: -2, max: 2 }),
          inputArb([s.half], 'float32', { min: 0.5, max: 20 }),
        ),
      ),
    ([s, x, f]) => {
      const dims = 2 * s.half;
      checkOp(
        backend,
        [x, f],
        (a, freqs) => {
          const offset = s.perRow ? mx.add(mx.arange(s.b, mx.int32), s.offset) : s.offset;
          const opts = { traditional: s.traditional, base: s.freqs ? null : s.base, scale: s.scale, offset, freqs: s.freqs ? freqs : null };
          const y = mx.fast.rope(a, dims, opts);
          // The VJP's inverse rotation undoes it.
          const [back] = mx.vjp((z: mx.Array) => mx.fast.rope(z, dims, opts), [a], [y])[1];
          return [y, back!];
        },
        { label: `rope ${JSON.stringify(s)}` },
      );
    },
    30,
  );
});
