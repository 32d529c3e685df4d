/**
 * Fusion: connected runs of elementwise nodes (unary, binary, where, astype) of one shape become
 * one `compiled` node whose params are a small register program (core's `CompiledParams`), so the
 * intermediates never reach memory.
 *
 * Grouping, in reverse topological order: an elementwise node joins the group of its consumers
 * when all of its consumers are in that one group (same shape, same stream) and it is not an
 * output; otherwise it roots a group of its own, and its value is materialized. Groups are thus
 * convex (only the root has users outside), so replacing each by one node keeps the graph acyclic.
 *
 * A group's external inputs all have the group's shape: broadcasts and other views feeding it are
 * separate view nodes the evaluator folds into strides (stride 0 for a broadcast), so the kernel
 * reads them in place. Constants that are one repeated value (`x + 1`'s 1) become `constant`
 * instructions instead of inputs.
 */
import {
  binaryPredicate,
  binarySameDtype,
  type CompiledInstr,
  type CompiledParams,
  type Stream,
  shapeEqual,
  unaryPredicate,
  unarySameDtype,
} from '@mlx-ts/core';
import { compact, type Graph, type NodeVal, type Val } from './ir.js';

/** The primitives a fused program may contain. */
export const FUSIBLE: ReadonlySet<string> = new Set<string>([...unarySameDtype, ...unaryPredicate, ...binarySameDtype, ...binaryPredicate, 'astype', 'where']);

export interface FuseOptions {
  /** Whether the backend serving this stream runs `compiled` nodes. */
  canFuse(stream: Stream): boolean;
}

export interface FuseStats {
  kernels: number;
  fusedNodes: number;
}

export function fuse(g: Graph, opts: FuseOptions, stats?: FuseStats): Graph {
  const n = g.vals.length;
  const consumers: number[][] = g.vals.map(() => []);
  g.vals.forEach((v, i) => {
    if (v.kind === 'node') for (const a of v.args) consumers[a]!.push(i);
  });
  const isOutput = new globalThis.Array<boolean>(n).fill(false);
  for (const o of g.outputs) isOutput[o] = true;
  const fusible = new globalThis.Array<boolean>(n).fill(false);
  const streamOk = new Map<Stream, boolean>();
  g.vals.forEach((v, i) => {
    // Fused programs compute on real dtypes only: complex nodes run as they are.
    if (v.kind !== 'node' || !FUSIBLE.has(v.prim) || v.dtype.isComplex || v.args.some((a) => g.vals[a]!.dtype.isComplex)) return;
    let ok = streamOk.get(v.stream);
    if (ok === undefined) streamOk.set(v.stream, (ok = opts.canFuse(v.stream)));
    fusible[i] = ok;
  });

  // group[i]: the root of i's group (-1: not fused).
  const group = new globalThis.Array<number>(n).fill(-1);
  for (let i = n - 1; i >= 0; i--) {
    if (!fusible[i]) continue;
    const v = g.vals[i] as NodeVal;
    const cs = consumers[i]!;
    let root = i;
    if (!isOutput[i] && cs.length > 0) {
      const r = group[cs[0]!]!;
      if (r >= 0 && cs.every((c) => group[c] === r)) {
        const rv = g.vals[r] as NodeVal;
        if (rv.stream === v.stream && shapeEqual(rv.shape, v.shape)) root = r;
      }
    }
    group[i] = root;
  }
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = group[i]!;
    if (r < 0) continue;
    let m = members.get(r);
    if (!m) members.set(r, (m = []));
    m.push(i);
  }

  const vals: Val[] = g.vals.slice();
  for (const [root, ms] of members) {
    if (ms.length < 2) continue;
    const fused = buildProgram(g, root, ms);
    if (!fused) continue;
    vals[root] = fused;
    if (stats) {
      stats.kernels++;
      stats.fusedNodes += ms.length;
    }
  }
  return compact({ vals, outputs: g.outputs, nInputs: g.nInputs, firstId: g.firstId });
}

/** The `compiled` node standing for the group `ms` (in topological order, `root` last). */
function buildProgram(g: Graph, root: number, ms: readonly number[]): NodeVal | null {
  const inGroup = new Set(ms);
  const reg = new Map<number, number>();
  const inputs: number[] = [];
  const consts: CompiledInstr[] = [];
  const constVals: number[] = [];
  // External inputs first (registers 0..nInputs-1), then constants, then the members.
  for (const m of ms) {
    for (const a of (g.vals[m] as NodeVal).args) {
      if (inGroup.has(a) || reg.has(a)) continue;
      const v = g.vals[a]!;
      if (v.kind === 'const' && v.splat && v.splat.value !== null) {
        constVals.push(a);
        consts.push({ op: 'constant', dtype: v.dtype, args: [], value: v.splat.value });
        reg.set(a, -1);
      } else {
        reg.set(a, inputs.length);
        inputs.push(a);
      }
    }
  }
  if (inputs.length === 0) return null;
  constVals.forEach((a, k) => reg.set(a, inputs.length + k));
  const instrs: CompiledInstr[] = consts.slice();
  for (const m of ms) {
    const v = g.vals[m] as NodeVal;
    instrs.push({ op: v.prim, dtype: v.dtype, args: v.args.map((a) => reg.get(a)!) });
    reg.set(m, inputs.length + instrs.length - 1);
  }
  const rv = g.vals[root] as NodeVal;
  const params: CompiledParams = { nInputs: inputs.length, instrs, name: programName(ms.map((m) => (g.vals[m] as NodeVal).prim)) };
  return { kind: 'node', prim: 'compiled', params, args: inputs, shape: rv.shape, dtype: rv.dtype, stream: rv.stream, group: null };
}

function programName(prims: readonly string[]): string {
  const shown = prims.length <= 6 ? prims : [...prims.slice(0, 5), `${prims.length - 5}more`];
  return shown.join('_');
}
