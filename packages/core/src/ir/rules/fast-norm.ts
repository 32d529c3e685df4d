/**
 * Transform rules of mx.fast's normalizations (`rmsNorm`, `layerNorm`) and `rope`. The derivatives
 * are compositions of core primitives in the input's dtype (MLX's VJP fallbacks; MLX also has
 * dedicated VJP kernels), so they nest to any order. With n the normalized row and r =
 * rsqrt(mean(c²) + eps) (c = x for rmsNorm, x - mean(x) for layerNorm), the Jacobian of n in x is
 * r (I - n nᵀ / D) for rmsNorm and r (I - 1 1ᵀ / D - n nᵀ / D) for layerNorm: symmetric, so the JVP
 * and the VJP apply the same map (to the tangent, or to the cotangent times the weight).
 *
 * rope is linear in x and orthogonal, so its JVP is rope of the tangent and its VJP the inverse
 * rotation (`forward` flipped) of the cotangent. Offsets are integers (no derivative); freqs have
 * none here, as in MLX.
 */
import type { Array } from '../../array.js';
import { float32 } from '../../dtype.js';
import { moveAxisNode, node, reshapeNode as reshape } from '../../graph.js';
import type { Params, RopeParams } from '../primitives.js';
import type { JvpRule, VjpRule, VmapRule } from '../rules.js';
import { ad } from './ad.js';

type Norm = 'rmsNorm' | 'layerNorm';

/** The last axis of a. */
const last = (a: Array): number => a.ndim - 1;
const meanLast = (a: Array): Array => ad.multiply(ad.sum(a, [last(a)]), 1 / a.shape[last(a)]!);

/** The normalized rows n and their scale r (kept as size 1 on the last axis). */
function normalized(prim: Norm, x: Array, eps: number): { n: Array; r: Array } {
  const c = prim === 'layerNorm' ? ad.subtract(x, meanLast(x)) : x;
  const r = ad.rsqrt(ad.add(meanLast(ad.square(c)), eps));
  return { n: ad.multiply(c, r), r };
}

/** The Jacobian of n in x applied to v (a tangent, or a cotangent times the weight). */
function applyJacobian(prim: Norm, n: Array, r: Array, v: Array): Array {
  let u = ad.subtract(v, ad.multiply(n, meanLast(ad.multiply(n, v))));
  if (prim === 'layerNorm') u = ad.subtract(u, meanLast(v));
  return ad.multiply(r, u);
}

function normJvp(prim: Norm): JvpRule<{ eps: number }> {
  return ([x, w], [tx, tw, tb], p, y) => {
    if (!tx && !tw) return tb ? ad.broadcastTo(tb, y.shape) : ad.zerosLike(y);
    const { n, r } = normalized(prim, x!, p.eps);
    return ad.sumTerms(
      [tx ? ad.multiply(applyJacobian(prim, n, r, tx), w!) : null, tw ? ad.multiply(n, tw) : null, tb ? ad.broadcastTo(tb, y.shape) : null],
      y,
    );
  };
}

function normVjp(prim: Norm): VjpRule<{ eps: number }> {
  return ([x, w], g, argnums, p) => {
    const { n, r } = normalized(prim, x!, p.eps);
    return argnums.map((i) => {
      if (i === 0) return applyJacobian(prim, n, r, ad.multiply(g, w!));
      if (i === 1) return ad.sumTo(ad.multiply(g, n), w!.shape);
      if (i === 2 && prim === 'layerNorm') return ad.sumTo(g, w!.shape);
      throw new Error(`${prim}: VJP asked for argument ${i}, but the primitive has ${prim === 'layerNorm' ? 3 : 2} inputs`);
    });
  };
}

/**
 * The norms act on the last axis: a batched x keeps its batch axis unless it is the last one
 * (then it moves to the front). A batched weight or bias cannot be one [D] operand, so the row
 * normalization runs with unit weight and zero bias and the batched affine part is applied after.
 */
