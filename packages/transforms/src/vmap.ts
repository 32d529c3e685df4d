/**
 * `vmap(f, inAxes, outAxes)`: MLX's vectorizing map on the lazy graph.
 *
 * f is traced once on placeholders (the mapped inputs without their mapped axis); the nodes that
 * depend on a placeholder are then replayed, in order, on the real batched inputs through each
 * primitive's batching rule (`vmapRules`, or a registered primitive's own `vmap`). Nodes that do
 * not depend on a mapped input (constants, closed-over arrays, unmapped arguments, which are
 * passed to f as they are) are kept as they are. Outputs are moved to `outAxes`; an output that
 * does not depend on a mapped input is broadcast along the mapped axis.
 *
 * Since the trace is just more graph, vmap composes: `vmap(vmap(f))`, `vmap(grad(f))`
 * (per-example gradients), `grad(vmap(f))`.
 */
import {
  Array,
  defaultStream,
  enterTrace,
  exitTrace,
  fmtShape,
  isPlainObject,
  isTreeNode,
  moveAxisNode,
  node,
  treeBroadcastPrefix,
  flattenTree,
  foldTree,
  treeUnflatten,
  vmapRuleOf,
  withStream,
  type MultiVmapRule,
  type VmapRule,
  describeValue,
} from '@mlx-ts/core';
import { checkArrayOutputs } from './grad.js';
import { $inputs, $params, $prim, $siblings, $stream, $tracer, placeholderArray } from '@mlx-ts/core';

/** Where each argument (or output) is mapped: a number, `null` (not mapped), or a tree of them. */
export type AxisSpec = number | null | readonly AxisSpec[] | { readonly [key: string]: AxisSpec };

/**
 * The axis spec of a value of type T: a number or null for the whole of it, or, for a JS array or
 * object, a tree of specs matching it. A value with no array in it (a number, a string) is not
 * mapped: null. A value of unknown type takes any spec.
 */
export type AxesOf<T> = unknown extends T
  ? AxisSpec
  : T extends Array
    ? number | null
    : T extends readonly (infer E)[]
      ? number | null | (T extends readonly [] | readonly [unknown, ...unknown[]] ? { readonly [K in keyof T]: AxesOf<T[K]> } : readonly AxesOf<E>[])
      : T extends object
        ? T extends (...args: never[]) => unknown
          ? null
          : number | null | { readonly [K in keyof T]: AxesOf<T[K]> }
        : null;

/** vmap's `inAxes` for a function with parameters P: one number (or null) for every argument, or one spec per argument. */
export type InAxesOf<P extends readonly unknown[]> = number | null | { readonly [K in keyof P]: AxesOf<P[K]> };

/**
 * vmap's options: which axis of each argument (`inAxes`) and of each output (`outAxes`) is mapped.
 * @typeParam F - The type of the function vmap is given.
 */
export interface VmapOptions<F extends (...args: any[]) => unknown = (...args: any[]) => unknown> {
  /** One spec for every argument, or one per argument (each a number, null, or a tree matching it). Default 0. */
  inAxes?: InAxesOf<Parameters<F>>;
  /** The outputs' mapped axes: one spec for all, or a tree matching f's result. Default 0. */
  outAxes?: AxesOf<ReturnType<F>>;
}

const FN = 'vmap';

/**
 * Vectorizes `f` over the axes `inAxes` of its arguments. Called as MLX's
 * `vmap(f, inAxes = 0, outAxes = 0)` or `vmap(f, { inAxes, outAxes })`.
 * @typeParam F - The type of `f`.
 */
export function vmap<F extends (...args: any[]) => any>(
  f: F,
  inAxes?: InAxesOf<Parameters<F>> | VmapOptions<F>,
  outAxes?: AxesOf<ReturnType<F>>,
): (...args: Parameters<F>) => ReturnType<F> {
  if (typeof f !== 'function') throw new Error(`${FN}: expected a function, got ${describeValue(f)}`);
  let ins: AxisSpec = 0;
  let outs: AxisSpec = 0;
  if (isPlainObject(inAxes)) {
    const opts = inAxes as { inAxes?: AxisSpec; outAxes?: AxisSpec };
    for (const k of Object.keys(opts)) {
      if (k !== 'inAxes' && k !== 'outAxes')
        throw new Error(`${FN}: unknown option '${k}' (expected inAxes, outAxes; axes per argument go in a JS array, one entry per argument)`);
    }
    if (outAxes !== undefined) throw new Error(`${FN}: pass outAxes either positionally or in the options object, not both`);
    if (opts.inAxes !== undefined) ins = opts.inAxes;
    if (opts.outAxes !== undefined) outs = opts.outAxes;
  } else {
    if (inAxes !== undefined) ins = inAxes as AxisSpec;
    if (outAxes !== undefined) outs = outAxes as AxisSpec;
  }
  const inSpec = ins;
  const outSpec = outs;
  const vmapped = (...args: Parameters<F>): ReturnType<F> => vmapCall(f, args, inSpec, outSpec);
  Object.defineProperty(vmapped, 'name', { value: `vmap(${f.name || 'f'})` });
  return vmapped;
}

