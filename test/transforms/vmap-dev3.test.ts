import { it } from 'vitest';
import * as mx from '@mlx-ts/core';
import { referenceBackend } from '@mlx-ts/reference-backend';
import { checkVmap, checkPrimitive, arrays, shapes, fc } from '@mlx-ts/testing';
mx.registerBackend(referenceBackend);
it('kit vmap', () => {
  const x = [0, 1, 2].map((i) => mx.add(mx.reshape(mx.arange(12, mx.float32), [3, 4]), i));
  checkVmap((a) => mx.sum(a, 1), x.map((a) => [a]));
  checkPrimitive({
    setup: shapes({ minDims: 1 }),
    args: (s) => fc.tuple(arrays({ shape: s, dtype: 'float32' })),
    fn: () => (a) => mx.cumsum(a, 0),
    primitive: 'cumsum',
  }, { checks: ['vmap'] });
});
