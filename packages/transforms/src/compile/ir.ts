/**
 * The graph `compile` works on: f's trace, copied out of the lazy Arrays into plain records so
 * that the traced nodes (and the placeholders) can be dropped once tracing is over.
 *
 * Values are numbered in topological order: the inputs first (f's array arguments, then the
 * arrays of the `inputs` state tree), then constants, then nodes. A node names its inputs by
 * value number.
 */
import type { Array, Dtype, Stream } from '@mlx-ts/core';

export interface InputVal {
  readonly kind: 'input';
  /** Position among the flat inputs. */
  readonly index: number;
  shape: number[];
  readonly dtype: Dtype;
}

export interface ConstVal {
  readonly kind: 'const';
  /** The evaluated constant. */
  readonly array: Array;
  shape: number[];
  readonly dtype: Dtype;
  /**
   * Set when every element is the same value (a broadcast scalar, `x + 1`'s 1): `scalar` is a 0-d
   * view of it and `value` the JS number (null when a number cannot hold it exactly: int64).
   */
  readonly splat: { readonly scalar: Array; readonly value: number | null } | null;
}

export interface NodeVal {
  readonly kind: 'node';
  prim: string;
  params: unknown;
  args: number[];
  shape: number[];
  readonly dtype: Dtype;
  readonly stream: Stream;
  /** Set on each output of a multi-output node: the outputs' group (one object per node) and this one's position. */
  readonly group: { readonly outputs: NodeGroup; readonly index: number } | null;
}

/** The outputs of one multi-output node, shared by the values of its outputs. */
export interface NodeGroup {
  readonly avals: readonly { readonly shape: readonly number[]; readonly dtype: Dtype }[];
}

export type Val = InputVal | ConstVal | NodeVal;

export interface Graph {
  vals: Val[];
  /** The value of each output leaf (f's results, then the `outputs` state tree). */
  outputs: number[];
  readonly nInputs: number;
  /** Arrays with an id from here on were made while tracing (constants f built, not captured ones). */
  readonly firstId: number;
}

/**
 * Keeps the values reachable from the outputs (and every input, whose numbering is fixed),
 * renumbered in the same order. Returns the new graph; `g` is not changed.
 */
export function compact(g: Graph): Graph {
  const live = new globalThis.Array<boolean>(g.vals.length).fill(false);
  for (let i = 0; i < g.nInputs; i++) live[i] = true;
  for (const o of g.outputs) live[o] = true;
  for (let i = g.vals.length - 1; i >= 0; i--) {
    const v = g.vals[i]!;
    if (live[i] && v.kind === 'node') for (const a of v.args) live[a] = true;
  }
  const remap = new globalThis.Array<number>(g.vals.length).fill(-1);
  const vals: Val[] = [];
  g.vals.forEach((v, i) => {
    if (!live[i]) return;
    remap[i] = vals.length;
    vals.push(v.kind === 'node' ? { ...v, args: v.args.map((a) => remap[a]!) } : v);
  });
  return { vals, outputs: g.outputs.map((o) => remap[o]!), nInputs: g.nInputs, firstId: g.firstId };
}
