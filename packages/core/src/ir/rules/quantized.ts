/**
 * The quantizedMatmul primitive's transform rules. The product is linear in x and, jointly, in
 * (scales, biases), so every derivative is itself a quantized product or a plain matmul: as MLX's
 * `QuantizedMatmul::jvp`/`vjp`, x's cotangent multiplies by the same packed matrix the other way
 * round, the scales' and biases' come from the dense weight cotangent summed per group, and the
 * packed codes (integers) have none.
 */
import type { Array } from '../../array.js';
import { float32 } from '../../dtype.js';
import { moveAxisNode, node, reshapeNode as reshape } from '../../graph.js';
import { dequantized } from '../../ops/quantized-codes.js';
import type { QuantizedMatmulParams } from '../primitives.js';
import type { JvpRule, VjpRule, VmapRule } from '../rules.js';
import { ad, onesLike, zerosLike } from './ad.js';
import { noDerivative } from './derivatives.js';

const qmm = (x: Array, w: Array, s: Array, b: Array, p: QuantizedMatmulParams): Array => node('quantizedMatmul', [x, w, s, b], p);

export const quantizedMatmulJvp: JvpRule<QuantizedMatmulParams> = ([x, w, s, b], [tx, , ts, tb], p, y) =>
  ad.sumTerms([tx ? qmm(tx, w!, s!, b!, p) : null, ts || tb ? qmm(x!, w!, ts ?? zerosLike(s!), tb ?? zerosLike(b!), p) : null], y);

/** The dense weight's cotangent as [rows, groups, groupSize] (rows: w's first axis). */
function weightCotangent(x: Array, g: Array, p: QuantizedMatmulParams): Array {
  const k = x.shape[x.ndim - 1]!,
    n = g.shape[g.ndim - 1]!;
  const fx = reshape(x, [x.size / Math.max(k, 1), k]);
  const fg = reshape(g, [fx.shape[0]!, n]);
  const dw = p.transpose ? ad.matmul(ad.mT(fg), fx) : ad.matmul(ad.mT(fx), fg);
  return reshape(dw, [dw.shape[0]!, dw.shape[1]! / p.groupSize, p.groupSize]);
}

/** Sums [rows, groups, groupSize] over each group. */
const perGroup = (a: Array): Array => reshape(ad.sum(a, [2]), a.shape.slice(0, 2));

export const quantizedMatmulVjp: VjpRule<QuantizedMatmulParams> = ([x, w, s, b], g, argnums, p) => {
  let dsb: Array | undefined;
  const grouped = (): Array => (dsb ??= weightCotangent(x!, g, p));
  return argnums.map((i) => {
    if (i === 0) return qmm(g, w!, s!, b!, { ...p, transpose: !p.transpose });
    if (i === 1) throw noDerivative('quantizedMatmul', 'the packed matrix (argument 1)', 'VJP');
    if (i === 3) return perGroup(grouped());
    if (i === 2) {
      const codes = dequantized(w!, onesLike(s!), zerosLike(s!), p.groupSize, p.bits, undefined);
      const c = reshape(codes, [codes.shape[0]!, codes.shape[1]! / p.groupSize, p.groupSize]);
      return perGroup(ad.multiply(grouped(), c));
    }
    throw new Error(`quantizedMatmul: VJP asked for argument ${i}, but the primitive has 4 inputs`);
  });
};

/**
 * A batched x moves its batch axis to the front (x may have any leading axes). A batched matrix,
 * scales or biases has no packed form, so the rule multiplies by the dequantized matrices instead,
 * in float32 for 16-bit inputs (as the kernel accumulates), rounding once at the end: a 16-bit dense
 * matrix would round every weight, far from the packed product where its terms cancel.
 */
export const quantizedMatmulVmap: VmapRule<QuantizedMatmulParams> = ([x, w, s, b], [xa, wa, sa, ba], p) => {
  const none = (a: number | null | undefined): boolean => a === null || a === undefined;
  if (none(wa) && none(sa) && none(ba)) return [qmm(moveAxisNode(x!, xa!, 0), w!, s!, b!, p), 0];
  const size = [w!, s!, b!].map((a, i) => (none([wa, sa, ba][i]) ? 0 : a.shape[[wa, sa, ba][i]!]!)).find((n) => n > 0)!;
  const wide = x!.dtype.size < 4 ? float32 : x!.dtype;
  const front = (a: Array, ax: number | null | undefined): Array => (none(ax) ? ad.broadcastTo(a, [size, ...a.shape]) : moveAxisNode(a, ax!, 0));
  const frontWide = (a: Array, ax: number | null | undefined): Array => ad.astype(front(a, ax), wide);
  const dense = dequantized(front(w!, wa), frontWide(s!, sa), frontWide(b!, ba), p.groupSize, p.bits, undefined); // [B, rows, cols]
  const mat = p.transpose ? ad.mT(dense) : dense; // [B, K, N]
  const x0 = ad.astype(none(xa) ? ad.broadcastTo(x!, [size, ...x!.shape]) : moveAxisNode(x!, xa!, 0), wide); // [B, ..., K]
  const k = x0.shape[x0.ndim - 1]!;
  const rows = x0.size / size / Math.max(k, 1);
  const out = ad.matmul(reshape(x0, [size, rows, k]), mat);
  return [ad.astype(reshape(out, [size, ...x0.shape.slice(1, -1), mat.shape[2]!]), x!.dtype), 0];
};
