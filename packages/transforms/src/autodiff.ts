/**
 * The autodiff engine (MLX's `vjp`/`jvp` in transforms.cpp), on the lazy graph itself.
 *
 * A transform wraps each differentiated input in a tracer copy (a same-shape reshape view marked
 * `[$tracer]`, so every array built from it is a tracer too and `eval` inside f keeps its graph),
 * calls f between `enterTrace`/`exitTrace`, then walks the graph between the outputs and the
 * copies: backwards in reverse topological order accumulating cotangents (`backward`), or forwards
 * in topological order building tangents (`forward`). Both walks are iterative (graphs can be
 * 10^5 nodes deep) and only visit tracer nodes: an array built from no tracer cannot depend on a
 * copy. Arrays that are not floating have structurally zero derivatives (JAX's float0), so
 * integer paths (indices, argmax, comparisons) are constants to the walks.
 *
 * Rules build ordinary nodes, so a walk's result is more graph that an outer transform walks in
 * turn: that is all nesting needs.
 */
import {
  Array,
  array,
  defaultStream,
  describeValue as describe,
  getCustomPrimitive,
  isPrimitive,
  isTracing,
  jvpRuleOf,
  node,
  vjpRuleOf,
  withStream,
  fmtShape,
  type JvpRule,
  type MultiJvpRule,
  type MultiVjpRule,
  type VjpRule,
} from '@mlx-ts/core';
import { $data, $inputs, $params, $placeholder, $prim, $siblings, $stream, $tracer } from '@mlx-ts/core';

/** A tracer copy of `x`: an identity view that a transform differentiates with respect to. */
export function tracerCopy(x: Array): Array {
  const c = withStream(x[$stream] ?? defaultStream(), () => node('reshape', [x], { shape: x.shape.slice() }));
  c[$tracer] = true;
  return c;
}

export function zerosLike(a: Array): Array {
  const s = array(0, a.dtype);
  return a.ndim === 0 ? s : node('broadcastTo', [s], { shape: a.shape.slice() });
}
export function onesLike(a: Array): Array {
  const s = array(1, a.dtype);
  return a.ndim === 0 ? s : node('broadcastTo', [s], { shape: a.shape.slice() });
}

function add(a: Array, b: Array): Array {
  return withStream(a[$stream] ?? defaultStream(), () => node('add', [a, b], {}));
}

type Mode = 'jvp' | 'vjp';

/**
 * The inputs a walk follows from `n`, the index range [edgeStart, edgeEnd): all of them, unless
 * its primitive (a registered one) says derivatives flow through fewer (`derivativeInputs`).
 */
function edgeRange(n: Array, mode: Mode): readonly [number, number] | null {
  const prim = n[$prim]!;
  if (isPrimitive(prim)) return null;
  return getCustomPrimitive(prim)?.derivativeInputs?.(n[$params], mode) ?? null;
}
const edgeStart = (n: Array, mode: Mode): number => edgeRange(n, mode)?.[0] ?? 0;
const edgeEnd = (n: Array, mode: Mode): number => edgeRange(n, mode)?.[1] ?? n[$inputs].length;

/** Checks a rule's result against the array it is the derivative of; casts a dtype mismatch. */
function conform(r: unknown, like: Array, prim: string, mode: Mode): Array {
  if (!(r instanceof Array))
    throw new Error(`${mode}: the ${mode.toUpperCase()} rule of '${prim}' returned ${r === null ? 'null' : typeof r}, expected an array`);
  if (r.shape.length !== like.shape.length || r.shape.some((d, i) => d !== like.shape[i])) {
    throw new Error(`${mode}: the ${mode.toUpperCase()} rule of '${prim}' returned shape ${fmtShape(r.shape)} where ${fmtShape(like.shape)} was expected`);
  }
  return r.dtype === like.dtype ? r : node('astype', [r], { dtype: like.dtype });
}

interface Dependents {
  /** Tracer nodes reachable from the outputs (stopping at the roots), inputs before users. */
  order: Array[];
  /** Those of them (roots included) whose value depends on a root through floating arrays. */
  dep: Set<Array>;
}

