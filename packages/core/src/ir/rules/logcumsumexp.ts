/**
 * Rules of `logcumsumexp` (y_i = log Σ_{j∈P(i)} exp(x_j), P(i) the prefix the scan's direction and
 * inclusiveness give) and of `view`.
 *
 * Both derivatives are weighted sums exp(x_j - y_i) over prefixes, which overflow if written with
 * exp(x) directly. As TensorFlow's rule (and MLX's), the signed weights go through the log domain:
 * a tangent or cotangent is split into its positive and negative parts, the log of each is scanned
 * with logcumsumexp itself, and the two exponentials are subtracted. Every exponent is then a
 * difference x_j - y_i <= 0 over a prefix, so nothing overflows, and the rules are compositions
 * of primitives with rules of their own (second order follows).
 */
import type { Array } from '../../array.js';
import type { Params } from '../primitives.js';
import type { JvpRule, VjpRule, VmapRule } from '../rules.js';
import { ad, zerosLike } from './ad.js';
import { moveAxisNode, node } from '../../graph.js';

type P = Params<'logcumsumexp'>;

/** log of the positive part of t (sign 1) or of the negative part (sign -1), -inf elsewhere; finite arguments to log only. */
function logPart(t: Array, sign: 1 | -1): Array {
  const keep = sign === 1 ? ad.greater(t, 0) : ad.less(t, 0);
  const mag = sign === 1 ? t : ad.negative(t);
  return ad.where(keep, ad.log(ad.where(keep, mag, 1)), -Infinity);
}

/** y with -inf (an empty prefix) read as 0, so that -inf - y never makes a NaN; such outputs get weight exp(-inf) = 0. */
const finiteOr0 = (y: Array): Array => ad.where(ad.equal(y, -Infinity), 0, y);

/** dy_i = Σ_{j∈P(i)} exp(x_j - y_i) t_j. */
export const logcumsumexpJvp: JvpRule<P> = ([x], [t], p, y) => {
  if (!t) return zerosLike(y);
  const ys = finiteOr0(y);
  const part = (sign: 1 | -1) => ad.exp(ad.subtract(ad.scan('logcumsumexp', ad.add(x!, logPart(t, sign)), p), ys));
  return ad.subtract(part(1), part(-1));
};

/** dx_j = Σ_{i: j∈P(i)} g_i exp(x_j - y_i): the same scan the other way over log(g) - y. */
export const logcumsumexpVjp: VjpRule<P> = ([x], g, argnums, p, y) =>
  argnums.map(() => {
    const empty = ad.equal(y, -Infinity);
    const back = { ...p, reverse: !p.reverse };
    const part = (sign: 1 | -1) => ad.exp(ad.add(x!, ad.scan('logcumsumexp', ad.where(empty, -Infinity, ad.subtract(logPart(g, sign), finiteOr0(y))), back)));
    return ad.subtract(part(1), part(-1));
  });

/** A bit reinterpretation has no derivative (MLX defines none). */
function viewNoDerivative(mode: 'JVP' | 'VJP'): Error {
  return new Error(`view: has no ${mode} (reinterpreting bits is not differentiable, as in MLX); apply stopGradient(...) to its input`);
}
export const viewJvp: JvpRule<Params<'view'>> = () => {
  throw viewNoDerivative('JVP');
};
export const viewVjp: VjpRule<Params<'view'>> = () => {
  throw viewNoDerivative('VJP');
};

/** view rescales the last axis: a batch axis there moves to the front, anywhere else it stays. */
export const viewVmap: VmapRule<Params<'view'>> = ([x], [ax], p) => {
  const at = ax === x!.ndim - 1 ? 0 : ax!;
  return [node('view', [moveAxisNode(x!, ax!, at)], p), at];
};
