/**
 * Batching rules (MLX's `Primitive::vmap`): given a primitive's inputs, some carrying an extra
 * batch axis (`axes[i]`, or `null` for an input that is the same for every batch entry), build
 * the batched output and say where its batch axis is.
 *
 * Rules build nodes directly (`node` from graph.ts) and keep the kernel contracts of DESIGN.md:
 * an unbatched input next to batched ones is expanded and broadcast (a stride-0 view, no copy),
 * so kernels still see inputs of one shape. Where a batch axis can stay where it is (elementwise
 * ops, reductions, scans, sort, pad, slice) it does, and no transpose is built.
 *
 * `vmap` (packages/transforms) calls a rule only for nodes with at least one batched input, and
 * passes batch axes as non-negative integers.
 */
import type { Array } from '../../array.js';
import { int32, int64, uint32, type Dtype } from '../../dtype.js';
import { broadcastNode as broadcastTo, moveAxisNode, multiNode, reshapeNode as reshape, node } from '../../graph.js';
import { array } from '../../ops/convert.js';
import {
  argReductions,
  binaryPredicate,
  binarySameDtype,
  type Params,
  type Primitive,
  reductions,
  type SingleOutputPrimitive,
  scans,
  unaryPredicate,
  unarySameDtype,
} from '../primitives.js';
import type { MultiVmapRule, VmapRule, VmapTable } from '../rules.js';
import { convolutionVmap } from './convolution.js';
import { quantizedMatmulVmap } from './quantized.js';
import { layerNormVmap, rmsNormVmap, ropeVmap } from './fast-norm.js';
import { scaledDotProductAttentionVmap } from './scaled-dot-product-attention.js';
import { distributedVmap } from './distributed.js';
import { viewVmap } from './logcumsumexp.js';
import { linalgVmap } from './linalg.js';
import { complexVmap } from './complex.js';

type Axes = readonly (number | null)[];

/** The batch size: the length of any batched input along its batch axis (vmap checked they agree). */
function batchSize(prim: string, inputs: readonly Array[], axes: Axes): number {
  for (let i = 0; i < inputs.length; i++) {
    const ax = axes[i];
    if (ax !== null && ax !== undefined) return inputs[i]!.shape[ax]!;
  }
  throw new Error(`vmap: the batching rule of '${prim}' was called without a batched input`);
}

/** Where unbatched axis `i` of an input sits once a batch axis is inserted at `ax`. */
const mapAxis = (i: number, ax: number): number => (i < ax ? i : i + 1);

function insertAt<T>(xs: readonly T[], at: number, v: T): T[] {
  const out = xs.slice();
  out.splice(at, 0, v);
  return out;
}

/** An unbatched input repeated `b` times along a new leading axis (a stride-0 view, no reshape, so never a copy). */
function repeatFront(x: Array, b: number): Array {
  return broadcastTo(x, [b, ...x.shape]);
}

/** Any input with its batch axis first; unbatched inputs are broadcast along a new first axis. */
function toFront(x: Array, ax: number | null, b: number): Array {
  return ax === null ? repeatFront(x, b) : moveAxisNode(x, ax, 0);
}

/** Elementwise primitives: inputs of one shape in, one shape out. */
function elementwise<P>(prim: SingleOutputPrimitive): VmapRule<P> {
  return (inputs, axes, params) => {
    const first = axes.find((a) => a !== null)!;
    if (axes.every((a) => a === first)) return [node(prim, inputs.slice(), params as never), first];
    const b = batchSize(prim, inputs, axes);
    return [
      node(
        prim,
        inputs.map((x, i) => toFront(x, axes[i]!, b)),
        params as never,
      ),
      0,
    ];
  };
}

function table<K extends Primitive>(keys: readonly K[], make: (prim: K) => VmapRule<any>): Record<K, VmapRule<any>> {
  return Object.fromEntries(keys.map((k) => [k, make(k)])) as Record<K, VmapRule<any>>;
}

/** A single-input primitive whose params name one axis of the input: the batch axis stays put. */
function axisParam<P extends { axis: number }>(prim: SingleOutputPrimitive): VmapRule<P> {
  return ([x], [ax], p) => [node(prim, [x!], { ...p, axis: mapAxis(p.axis, ax!) } as never), ax!];
}

/**
 * Indices for a gather/scatter whose operand's batch axis was merged into the indexed axis
 * (`[..., B*n, ...]`): wrap negatives once and clamp (the kernels' rule), then add `b*n` to the
 * indices of batch entry `b`. `idx` has its batch axis first.
 */
