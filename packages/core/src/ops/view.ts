/**
 * MLX's `view` (the bytes read as another dtype) and `asStrided` (a strided window over the
 * row-major elements).
 */
import type { Array } from '../array.js';
import type { StreamOrDevice } from '../device.js';
import { type Dtype, int32, toDtype } from '../dtype.js';
import { node } from '../graph.js';
import { fmtShape, shapeSize } from '../shape.js';
import { describeValue } from '../describe.js';
import { array, type ArrayInput, type DtypeLike, type OptArgs, parseOpts, toArray } from './convert.js';

/**
 * `a` viewed as `dtype`: the bytes of its elements in row-major order, read as elements of
 * `dtype` (MLX's `view`). With items of another size the last axis changes: a smaller item
 * multiplies it by the ratio, a larger one divides it, which needs the last axis's bytes to be a
 * multiple of the new item size; a 0-d array only takes a dtype of its own size. The result is
 * a new array (not an alias of `a`'s memory); `view` has no derivative, as in MLX.
 *
 * @example mx.view(mx.array([1], mx.float32), mx.uint32) // [1065353216]
 */
export function view(a: ArrayInput, dtype: DtypeLike, opts?: { stream?: StreamOrDevice | null }): Array {
  const fn = 'view';
  const o = parseOpts(fn, [opts], []);
  const x = toArray(fn, a);
  const to: Dtype = toDtype(dtype, fn);
  if (to === x.dtype) return x;
  if (x.ndim === 0 && to.size !== x.dtype.size) {
    throw new Error(
      `${fn}: a 0-d array of ${x.dtype.name} (${x.dtype.size} bytes) can only be viewed as a dtype of the same size, got ${to.name} (${to.size} bytes)`,
    );
  }
  if (to.size > x.dtype.size) {
    const last = x.shape[x.ndim - 1]!;
    if ((last * x.dtype.size) % to.size !== 0) {
      throw new Error(
        `${fn}: viewing ${x.dtype.name} of shape ${fmtShape(x.shape)} as ${to.name} needs the last axis's ${last * x.dtype.size} bytes to be a multiple of ${to.size}`,
      );
    }
  }
  return node('view', [x], { dtype: to }, o.stream);
}

/** Options of {@link asStrided}. */
export interface AsStridedOpts {
  /** The output's shape (default: `a`'s). */
  shape?: readonly number[] | null;
  /** The step, in elements of the row-major data, of each output axis (default: row-major for `shape`). */
  strides?: readonly number[] | null;
  /** The element of the row-major data the output's first element reads (default 0). */
  offset?: number;
  stream?: StreamOrDevice | null;
}

/**
 * A strided window over `a` read as if row-major contiguous (MLX's `asStrided`): output element
 * (i_0, ..., i_{n-1}) is element `offset + Σ i_k * strides[k]` of `a`'s row-major data, so
 * `asStrided(x, [3, 2], [1, 1])` makes overlapping windows. Strides may be 0 or negative; every
 * element read must lie inside `a` (unlike MLX, which leaves reads past the end undefined, it is
 * an Error). A composition (a gather from the flattened array), so it differentiates (the
 * cotangents of overlapping reads add up, MLX's rule) and batches.
 *
 * @example mx.asStrided(mx.arange(4), [3, 2], [1, 1]) // [[0, 1], [1, 2], [2, 3]]
 */
export function asStrided(
  a: ArrayInput,
  ...args: OptArgs<[shape?: readonly number[] | null, strides?: readonly number[] | null, offset?: number], AsStridedOpts>
): Array {
  const fn = 'asStrided';
  const o = parseOpts(fn, args, ['shape', 'strides', 'offset'], { shape: 'intList', strides: 'intList', offset: 'count' });
  const x = toArray(fn, a);
  const shape: number[] = o.shape == null ? x.shape.slice() : (o.shape as number[]).slice();
  if (shape.some((d) => d < 0)) throw new Error(`${fn}: negative dimensions are not allowed, got shape ${fmtShape(shape)}`);
  let strides: number[];
  if (o.strides == null) {
    strides = new globalThis.Array<number>(shape.length).fill(1);
    for (let i = shape.length - 1; i > 0; i--) strides[i - 1] = strides[i]! * shape[i]!;
  } else {
    strides = (o.strides as number[]).slice();
    if (strides.length !== shape.length) {
      throw new Error(`${fn}: expected one stride per axis of shape ${fmtShape(shape)} (${shape.length}), got ${describeValue(o.strides)}`);
    }
  }
  const offset: number = o.offset ?? 0;
  const n = shapeSize(shape);
  const flat = node('reshape', [x], { shape: [x.size] }, o.stream);
  if (n === 0) return node('reshape', [node('slice', [flat], { start: [0], step: [1], shape: [0] }, o.stream)], { shape }, o.stream);
  // The smallest and largest element read: every axis at its first or last index.
  let lo = offset,
    hi = offset;
  shape.forEach((d, k) => {
    const reach = (d - 1) * strides[k]!;
    if (reach < 0) lo += reach;
    else hi += reach;
  });
  if (lo < 0 || hi >= x.size) {
    throw new Error(
      `${fn}: shape ${fmtShape(shape)} with strides ${fmtShape(strides)} and offset ${offset} reads elements ${lo} to ${hi}, outside the ${x.size} elements of the input`,
    );
  }
  if (hi > 2 ** 31 - 1) throw new Error(`${fn}: element index ${hi} does not fit int32`);
  // index = offset + Σ arange(shape_k) * strides_k, broadcast over the output's axes.
  let idx: Array = node('broadcastTo', [array(offset, int32)], { shape }, o.stream);
  shape.forEach((d, k) => {
    if (d === 1 || strides[k] === 0) return;
    const axis = node('arange', [], { start: 0, step: strides[k]!, n: d, dtype: int32 }, o.stream);
    const along = node('reshape', [axis], { shape: shape.map((s, j) => (j === k ? s : 1)) }, o.stream);
    idx = node('add', [idx, node('broadcastTo', [along], { shape }, o.stream)], {}, o.stream);
  });
  return node('gather', [flat, idx], { axis: 0 }, o.stream);
}