/** `what` names the entry; called only for the message. */
function checkAxisValue(what: () => string, a: unknown): number | null {
  if (a === null) return null;
  if (typeof a !== 'number' || !Number.isInteger(a)) throw new Error(`${FN}: ${what()} must be an integer or null, got ${describeValue(a)}`);
  return a;
}

function vmapCall(f: (...args: any[]) => any, args: unknown[], inSpec: AxisSpec, outSpec: AxisSpec): any {
  // One axis spec per argument, then one axis per Array leaf.
  let perArg: AxisSpec[];
  if (globalThis.Array.isArray(inSpec)) {
    if (inSpec.length !== args.length) {
      throw new Error(`${FN}: inAxes has ${inSpec.length} entries but the function was called with ${args.length} arguments`);
    }
    perArg = inSpec.slice();
  } else if (inSpec === null || typeof inSpec === 'number') {
    perArg = args.map(() => inSpec);
  } else {
    throw new Error(`${FN}: inAxes must be a number, null, or a JS array with one entry per argument, got ${describeValue(inSpec)}`);
  }
  args.forEach((x, i) => {
    if (!(x instanceof Array) && !isTreeNode(x) && typeof perArg[i] === 'number') {
      throw new Error(`${FN}: argument ${i} is ${describeValue(x)}, which has no axis to map over; give it inAxes null or pass an array`);
    }
  });
  const [leaves, def] = flattenTree(FN, args);
  // Leaf names serve only error messages, so they are built when one is thrown.
  let names: string[] | null = null;
  const nameOf = (i: number): string => (names ??= leafNames(args))[i]!;
  const leafAxes = treeBroadcastPrefix(perArg, args, `${FN}: inAxes`).map((a, i) => checkAxisValue(() => `the inAxes entry of ${nameOf(i)}`, a));

  let size = -1;
  let sizeFrom = -1;
  const axes: (number | null)[] = [];
  leaves.forEach((x, i) => {
    let a = leafAxes[i]!;
    if (a !== null) {
      if (x.ndim === 0) throw new Error(`${FN}: cannot map over a 0-d array (${nameOf(i)} is a scalar); give it inAxes null`);
      if (a < -x.ndim || a >= x.ndim) {
        throw new Error(`${FN}: inAxes ${a} is out of range for ${nameOf(i)} of shape ${fmtShape(x.shape)} (dimension ${x.ndim})`);
      }
      if (a < 0) a += x.ndim;
      const n = x.shape[a]!;
      if (size < 0) {
        size = n;
        sizeFrom = i;
      } else if (n !== size) {
        const first = `${nameOf(sizeFrom)} has size ${size} along axis ${axes[sizeFrom]}`;
        throw new Error(`${FN}: mapped axes have different sizes: ${first}, but ${nameOf(i)} has size ${n} along axis ${a}`);
      }
    }
    axes.push(a);
  });
  if (size < 0) throw new Error(`${FN}: at least one input must be mapped (all inAxes are null)`);

  // Trace f on placeholders for the mapped inputs; unmapped inputs go in as they are.
  const placeholders = new Map<Array, [Array, number]>();
  const traced = leaves.map((x, i) => {
    const a = axes[i]!;
    if (a === null) return x;
    const p = placeholderArray(
      x.shape.filter((_, d) => d !== a),
      x.dtype,
      FN,
    );
    placeholders.set(p, [x, a]);
    return p;
  });
  let result: unknown;
  enterTrace();
  try {
    result = f(...treeUnflatten<unknown[]>(def, traced));
  } finally {
    exitTrace();
  }

  const [outLeaves, outDef] = flattenTree(FN, result);
  checkArrayOutputs(FN, result);
  const batched = replay(outLeaves, placeholders, size);

  const outAxisSpecs = treeBroadcastPrefix(outSpec, result, `${FN}: outAxes`).map((a, i) => checkAxisValue(() => `the outAxes entry of output ${i}`, a));
  const finals = outLeaves.map((y, i) => {
    const want = outAxisSpecs[i]!;
    const got = batched.get(y);
    if (want === null) {
      if (got) throw new Error(`${FN}: outAxes is null for output ${i}, but it depends on a mapped input`);
      return y;
    }
    const nd = y.ndim + 1;
    if (want < -nd || want >= nd) throw new Error(`${FN}: outAxes ${want} is out of range for output ${i}, of dimension ${nd} once batched`);
    const to = want < 0 ? want + nd : want;
    if (got) return moveAxisNode(got[0], got[1], to);
    // Does not depend on a mapped input: broadcast it along a new first axis (a view), then move that axis.
    const repeated = withStream(y[$stream] ?? defaultStream(), () => node('broadcastTo', [y], { shape: [size, ...y.shape] }));
    return moveAxisNode(repeated, 0, to);
  });
  return treeUnflatten(outDef, finals);
}