function offsetIndices(idx: Array, n: number, b: number): Array {
  const dt: Dtype = idx.dtype === int64 || idx.dtype === uint32 || b * n > 0x7fffffff ? int64 : int32;
  const shape = idx.shape;
  const full = (v: number) => broadcastTo(array(v, dt), shape);
  let i = idx.dtype === dt ? idx : node('astype', [idx], { dtype: dt });
  if (idx.dtype.kind === 'int') {
    i = node('where', [node('less', [i, full(0)], {}), node('add', [i, full(n)], {}), i], {});
  }
  i = node('maximum', [node('minimum', [i, full(Math.max(n - 1, 0))], {}), full(0)], {});
  const offsets = reshape(node('arange', [], { start: 0, step: n, n: b, dtype: dt }), [b, ...shape.slice(1).map(() => 1)]);
  return node('add', [i, broadcastTo(offsets, shape)], {});
}

const gather: VmapRule<Params<'gather'>> = ([a, idx], [aax, iax], p) => {
  const axis = p.axis;
  if (iax === null) {
    // Same indices for every entry: gather along the shifted axis; the batch axis keeps its place
    // (after the gathered axis it moves by the extra index dimensions).
    const out = node('gather', [a!, idx!], { axis: mapAxis(axis, aax!) });
    return [out, aax! < axis + 1 ? aax! : aax! + idx!.ndim - 1];
  }
  if (aax === null) {
    // One operand, batched indices: the batch axis is one of the index axes.
    return [node('gather', [a!, idx!], { axis }), axis + iax!];
  }
  // Both batched: merge the operand's batch axis into the gathered axis, offset the indices.
  const b = a!.shape[aax!]!;
  const moved = moveAxisNode(a!, aax!, axis); // [..., B, n, ...]
  const n = moved.shape[axis + 1]!;
  const merged = reshape(moved, [...moved.shape.slice(0, axis), b * n, ...moved.shape.slice(axis + 2)]);
  const i = offsetIndices(moveAxisNode(idx!, iax!, 0), n, b);
  return [node('gather', [merged, i], { axis }), axis];
};

const scatter: VmapRule<Params<'scatter'>> = ([a, idx, upd], [aax, iax, uax], p) => {
  const b = batchSize('scatter', [a!, idx!, upd!], [aax!, iax!, uax!]);
  const axis = p.axis;
  if (iax === null) {
    // Same indices for every entry: scatter into [B, ...a] along the shifted axis.
    const out = node('scatter', [toFront(a!, aax!, b), idx!, toFront(upd!, uax!, b)], { axis: axis + 1, mode: p.mode });
    return [out, 0];
  }
  // Batched indices: merge the batch axis into the scattered axis, offset the indices.
  const a0 = toFront(a!, aax!, b); // [B, ...a]
  const moved = moveAxisNode(a0, 0, axis); // [..., B, n, ...]
  const n = moved.shape[axis + 1]!;
  const merged = reshape(moved, [...moved.shape.slice(0, axis), b * n, ...moved.shape.slice(axis + 2)]);
  const i = offsetIndices(moveAxisNode(idx!, iax!, 0), n, b);
  const u = moveAxisNode(toFront(upd!, uax!, b), 0, axis); // a[:axis] + [B, ...idx] + a[axis+1:]
  const out = node('scatter', [merged, i, u], { axis, mode: p.mode });
  return [reshape(out, moved.shape), axis];
};

/** Primitives whose inputs must share one shape apart from the indexed axis: all to batch-first. */
function allFront<P extends { axis: number }>(prim: SingleOutputPrimitive): VmapRule<P> {
  return (inputs, axes, p) => {
    const b = batchSize(prim, inputs, axes);
    return [
      node(
        prim,
        inputs.map((x, i) => toFront(x, axes[i]!, b)),
        { ...p, axis: p.axis + 1 } as never,
      ),
      0,
    ];
  };
}

const matmul: VmapRule<Params<'matmul'>> = ([a, b], [aax, bax]) => {
  const n = batchSize('matmul', [a!, b!], [aax!, bax!]);
  if (aax !== null && bax === null && b!.ndim === 2) {
    // [B, M, K] @ [K, N]: fold the batch into the rows, one 2-D product.
    const a0 = moveAxisNode(a!, aax!, 0);
    const [m, k] = a0.shape.slice(1) as [number, number];
    const out = node('matmul', [reshape(a0, [n * m, k]), b!], {});
    return [reshape(out, [n, m, b!.shape[1]!]), 0];
  }
  if (aax === null && bax !== null && a!.ndim === 2) {
    // [M, K] @ [B, K, N]: fold the batch into the columns.
    const b0 = moveAxisNode(b!, bax!, 1); // [K, B, N]
    const [k, , nn] = b0.shape as [number, number, number];
    const out = node('matmul', [a!, reshape(b0, [k, n * nn])], {});
    return [reshape(out, [a!.shape[0]!, n, nn]), 1];
  }
  return [node('matmul', [toFront(a!, aax!, n), toFront(b!, bax!, n)], {}), 0];
};

