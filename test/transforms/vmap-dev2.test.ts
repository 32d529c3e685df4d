import { it } from 'vitest';
import * as mx from '@mlx-ts/core';
import { referenceBackend } from '@mlx-ts/reference-backend';
import { vmap } from '../../packages/transforms/src/vmap.js';
mx.registerBackend(referenceBackend);
it('x', () => {
  const a = mx.ones([2, 3, 4]);
  const b = mx.ones([4, 3]);
  const y = vmap(() => mx.array(2), [0, null])(a, b);
  console.log(y.shape, y.primitive, y.inputs[0]!.primitive, y.inputs[0]!.inputs[0]!.shape, y.inputs[0]!.inputs[0]!.isEvaluated);
  console.log(y.tolist());
  mx.enterTrace();
  const c = mx.array(2);
  mx.exitTrace();
  console.log(mx.broadcastTo(mx.reshape(c, [1]), [2]).tolist());
});
