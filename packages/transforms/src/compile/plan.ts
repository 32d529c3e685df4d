/**
 * A plan: the optimized graph of one signature as a flat tape, replayed on every call with the
 * real inputs. Replaying builds one lazy node per tape entry (no tracing, no rules, no shape
 * inference: shapes and params were worked out when the plan was made), so a cache hit costs a
 * few microseconds plus a fraction of one per node.
 */
import { Array, type Aval, type Backend, backendFor, type DeviceType, type Dtype, type Stream } from '@mlx-ts/core';
import type { NodeGroup } from './ir.js';
import type { Graph } from './ir.js';
import { $siblings, $uses } from '@mlx-ts/core';

export interface TapeOp {
  readonly prim: string;
  readonly params: unknown;
  /** Slots read: inputs first, then constants, then earlier ops' results. */
  readonly args: readonly number[];
  readonly shape: readonly number[];
  readonly dtype: Dtype;
  readonly stream: Stream;
  /**
   * For an output of a multi-output node: the first of its outputs on the tape builds them all
   * (`outputs` set); the others take theirs from it (`from`: its tape index) at `index`.
   */
  readonly group: { readonly outputs: readonly Aval[] | null; readonly from: number; readonly index: number } | null;
}

export interface Plan {
  readonly nInputs: number;
  readonly consts: readonly Array[];
  readonly ops: readonly TapeOp[];
  /** The slot of each output leaf. */
  readonly outputs: readonly number[];
  /**
   * Per tape entry: how many tape entries read its result, or 0 for an output (the caller holds
   * it). Replay gives each intermediate this count (`[$uses]`), so the evaluator frees it once its
   * last consumer has run (eval.ts `Planner.consume`).
   */
  readonly uses: readonly number[];
  /**
   * Per input slot: how many tape entries read it, or -1 when it is also an output (the caller
   * gets it back). A donated argument's node gets this count (compile's `donate`).
   */
  readonly inputUses: readonly number[];
  /** The backends the plan was fused for (each device it runs on): the plan is refused if one changes. */
  readonly fusedFor: readonly (readonly [DeviceType, Backend])[];
}

export function makePlan(g: Graph): Plan {
  const slot = new globalThis.Array<number>(g.vals.length);
  const consts: Array[] = [];
  const ops: TapeOp[] = [];
  g.vals.forEach((v, i) => {
    if (v.kind === 'input') slot[i] = v.index;
  });
  g.vals.forEach((v, i) => {
    if (v.kind === 'const') {
      slot[i] = g.nInputs + consts.length;
      consts.push(v.array);
    }
  });
  const base = g.nInputs + consts.length;
  const devices = new Map<DeviceType, Backend>();
  const builtBy = new Map<NodeGroup, number>();
  g.vals.forEach((v, i) => {
    if (v.kind !== 'node') return;
    slot[i] = base + ops.length;
    let group: TapeOp['group'] = null;
    if (v.group !== null) {
      const from = builtBy.get(v.group.outputs);
      if (from === undefined) builtBy.set(v.group.outputs, ops.length);
      group = { outputs: from === undefined ? v.group.outputs.avals : null, from: from ?? ops.length, index: v.group.index };
    }
    ops.push({ prim: v.prim, params: v.params, args: v.args.map((a) => slot[a]!), shape: v.shape, dtype: v.dtype, stream: v.stream, group });
    const t = v.stream.device.type;
    if (!devices.has(t)) devices.set(t, backendFor(t));
  });
  const outputs = g.outputs.map((o) => slot[o]!);
  const uses = new globalThis.Array<number>(ops.length).fill(0);
  // Entries that build a node read its args (a multi-output node's other outputs take theirs from the first).
  for (const op of ops) if (op.group === null || op.group.outputs !== null) for (const a of op.args) if (a >= base) uses[a - base] = uses[a - base]! + 1;
  for (const o of outputs) if (o >= base) uses[o - base] = 0;
  const inputUses = new globalThis.Array<number>(g.nInputs).fill(0);
  for (const op of ops) if (op.group === null || op.group.outputs !== null) for (const a of op.args) if (a < g.nInputs) inputUses[a] = inputUses[a]! + 1;
  for (const o of outputs) if (o < g.nInputs) inputUses[o] = -1;
  return { nInputs: g.nInputs, consts, ops, outputs, uses, inputUses, fusedFor: [...devices] };
}

/** Whether the backends the plan's fused kernels were made for still serve their devices. */
export function planValid(p: Plan): boolean {
  for (const [t, b] of p.fusedFor) if (backendFor(t) !== b) return false;
  return true;
}

/** Builds the plan's nodes on `inputs`; returns the output leaves. */
export function replay(p: Plan, inputs: readonly Array[]): Array[] {
  const nIn = p.nInputs;
  const consts = p.consts;
  const ops = p.ops;
  const uses = p.uses;
  const slots: Array[] = new globalThis.Array(nIn + consts.length + ops.length);
  for (let i = 0; i < nIn; i++) slots[i] = inputs[i]!;
  for (let i = 0; i < consts.length; i++) slots[nIn + i] = consts[i]!;
  let k = nIn + consts.length;
  // The outputs of each multi-output node built so far, by the tape index that built them.
  let groups: Array[][] | null = null;
  for (let j = 0; j < ops.length; j++) {
    const op = ops[j]!;
    const a = op.args;
    const ins: Array[] = new globalThis.Array(a.length);
    for (let q = 0; q < a.length; q++) ins[q] = slots[a[q]!]!;
    const gr = op.group;
    if (gr === null) {
      const node = new Array(op.shape, op.dtype, op.prim, op.params, ins, op.stream);
      node[$uses] = uses[j]!;
      slots[k++] = node;
      continue;
    }
    groups ??= [];
    if (gr.outputs !== null) {
      const outs = gr.outputs.map((o) => new Array(o.shape, o.dtype, op.prim, op.params, ins, op.stream));
      for (const o of outs) o[$siblings] = outs;
      groups[j] = outs;
    }
    const node = groups[gr.from]![gr.index]!;
    node[$uses] = uses[j]!;
    slots[k++] = node;
  }
  const outs = p.outputs;
  const result: Array[] = new globalThis.Array(outs.length);
  for (let i = 0; i < outs.length; i++) result[i] = slots[outs[i]!]!;
  return result;
}
