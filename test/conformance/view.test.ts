/**
 * Conformance: `view` between every pair of dtypes (a bool or int64 target excepted: the
 * reference stores numbers, so bytes that are not 0/1 or int64s past 2^53 do not survive it), on
 * strided, sliced and broadcast layouts, bit for bit against the reference.
 */
import fc from 'fast-check';
import { ALL_NAMES, checkOp, describeBackends, inputArb, mx, property } from '../helpers/index.js';
import type { DtypeName } from '@mlx-ts/core';

const targets = ALL_NAMES.filter((d) => d !== 'bool' && d !== 'int64');

describeBackends('conformance: view', (backend) => {
  property(
    'every dtype pair, every layout',
    fc
      .tuple(fc.constantFrom(...ALL_NAMES), fc.constantFrom(...targets), fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), fc.constantFrom(8, 16))
      .chain(([from, to, lead, last]) => fc.tuple(inputArb([...lead, last], from), fc.constant(to as DtypeName))),
    ([x, to]) => {
      checkOp(backend, [x], (a) => mx.view(a, to), { label: `view ${x.dtype} -> ${to}`, tol: { rtol: 0, atol: 0 } });
    },
    40,
  );
});
