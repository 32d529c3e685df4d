/**
 * Test support for compile: a backend that is the reference backend plus its `compiled` kernel
 * (packages/reference-backend/src/kernels/compiled.ts), so fused kernels run whether or not the
 * reference backend's own table lists the kernel yet.
 */
import * as mx from 'mlx-ts/internals';
import { referenceBackend } from '@mlx-ts/reference-backend';
import type { Backend, Step, View } from '@mlx-ts/core';
import { compiledKernel } from '../../packages/reference-backend/src/kernels/compiled.js';
import { liveStorage, ReferenceStorage } from '../../packages/reference-backend/src/storage.js';
import { readStrided } from '../../packages/reference-backend/src/strided.js';

export { mx };

export const fusedReference: Backend = {
  ...referenceBackend,
  name: 'reference-fused',
  priority: -1,
  supports: (p: string) => p === 'compiled' || referenceBackend.supports(p),
  execute(steps: readonly Step[]): unknown[] {
    const outs: unknown[] = [];
    for (const step of steps) {
      const inputs: View[] = step.inputs.map((v) => (v.source.kind === 'step' ? { ...v, source: { kind: 'storage', handle: outs[v.source.index] } } : v));
      if (step.prim === 'compiled' && !referenceBackend.supports('compiled')) {
        const ops = inputs.map((v) => ({
          data: readStrided(liveStorage((v.source as { handle: unknown }).handle).data, v.shape, v.strides, v.offset),
          shape: v.shape,
          dtype: v.dtype,
        }));
        const data = compiledKernel({ inputs: ops, params: step.params as never, shape: step.shape, dtype: step.dtype });
        outs.push(new ReferenceStorage(data, step.dtype));
      } else {
        outs.push(referenceBackend.execute([{ ...step, inputs }])[0]);
      }
    }
    return outs;
  },
};

let registered = false;
/** Makes the fused reference backend serve the CPU (call in beforeAll; `mx.useBackend(null)` undoes it). */
export function useFusedReference(): void {
  if (!registered) {
    mx.registerBackend(fusedReference);
    registered = true;
  }
  mx.useBackend('reference-fused');
}