function normVmap(prim: Norm): VmapRule<{ eps: number }> {
  return (inputs, axes, p) => {
    const [x, ...affine] = inputs;
    const [xa, ...affineAxes] = axes;
    if (affineAxes.every((a) => a === null || a === undefined)) {
      const at = xa === last(x!) ? 0 : xa!;
      return [node(prim, [moveAxisNode(x!, xa!, at), ...affine], p), at];
    }
    const b = inputs[axes.findIndex((a) => a !== null && a !== undefined)]!.shape[axes.find((a) => a !== null && a !== undefined)!]!;
    // 16-bit floats run the parts in float32 and round once, as the kernel does.
    const dt = x!.dtype;
    const ct = dt.size === 2 ? float32 : dt;
    // Every operand batch-first, then aligned to [B, ...x's other axes, D] by broadcasting.
    const x0 = ad.astype(xa === null || xa === undefined ? ad.broadcastTo(x!, [b, ...x!.shape]) : moveAxisNode(x!, xa, 0), ct);
    const d = x0.shape[last(x0)]!;
    const unit = [ad.full([d], 1, ct), ...(prim === 'layerNorm' ? [ad.full([d], 0, ct)] : [])];
    let out = node(prim, [x0, ...unit], p);
    const lift = (a: Array, ax: number | null | undefined): Array => {
      const front = ax === null || ax === undefined ? reshape(a, [1, d]) : moveAxisNode(a, ax, 0);
      return ad.astype(reshape(front, [front.shape[0]!, ...x0.shape.slice(1, -1).map(() => 1), d]), ct);
    };
    out = ad.multiply(out, lift(affine[0]!, affineAxes[0]));
    if (prim === 'layerNorm') out = ad.add(out, lift(affine[1]!, affineAxes[1]));
    return [ad.astype(out, dt), 0];
  };
}

export const rmsNormJvp = normJvp('rmsNorm');
export const rmsNormVjp = normVjp('rmsNorm');
export const rmsNormVmap = normVmap('rmsNorm');
export const layerNormJvp = normJvp('layerNorm');
export const layerNormVjp = normVjp('layerNorm');
export const layerNormVmap = normVmap('layerNorm');

const noFreqsDerivative = (what: string): never => {
  throw new Error(`rope: the ${what} with respect to freqs is not supported (as in MLX)`);
};

export const ropeJvp: JvpRule<RopeParams> = ([x, offset, freqs], [tx, , tf], p, y) => {
  if (tf) noFreqsDerivative('derivative');
  return tx ? node('rope', [tx, offset!, ...(freqs ? [freqs] : [])], p) : ad.zerosLike(y);
};

export const ropeVjp: VjpRule<RopeParams> = ([, offset, freqs], g, argnums, p) =>
  argnums.map((i) => {
    if (i === 0) return node('rope', [g, offset!, ...(freqs ? [freqs] : [])], { ...p, forward: !p.forward });
    if (i === 2) return noFreqsDerivative('VJP');
    throw new Error(`rope: VJP asked for argument ${i} (the integer offset has no derivative)`);
  });

/**
 * rope reads axis 0 (the offset's batch), the last two axes (positions, features) and nothing
 * else. A batched x with unbatched inputs puts its batch axis at 0 for a scalar offset, at 1 for a
 * per-row offset. A batched offset folds the batch into axis 0: x as [V * B, ...], the offsets as
 * [V * B]. Batched freqs run one rope per entry.
 */
export const ropeVmap: VmapRule<Params<'rope'>> = (inputs, axes, p) => {
  const [x, offset, freqs] = inputs as [Array, Array, Array | undefined];
  const [xa, oa, fa] = [0, 1, 2].map((i) => axes[i] ?? null) as [number | null, number | null, number | null];
  const b = inputs[axes.findIndex((a) => a !== null && a !== undefined)]!.shape[axes.find((a) => a !== null && a !== undefined)!]!;
  if (fa !== null && fa !== undefined) {
    const entry = (a: Array, ax: number | null, i: number): Array =>
      ax === null
        ? a
        : reshape(
            ad.sliceAxis(a, ax, i, i + 1),
            a.shape.filter((_, k) => k !== ax),
          );
    const parts: Array[] = [];
    for (let i = 0; i < b; i++) {
      const out = node('rope', [entry(x, xa, i), entry(offset, oa, i), entry(freqs!, fa, i)], p);
      parts.push(reshape(out, [1, ...out.shape]));
    }
    return [ad.concatenate(parts, 0), 0];
  }
  const rest = freqs ? [freqs] : [];
  if (oa === null) {
    const at = offset.size === 1 ? 0 : 1;
    return [node('rope', [moveAxisNode(x, xa!, at), offset, ...rest], p), at];
  }
  const x0 = xa === null ? ad.broadcastTo(x, [b, ...x.shape]) : moveAxisNode(x, xa, 0); // [V, B, ...]
  const rows = x0.shape[1]!;
  const o0 = moveAxisNode(offset, oa, 0);
  const o = ad.broadcastTo(reshape(o0, [b, o0.size / b]), [b, rows]);
  const out = node('rope', [reshape(x0, [b * rows, ...x0.shape.slice(2)]), reshape(o, [b * rows]), ...rest], p);
  return [reshape(out, x0.shape), 0];
};