/** Names of the Array leaves of the arguments, in treeFlatten order: `argument 0`, `argument 1.w`, `argument 2[1]`. */
function leafNames(args: readonly unknown[]): string[] {
  const out: string[] = [];
  args.forEach((x, i) => foldTree<void>(FN, x, { root: `argument ${i}`, leaf: (v, at) => void (v instanceof Array && out.push(at.where())) }));
  return out;
}

/**
 * Replays, on the batched inputs, the part of the traced graph that depends on a placeholder;
 * returns each dependent node's batched value and batch axis.
 */
function replay(outputs: readonly Array[], placeholders: Map<Array, [Array, number]>, size: number): Map<Array, [Array, number]> {
  const batched = new Map<Array, [Array, number]>(placeholders);
  // Post-order walk over tracers only: an array built from no tracer cannot depend on a placeholder.
  const visited = new Set<Array>();
  const order: Array[] = [];
  const stack: Array[] = [];
  const next: number[] = [];
  for (const o of outputs) {
    if (visited.has(o) || !o[$tracer]) continue;
    visited.add(o);
    stack.push(o);
    next.push(0);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const n = stack[top]!;
      const i = next[top]!;
      if (i < n[$inputs].length) {
        next[top] = i + 1;
        const inp = n[$inputs][i]!;
        if (!visited.has(inp) && inp[$tracer]) {
          visited.add(inp);
          stack.push(inp);
          next.push(0);
        }
      } else {
        stack.pop();
        next.pop();
        order.push(n);
      }
    }
  }
  for (const n of order) {
    if (batched.has(n) || n[$prim] === null) continue;
    let any = false;
    const inputs: Array[] = [];
    const axes: (number | null)[] = [];
    for (const inp of n[$inputs]) {
      const b = batched.get(inp);
      if (b) {
        any = true;
        inputs.push(b[0]);
        axes.push(b[1]);
      } else {
        inputs.push(inp);
        axes.push(null);
      }
    }
    if (!any) continue;
    const prim = n[$prim];
    const rule = vmapRuleOf(prim);
    const sib = n[$siblings];
    if (sib !== null) {
      // A multi-output node: one rule call batches every output.
      const res = withStream(n[$stream] ?? defaultStream(), () => (rule as MultiVmapRule<any>)(inputs, axes, n[$params]));
      const [outs, axs] = globalThis.Array.isArray(res) ? res : [];
      if (!globalThis.Array.isArray(outs) || !globalThis.Array.isArray(axs) || outs.length !== sib.length || axs.length !== sib.length) {
        throw new Error(
          `${FN}: the batching rule of '${prim}' must return [outputs, batch axes] with one entry per output (${sib.length}), got ${describeValue(res)}`,
        );
      }
      sib.forEach((s, j) => {
        checkRuleResult(prim, s, outs[j], axs[j], size);
        batched.set(s, [outs[j]!, axs[j]!]);
      });
      continue;
    }
    const [out, ax] = withStream(n[$stream] ?? defaultStream(), () => (rule as VmapRule<any>)(inputs, axes, n[$params]));
    checkRuleResult(prim, n, out, ax, size);
    batched.set(n, [out, ax]);
  }
  return batched;
}

function checkRuleResult(prim: string, n: Array, out: unknown, ax: unknown, size: number): void {
  if (!(out instanceof Array) || typeof ax !== 'number' || !Number.isInteger(ax) || ax < 0 || ax > n.ndim) {
    throw new Error(`${FN}: the batching rule of '${prim}' must return [array, batch axis in 0..${n.ndim}], got [${describeValue(out)}, ${describeValue(ax)}]`);
  }
  const want = n.shape.slice();
  want.splice(ax, 0, size);
  if (out.ndim !== want.length || out.shape.some((d, i) => d !== want[i]) || out.dtype !== n.dtype) {
    throw new Error(
      `${FN}: the batching rule of '${prim}' returned ${out.dtype.name} ${fmtShape(out.shape)} with batch axis ${ax}; expected ${n.dtype.name} ${fmtShape(want)}`,
    );
  }
}