function dependents(outputs: readonly Array[], roots: ReadonlySet<Array>, mode: Mode): Dependents {
  const order: Array[] = [];
  const seen = new Set<Array>();
  const stack: Array[] = [];
  const ends: number[] = [];
  const next: number[] = [];
  const visit = (a: Array): void => {
    seen.add(a);
    stack.push(a);
    const root = roots.has(a);
    next.push(root ? 0 : edgeStart(a, mode));
    ends.push(root ? 0 : edgeEnd(a, mode));
  };
  for (const o of outputs) {
    if (seen.has(o) || !(o[$tracer] || roots.has(o))) continue;
    visit(o);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const n = stack[top]!;
      const i = next[top]!;
      if (i < ends[top]!) {
        next[top] = i + 1;
        const inp = n[$inputs][i]!;
        if (!seen.has(inp) && (inp[$tracer] || roots.has(inp))) visit(inp);
      } else {
        stack.pop();
        ends.pop();
        next.pop();
        order.push(n);
      }
    }
  }
  const dep = new Set<Array>();
  for (const n of order) {
    if (!n.dtype.isInexact) continue;
    if (roots.has(n)) {
      dep.add(n);
      continue;
    }
    if (n[$prim] === null || n[$prim] === 'stopGradient') continue;
    const ins = n[$inputs];
    for (let i = edgeStart(n, mode), end = edgeEnd(n, mode); i < end; i++) {
      if (dep.has(ins[i]!)) {
        dep.add(n);
        break;
      }
    }
  }
  return { order, dep };
}

const ruleStream = (n: Array) => n[$stream] ?? defaultStream();

/**
 * Reverse mode: the cotangents of `roots` (null where zero) given cotangents of `outputs`
 * (each of its output's shape and dtype).
 */
export function backward(outputs: readonly Array[], cotangents: readonly Array[], roots: readonly Array[]): (Array | null)[] {
  const rootSet = new Set(roots);
  const { order, dep } = dependents(outputs, rootSet, 'vjp');
  const ct = new Map<Array, Array>();
  const accumulate = (a: Array, g: Array): void => {
    const prev = ct.get(a);
    ct.set(a, prev ? add(prev, g) : g);
  };
  outputs.forEach((o, i) => {
    if (dep.has(o)) accumulate(o, cotangents[i]!);
  });
  // Only multi-output nodes need a node's place in the order.
  let position: Map<Array, number> | null = null;

  for (let k = order.length - 1; k >= 0; k--) {
    const n = order[k]!;
    if (rootSet.has(n) || !dep.has(n)) continue;
    const prim = n[$prim]!;
    const sib = n[$siblings];
    let res: unknown;
    const ins = n[$inputs];
    const argnums: number[] = [];
    if (sib !== null) {
      // A multi-output node: one call of its rule for all outputs, at the output that comes first
      // in topological order, when the users of every output have given their cotangents.
      if (sib.some((s) => s !== n && dep.has(s) && ((position ??= new Map(order.map((m, i) => [m, i]))).get(s) ?? Infinity) < k)) continue;
      const cts = sib.map((s) => {
        const g = ct.get(s) ?? null;
        ct.delete(s);
        return g;
      });
      if (cts.every((g) => g === null)) continue;
      for (let i = edgeStart(n, 'vjp'), end = edgeEnd(n, 'vjp'); i < end; i++) if (dep.has(ins[i]!)) argnums.push(i);
      if (argnums.length === 0) continue;
      res = withStream(ruleStream(n), () => (vjpRuleOf(prim) as MultiVjpRule<any>)(ins, cts, argnums, n[$params], sib));
    } else {
      const g = ct.get(n);
      if (!g) continue;
      ct.delete(n);
      for (let i = edgeStart(n, 'vjp'), end = edgeEnd(n, 'vjp'); i < end; i++) if (dep.has(ins[i]!)) argnums.push(i);
      if (argnums.length === 0) continue;
      res = withStream(ruleStream(n), () => (vjpRuleOf(prim) as VjpRule<any>)(ins, g, argnums, n[$params], n));
    }
    if (!globalThis.Array.isArray(res) || res.length !== argnums.length) {
      throw new Error(
        `vjp: the VJP rule of '${prim}' returned ${globalThis.Array.isArray(res) ? res.length : typeof res} cotangents for ${argnums.length} inputs`,
      );
    }
    argnums.forEach((i, j) => accumulate(ins[i]!, conform(res[j], ins[i]!, prim, 'vjp')));
  }
  return roots.map((r) => ct.get(r) ?? null);
}

