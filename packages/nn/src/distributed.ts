/** MLX's `mlx.nn.average_gradients`: data-parallel gradient averaging over `mx.distributed`. */
import {
  type Array,
  astype,
  concatenate,
  describeValue,
  distributed,
  divide,
  Dtype,
  type DtypeLike,
  reshape,
  split,
  type StreamOrDevice,
  toDtype,
  treeFlatten,
  treeUnflatten,
} from '@mlx-ts/core';

/** Options of {@link averageGradients}. */
export interface AverageGradientsOptions {
  /** The processes to average over (default: `mx.distributed.init()`). */
  group?: distributed.Group | null;
  /**
   * Arrays are concatenated into messages of at least this many bytes, one allSum per message
   * (default 32 MiB); 0 or less sends each array alone.
   */
  allReduceSize?: number;
  /** The dtype the sums travel in (cast back afterwards), e.g. bfloat16 to halve the traffic (default: each array's own). */
  communicationType?: DtypeLike | null;
  /** The stream the sums run on. */
  communicationStream?: StreamOrDevice | null;
}

/**
 * The mean of `gradients` (any tree of arrays, of one structure on every process) over the
 * group's processes, batching small arrays into few messages: MLX's `nn.average_gradients`.
 * A group of one process returns `gradients` unchanged.
 */
export function averageGradients<T>(gradients: T, options: AverageGradientsOptions = {}): T {
  const fn = 'averageGradients';
  if (typeof options !== 'object' || options === null) throw new Error(`${fn}: expected an options object, got ${describeValue(options)}`);
  for (const k of Object.keys(options)) {
    if (!['group', 'allReduceSize', 'communicationType', 'communicationStream'].includes(k)) {
      throw new Error(`${fn}: unknown option '${k}' (expected group, allReduceSize, communicationType, communicationStream)`);
    }
  }
  const { allReduceSize = 32 * 1024 ** 2, communicationStream = null } = options;
  if (typeof allReduceSize !== 'number' || Number.isNaN(allReduceSize))
    throw new Error(`${fn}: expected allReduceSize to be a number of bytes, got ${describeValue(allReduceSize)}`);
  if (options.group != null && !(options.group instanceof distributed.Group)) {
    throw new Error(`${fn}: expected group to be a Group (from mx.distributed.init()), got ${describeValue(options.group)}`);
  }
  const commType: Dtype | null = options.communicationType == null ? null : toDtype(options.communicationType, fn);
  const group = options.group ?? distributed.init();
  const n = group.size();
  if (n === 1) return gradients;
  const average = (x: Array): Array => {
    const sent = commType && commType !== x.dtype ? astype(x, commType) : x;
    const sum = distributed.allSum(sent, { group, stream: communicationStream });
    return divide(sent === x ? sum : astype(sum, x.dtype), n);
  };
  const [leaves, def] = treeFlatten(gradients);
  if (leaves.length === 0) return gradients;
  const dtype = leaves[0]!.dtype;
  // Arrays of several dtypes cannot share a message: each goes alone, as in MLX.
  if (allReduceSize <= 0 || leaves.some((x) => x.dtype !== dtype)) return treeUnflatten<T>(def, leaves.map(average));
  const itemsize = (commType ?? dtype).size;
  const out: Array[] = new globalThis.Array(leaves.length);
  let start = 0;
  let bytes = 0;
  const flush = (end: number): void => {
    const members = leaves.slice(start, end);
    const big = average(members.length === 1 ? reshape(members[0]!, [-1]) : concatenate(members.map((x) => reshape(x, [-1]))));
    const bounds: number[] = [];
    let at = 0;
    for (const x of members.slice(0, -1)) bounds.push((at += x.size));
    const parts = bounds.length === 0 ? [big] : split(big, bounds);
    members.forEach((x, i) => (out[start + i] = reshape(parts[i]!, x.shape)));
    start = end;
    bytes = 0;
  };
  leaves.forEach((x, i) => {
    bytes += x.size * itemsize;
    if (bytes >= allReduceSize) flush(i + 1);
  });
  if (start < leaves.length) flush(leaves.length);
  return treeUnflatten<T>(def, out);
}
