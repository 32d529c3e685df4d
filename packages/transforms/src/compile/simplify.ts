/**
 * Simplification of a traced graph, as MLX's compile does before fusing: equal constants merged,
 * no-op nodes dropped (a cast to the same dtype, a reshape/broadcast/slice to the input's own
 * shape, an identity transpose), common subexpressions merged (same primitive, same inputs, and
 * params the primitive calls equivalent), and everything the outputs do not need removed.
 */
import { getPrimitiveDef, paramsEqual, shapeEqual } from '@mlx-ts/core';
import { compact, type ConstVal, type Graph, type NodeVal, type Val } from './ir.js';
import { objectId } from './trace.js';

/** Constants this small are compared by value; larger ones by identity. */
const MERGE_BY_VALUE = 64;

function constKey(c: ConstVal): string {
  const head = `${c.dtype.name}[${c.shape.join(',')}]`;
  if (c.splat && c.splat.value !== null) return `${head}=${Object.is(c.splat.value, -0) ? '-0' : c.splat.value}`;
  if (c.array.size <= MERGE_BY_VALUE) {
    const host = c.array.toTypedArray();
    let s = `${head}:`;
    for (let i = 0; i < host.length; i++) s += `${Object.is(host[i], -0) ? '-0' : String(host[i])},`;
    return s;
  }
  return `${head}#${objectId(c.array)}`;
}

/** Whether node `v` (with its input `x`) returns its input unchanged. */
export function isNoOp(v: NodeVal, x: Val): boolean {
  switch (v.prim) {
    case 'astype':
      return v.dtype === x.dtype;
    case 'reshape':
    case 'broadcastTo':
      return shapeEqual(v.shape, x.shape);
    case 'transpose':
      return (v.params as { perm: number[] }).perm.every((p, i) => p === i);
    case 'slice': {
      const p = v.params as { start: number[]; step: number[] };
      return shapeEqual(v.shape, x.shape) && p.start.every((s) => s === 0) && p.step.every((s) => s === 1);
    }
    default:
      return false;
  }
}

export interface SimplifyStats {
  mergedConstants: number;
  droppedNoOps: number;
  mergedNodes: number;
}

export function simplify(g: Graph, stats?: SimplifyStats): Graph {
  const repl = new globalThis.Array<number>(g.vals.length);
  const vals: (Val | null)[] = [];
  const constants = new Map<string, number>();
  const cse = new Map<string, number[]>();
  const st = stats ?? { mergedConstants: 0, droppedNoOps: 0, mergedNodes: 0 };
  g.vals.forEach((v, i) => {
    if (v.kind === 'input') {
      repl[i] = i;
      vals.push(v);
      return;
    }
    if (v.kind === 'const') {
      const key = constKey(v);
      const prev = constants.get(key);
      if (prev !== undefined) {
        repl[i] = prev;
        st.mergedConstants++;
      } else {
        constants.set(key, i);
        repl[i] = i;
      }
      vals.push(prev !== undefined ? null : v);
      return;
    }
    const args = v.args.map((a) => repl[a]!);
    const node: NodeVal = { ...v, args };
    if (args.length === 1 && isNoOp(node, g.vals[args[0]!]!)) {
      repl[i] = args[0]!;
      vals.push(null);
      st.droppedNoOps++;
      return;
    }
    // Outputs of multi-output nodes merge only with the same output of an equivalent node.
    const key = `${v.prim}|${args.join(',')}${v.group ? `|${v.group.index}` : ''}`;
    const candidates = cse.get(key);
    if (candidates) {
      const def = getPrimitiveDef(v.prim);
      const same = candidates.find((c) => {
        const o = vals[c] as NodeVal;
        return (
          o.dtype === v.dtype &&
          o.stream === v.stream &&
          shapeEqual(o.shape, v.shape) &&
          (def.equivalent ? def.equivalent(o.params as never, v.params as never) : paramsEqual(o.params, v.params))
        );
      });
      if (same !== undefined) {
        repl[i] = same;
        vals.push(null);
        st.mergedNodes++;
        return;
      }
      candidates.push(i);
    } else cse.set(key, [i]);
    repl[i] = i;
    vals.push(node);
  });
  // Dropped values are unreachable once the outputs and args point at their replacements.
  const filled: Val[] = vals.map((v, i) => v ?? { kind: 'const', array: null as never, shape: [], dtype: g.vals[i]!.dtype, splat: null });
  return compact({ vals: filled, outputs: g.outputs.map((o) => repl[o]!), nInputs: g.nInputs, firstId: g.firstId });
}
