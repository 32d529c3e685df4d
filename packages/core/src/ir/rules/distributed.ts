/**
 * The transform rules of the distributed primitives (mx.distributed), in one place for the three
 * tables. Derivatives follow one convention: the objective of an SPMD program is the sum of every
 * process's own loss, so the cotangent of a value every process holds is the sum of their
 * cotangents. Hence the VJP of allSum is allSum (MLX returns the cotangent unchanged, which counts
 * a loss that every process computes alike once instead of once per process), allGather's VJP is
 * this process's block of allSum(g), and allMax/allMin pass derivatives to the processes holding
 * the extremum (shared equally on ties). send and recv have no derivatives.
 */
import type { Array } from '../../array.js';
import { moveAxisNode, node, reshapeNode as reshape } from '../../graph.js';
import type { Params } from '../primitives.js';
import type { JvpRule, VjpRule, VmapRule } from '../rules.js';
import { ad, astype, zerosLike } from './ad.js';

type Distributed = 'allReduce' | 'allGather' | 'send' | 'recv';

const allSum = (x: Array, p: Params<'allReduce'>): Array => node('allReduce', [x], { ...p, reduce: 'sum' });

/** allMax/allMin: 1/count on the processes whose x is the result, 0 elsewhere. */
function extremumWeights(x: Array, y: Array, p: Params<'allReduce'>): Array {
  const hit = astype(ad.equal(x, y), x.dtype);
  return ad.divide(hit, allSum(hit, p));
}

function noDerivative(prim: string, mode: string): never {
  throw new Error(`${prim}: has no ${mode} rule (a message between processes has no derivative); wrap its input in stopGradient(...)`);
}

export const distributedJvp: { [P in Distributed]: JvpRule<Params<P>> } = {
  allReduce: ([x], [t], p, y) => {
    if (!t) return zerosLike(y);
    return p.reduce === 'sum' ? allSum(t, p) : allSum(ad.multiply(t, extremumWeights(x!, y, p)), p);
  },
  allGather: (_xs, [t], p, y) => (t ? node('allGather', [t], p) : zerosLike(y)),
  send: () => noDerivative('send', 'JVP'),
  // No inputs, so no tangent flows in.
  recv: (_xs, _ts, _p, y) => zerosLike(y),
};

export const distributedVjp: { [P in Distributed]: VjpRule<Params<P>> } = {
  allReduce: ([x], g, argnums, p, y) => argnums.map(() => (p.reduce === 'sum' ? allSum(g, p) : ad.multiply(extremumWeights(x!, y, p), allSum(g, p)))),
  allGather: ([x], g, argnums, p) => {
    const total = node('allReduce', [g], { group: p.group, rank: p.rank, size: p.size, reduce: 'sum' });
    if (x!.ndim === 0) return argnums.map(() => reshape(ad.slice(total, [p.rank], [1], [1]), []));
    const n = x!.shape[0]!;
    const start = x!.shape.map((_, i) => (i === 0 ? p.rank * n : 0));
    return argnums.map(() =>
      ad.slice(
        total,
        start,
        start.map(() => 1),
        x!.shape,
      ),
    );
  },
  send: () => noDerivative('send', 'VJP'),
  recv: (_xs, _g, argnums) => argnums.map(() => noDerivative('recv', 'VJP')),
};

export const distributedVmap: { [P in Distributed]: VmapRule<Params<P>> } = {
  // Elementwise across processes: the batch axis stays where it is.
  allReduce: ([x], [ax], p) => [node('allReduce', [x!], p), ax!],
  // The gather stacks along axis 0, so the batch moves last (a 0-d element gets an axis of 1 to stack on).
  allGather: ([x], [ax], p) => {
    const last = moveAxisNode(x!, ax!, x!.ndim - 1);
    const stacked = x!.ndim === 1 ? reshape(last, [1, x!.shape[ax!]!]) : last;
    return [node('allGather', [stacked], p), stacked.ndim - 1];
  },
  send: ([x], [ax], p) => [node('send', [x!], p), ax!],
  recv: (_inputs, _axes, p) => {
    throw new Error(`vmap: recv (from ${p.src}) has no array inputs and cannot be batched; vmap treats it as a constant and never calls this rule`);
  },
};
