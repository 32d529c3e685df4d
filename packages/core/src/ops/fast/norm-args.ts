/** The argument checks mx.fast's two normalizations share (MLX's rules for x, weight, bias and eps). */
import type { Array } from '../../array.js';
import type { StreamOpt, StreamOrDevice } from '../../device.js';
import { type Dtype, promoteTypes } from '../../dtype.js';
import { describeValue } from '../../describe.js';
import { node } from '../../graph.js';
import { fmtShape } from '../../shape.js';
import { array, type ArrayInput, astype, parseOpts, toArray } from '../convert.js';

/**
 * Builds `prim`'s node: x and each given [D] operand cast to the output dtype (x's, promoted with
 * the weight's and, when there is a weight, the bias's, as MLX), a missing one replaced by
 * `missing` broadcast to [D] (a stride-0 view, nothing is allocated).
 */
export function normNode(
  fn: 'rmsNorm' | 'layerNorm',
  x: ArrayInput,
  operands: readonly [name: string, value: ArrayInput | null | undefined, missing: number][],
  eps: unknown,
  opts: StreamOpt | undefined,
): Array {
  const s: StreamOrDevice | null | undefined = opts === undefined ? undefined : parseOpts(fn, [opts], []).stream;
  const a = toArray(fn, x);
  if (a.ndim === 0) throw new Error(`${fn}: expected x to have at least 1 dimension, got a 0-d array`);
  if (typeof eps !== 'number') throw new Error(`${fn}: expected eps to be a number, got ${describeValue(eps)}`);
  const d = a.shape[a.ndim - 1]!;
  const given = operands.map(([name, v]) => {
    if (v === null || v === undefined) return null;
    const w = toArray(fn, v);
    if (w.ndim !== 1 || w.shape[0] !== d) {
      throw new Error(`${fn}: expected ${name} to have shape [${d}] (the size of x's last axis), got ${fmtShape(w.shape)}`);
    }
    return w;
  });
  // MLX: the weight decides with x, and the bias joins only next to a weight.
  let dt: Dtype = a.dtype;
  if (given[0]) for (const w of given) if (w) dt = promoteTypes(dt, w.dtype);
  if (!dt.isFloating) throw new Error(`${fn}: expected floating inputs, got ${dt.name}`);
  const inputs = given.map((w, i) => (w ? astype(w, dt, s) : node('broadcastTo', [array(operands[i]![2], dt)], { shape: [d] }, s)));
  return node(fn, [astype(a, dt, s), ...inputs], { eps }, s);
}
