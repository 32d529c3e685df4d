/**
 * The distributed primitives (mx.distributed): this backend has no transport, so it runs them only
 * over a group of one process, where each is the identity (the ops never build them for such a
 * group; raw nodes and the conformance cases do). Larger groups need the CPU backend, which binds MPI.
 */
import type { DistributedParams, Params } from '@mlx-ts/core';
import type { Kernel, KernelCall } from '../kernel.js';

function alone(prim: string, p: DistributedParams): void {
  if (p.size !== 1) {
    throw new Error(`reference backend: ${prim} over a group of ${p.size} processes needs a transport; the cpu backend runs it over MPI`);
  }
}

const identity =
  <P extends DistributedParams>(prim: string): Kernel<P> =>
  ({ inputs: [x], params }: KernelCall<P>) => {
    alone(prim, params);
    return x!.data.slice();
  };

export const distributedKernels: {
  allReduce: Kernel<Params<'allReduce'>>;
  allGather: Kernel<Params<'allGather'>>;
  send: Kernel<Params<'send'>>;
  recv: Kernel<Params<'recv'>>;
} = {
  allReduce: identity('allReduce'),
  allGather: identity('allGather'),
  // The output is the array sent; a group of one has no one to send it to.
  send: identity('send'),
  recv: ({ params, shape }) => {
    alone('recv', params);
    if (shape.some((d) => d === 0)) return new Float64Array(0);
    throw new Error('reference backend: recv needs another process to receive from');
  },
};
