/**
 * The `compiled` primitive under the property kit: vmap against a loop, JVP against finite
 * differences, VJP against JVP, compile against eager, on the fused reference backend. Its program
 * (constants, exp, tanh, astype) complements the one test/properties/primitives.test.ts runs on
 * every backend (sin, greater, where).
 */
import { afterAll, beforeAll, it } from 'vitest';
import { arrays, checkPrimitive, dtypes, fc, type PropertyCase, shapes } from '@mlx-ts/testing';
import { mx, useFusedReference } from './helpers.js';

beforeAll(() => useFusedReference());
afterAll(() => mx.useBackend(null));

const program = (dtype: mx.Dtype): mx.CompiledParams => ({
  nInputs: 2,
  name: 'case',
  instrs: [
    { op: 'constant', dtype, args: [], value: 1.5 },
    { op: 'exp', dtype, args: [0] },
    { op: 'multiply', dtype, args: [3, 1] },
    { op: 'add', dtype, args: [4, 2] },
    { op: 'tanh', dtype, args: [5] },
    { op: 'astype', dtype, args: [6] },
    { op: 'multiply', dtype, args: [7, 7] },
  ],
});

const compiledCase: PropertyCase<{ shape: number[]; dtype: mx.Dtype }> = {
  primitive: 'compiled',
  setup: fc.record({ shape: shapes(), dtype: dtypes({ kinds: ['float'] }) }),
  gradSetup: fc.record({ shape: shapes(), dtype: fc.constant(mx.float32) }),
  args: (s) => fc.tuple(arrays({ shape: s.shape, dtype: s.dtype, min: -1, max: 1 }), arrays({ shape: s.shape, dtype: s.dtype, min: -1, max: 1 })),
  fn: () => (a, b) => mx.node('compiled', [a!, b!], program(a!.dtype)),
};

it('compiled: vmap, jvp, vjp and compile properties', () => {
  checkPrimitive(compiledCase, { numRuns: 8, batchSize: 3 });
});