/**
 * Forward mode: the tangents of `outputs` (null where zero) given tangents of `roots`
 * (null: zero).
 */
export function forward(outputs: readonly Array[], roots: readonly Array[], tangents: readonly (Array | null)[]): (Array | null)[] {
  const rootSet = new Set(roots);
  const { order, dep } = dependents(outputs, rootSet, 'jvp');
  const tan = new Map<Array, Array>();
  roots.forEach((r, i) => {
    const t = tangents[i];
    if (t && dep.has(r)) tan.set(r, t);
  });
  // Free a tangent once its last user has been processed.
  const uses = new Map<Array, number>();
  for (const n of order) {
    if (rootSet.has(n) || !dep.has(n)) continue;
    for (let i = edgeStart(n, 'jvp'), end = edgeEnd(n, 'jvp'); i < end; i++) {
      const x = n[$inputs][i]!;
      if (dep.has(x)) uses.set(x, (uses.get(x) ?? 0) + 1);
    }
  }
  const keep = new Set(outputs);
  const done = new Set<readonly Array[]>();
  const release = (x: Array): void => {
    const u = (uses.get(x) ?? 0) - 1;
    uses.set(x, u);
    if (u <= 0 && !keep.has(x)) tan.delete(x);
  };

  for (const n of order) {
    if (rootSet.has(n) || !dep.has(n)) continue;
    const prim = n[$prim]!;
    const ins = n[$inputs];
    const lo = edgeStart(n, 'jvp');
    const hi = edgeEnd(n, 'jvp');
    let t: Array | null = null;
    if (n[$siblings] !== null) {
      // A multi-output node: its rule gives every output's tangent, at the first output reached.
      const sib = n[$siblings];
      if (!done.has(sib)) {
        done.add(sib);
        const ts = ins.map((x, i) => (i >= lo && i < hi && dep.has(x) ? (tan.get(x) ?? null) : null));
        if (ts.some((x) => x !== null)) {
          const res: unknown = withStream(ruleStream(n), () => (jvpRuleOf(prim) as MultiJvpRule<any>)(ins, ts, n[$params], sib));
          if (!globalThis.Array.isArray(res) || res.length !== sib.length) {
            throw new Error(`jvp: the JVP rule of '${prim}' returned ${describe(res)} where one tangent per output (${sib.length}) was expected`);
          }
          sib.forEach((s, j) => {
            const r = res[j];
            if (r && dep.has(s)) tan.set(s, conform(r, s, prim, 'jvp'));
          });
        }
      }
    } else {
      const ts = ins.map((x, i) => (i >= lo && i < hi && dep.has(x) ? (tan.get(x) ?? null) : null));
      if (ts.some((x) => x !== null)) t = withStream(ruleStream(n), () => (jvpRuleOf(prim) as JvpRule<any>)(ins, ts, n[$params], n));
    }
    for (let i = lo; i < hi; i++) if (dep.has(ins[i]!)) release(ins[i]!);
    if (t) tan.set(n, conform(t, n, prim, 'jvp'));
  }
  return outputs.map((o) => tan.get(o) ?? null);
}

/**
 * Once the outermost transform returns (no trace active), the arrays it hands back stop being
 * tracers: their flags are cleared and the nodes already evaluated drop their inputs, as `eval`
 * does outside a trace, so nothing pins the forward graph beyond what the results still need.
 */
export function settle(results: readonly Array[]): void {
  if (isTracing()) return;
  const seen = new Set<Array>();
  const stack: Array[] = [];
  for (const r of results) {
    if (r[$tracer] && r[$placeholder] === null && !seen.has(r)) {
      seen.add(r);
      stack.push(r);
    }
  }
  while (stack.length > 0) {
    const n = stack.pop()!;
    n[$tracer] = false;
    for (const x of n[$inputs]) {
      if (x[$tracer] && x[$placeholder] === null && !seen.has(x)) {
        seen.add(x);
        stack.push(x);
      }
    }
    if (n[$data] !== null && n[$prim] !== null) {
      n[$inputs] = [];
      n[$prim] = null;
      n[$params] = null;
    }
  }
}