const randomBits: VmapRule<Params<'randomBits'>> = ([key], [kax], p) => {
  // The kernel takes one key; a batch of keys is one call per key, stacked (entry b uses key b).
  const keys = moveAxisNode(key!, kax!, 0); // [B, 2]
  const b = keys.shape[0]!;
  if (b === 0) return [reshape(node('arange', [], { start: 0, step: 0, n: 0, dtype: uint32 }), [0, ...p.shape]), 0];
  const parts: Array[] = [];
  for (let i = 0; i < b; i++) {
    const k = reshape(node('slice', [keys], { start: [i, 0], step: [1, 1], shape: [1, 2] }), [2]);
    parts.push(reshape(node('randomBits', [k], { shape: p.shape.slice() }), [1, ...p.shape]));
  }
  return [parts.length === 1 ? parts[0]! : node('concatenate', parts, { axis: 0 }), 0];
};

/** Both inputs batched along one axis, as an elementwise binary primitive. */
const divmod: MultiVmapRule<Params<'divmod'>> = ([a, b], [aax, bax], p) => {
  if (aax === bax) return [multiNode('divmod', [a!, b!], p), [aax!, aax!]];
  const n = batchSize('divmod', [a!, b!], [aax!, bax!]);
  return [multiNode('divmod', [toFront(a!, aax!, n), toFront(b!, bax!, n)], p), [0, 0]];
};

/** topk reads the last axis: a batch axis there moves to the front, anywhere else it stays. */
const topk: MultiVmapRule<Params<'topk'>> = ([x], [ax], p) => {
  const at = ax === x!.ndim - 1 ? 0 : ax!;
  return [multiNode('topk', [moveAxisNode(x!, ax!, at)], p), [at, at]];
};

/** The core primitives' batching (vmap) rules. */
export const vmapRules: VmapTable = {
  ...table(unarySameDtype, (prim) => elementwise(prim)),
  ...table(unaryPredicate, (prim) => elementwise(prim)),
  ...table(binarySameDtype, (prim) => elementwise(prim)),
  ...table(binaryPredicate, (prim) => elementwise(prim)),
  astype: elementwise('astype'),
  stopGradient: elementwise('stopGradient'),
  where: elementwise('where'),

  // Reductions keep reduced axes as 1, so the batch axis stays where it is.
  ...table(reductions, (prim) => ([x], [ax], p: { axes: number[] }) => [node(prim, [x!], { axes: p.axes.map((i) => mapAxis(i, ax!)) }), ax!]),
  ...table(argReductions, (prim) => axisParam(prim)),
  ...table(scans, (prim) => axisParam(prim)),
  sort: axisParam('sort'),
  softmax: axisParam('softmax'),
  logsumexp: axisParam('logsumexp'),
  argsort: axisParam('argsort'),

  reshape: ([x], [ax], p) => [node('reshape', [moveAxisNode(x!, ax!, 0)], { shape: [x!.shape[ax!]!, ...p.shape] }), 0],
  transpose: ([x], [ax], p) => [node('transpose', [x!], { perm: [ax!, ...p.perm.map((i) => mapAxis(i, ax!))] }), 0],
  broadcastTo: ([x], [ax], p) => {
    // With the batch axis last, NumPy's right alignment lines the other axes up: [...s, B] -> [...shape, B].
    const last = moveAxisNode(x!, ax!, x!.ndim - 1);
    return [node('broadcastTo', [last], { shape: [...p.shape, x!.shape[ax!]!] }), p.shape.length];
  },
  slice: ([x], [ax], p) => {
    const b = x!.shape[ax!]!;
    return [node('slice', [x!], { start: insertAt(p.start, ax!, 0), step: insertAt(p.step, ax!, 1), shape: insertAt(p.shape, ax!, b) }), ax!];
  },
  pad: ([x], [ax], p) => [node('pad', [x!], { low: insertAt(p.low, ax!, 0), high: insertAt(p.high, ax!, 0), value: p.value }), ax!],
  concatenate: allFront('concatenate'),

  gather,
  gatherAxis: allFront('gatherAxis'),
  scatter,
  scatterAxis: allFront('scatterAxis'),
  matmul,

  arange: (_inputs, _axes, p) => {
    // arange has no array inputs, so no batched input can reach it: vmap keeps it as a constant.
    throw new Error(`vmap: arange (n=${p.n}) has no array inputs and cannot be batched; vmap treats it as a constant and never calls this rule`);
  },
  randomBits,
  // Elementwise: batched inputs' batch axes aligned, the same fused program runs on them.
  compiled: elementwise('compiled'),
  divmod,
  topk,
  convolution: convolutionVmap,
  quantizedMatmul: quantizedMatmulVmap,
  rmsNorm: rmsNormVmap,
  layerNorm: layerNormVmap,
  rope: ropeVmap,
  scaledDotProductAttention: scaledDotProductAttentionVmap,
  ...distributedVmap,
  view: viewVmap,
  ...linalgVmap,
  ...complexVmap,
};
