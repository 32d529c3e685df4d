/**
 * `customFunction(f)`: MLX's `mx.custom_function`. Called outside any transform it just runs f.
 * Called under a transform, it runs f and wraps its outputs in one multi-output `customFunction`
 * node whose inputs are f's outputs, then f's array arguments; output k is an identity view of
 * input k. The node carries the user's rules: reverse mode asks `.vjp` for the arguments'
 * cotangents (and never walks f's graph), forward mode `.jvp`, vmap `.vmap`. A rule not given
 * falls back to transforming f, i.e. to the identity on f's outputs, whose graph the transform
 * then walks (the primitive's `derivativeInputs` tells the walks which inputs to follow).
 *
 * ```ts
 * const f = mx.customFunction((x, y) => mx.multiply(mx.sin(x), y));
 * f.vjp(([x, y], cotangent, output) => [mx.multiply(cotangent, mx.multiply(mx.cos(x), y)), mx.multiply(cotangent, mx.sin(x))]);
 * f.jvp(([x, y], [dx, dy]) => ...);                       // the output's tangent
 * f.vmap(([x, y], [ax, ay]) => [output, outAxis]);        // batched output and its axis
 * ```
 *
 * As in MLX, a custom VJP gives cotangents for f's arguments only: arrays f closes over get none
 * through it.
 */
import {
  Array,
  fmtShape,
  isTracing,
  type MapLeaves,
  multiNode,
  node,
  registerPrimitive,
  treeDefString,
  flattenTree,
  treeNumLeaves,
  treeUnflatten,
  type TreeDef,
  describeValue,
} from '@mlx-ts/core';
import { zerosLike } from './autodiff.js';
import { $stream } from '@mlx-ts/core';

export const CUSTOM_PRIM = 'customFunction';

type Fn = (...args: any[]) => any;

/*
 * As in MLX, a rule receives f's arguments as a JS array, or the argument itself when f takes one;
 * cotangents, tangents and outputs have f's output structure (one array when f returns one).
 */
/** What a rule receives for f's arguments P: the argument itself when f takes one, else the list. */
export type RuleArgs<P extends readonly unknown[]> = P extends readonly [infer X] ? X : P;

/** A tree of type T as a rule may return it: null or undefined stand for zeros, at a leaf or a whole subtree. */
export type ZerosOr<T> =
  | null
  | undefined
  | (T extends Array ? Array : T extends readonly unknown[] ? { [K in keyof T]: ZerosOr<T[K]> } : T extends object ? { [K in keyof T]: ZerosOr<T[K]> } : T);

/** `vjp(primals, cotangents, outputs)`: returns one cotangent tree per argument (just the one when f takes one; null: zero). */
export type CustomVjp<F extends Fn = Fn> = (
  primals: RuleArgs<Parameters<F>>,
  cotangents: ReturnType<F>,
  outputs: ReturnType<F>,
) => Parameters<F> extends readonly [infer X] ? ZerosOr<X> | [ZerosOr<X>] : { [K in keyof Parameters<F>]: ZerosOr<Parameters<F>[K]> };
/** `jvp(primals, tangents)`: returns the outputs' tangents, in f's output structure. */
export type CustomJvp<F extends Fn = Fn> = (primals: RuleArgs<Parameters<F>>, tangents: RuleArgs<Parameters<F>>) => ZerosOr<ReturnType<F>>;
/** `vmap(inputs, axes)`: batch axes are numbers or null (not batched); returns `[outputs, outAxes]`. */
export type CustomVmap<F extends Fn = Fn> = (
  inputs: RuleArgs<Parameters<F>>,
  axes: RuleArgs<MapLeaves<Parameters<F>, number | null>>,
) => [ReturnType<F>, number | null | MapLeaves<ReturnType<F>, number | null>];

/** The rules as stored: any function of the rule's arguments (checked when it runs). */
type Rule = (...args: any[]) => unknown;

export interface CustomRules {
  vjp: Rule | null;
  jvp: Rule | null;
  vmap: Rule | null;
  name: string;
  /** @internal rules take (and the VJP returns) the arguments as a list even when there is one (checkpoint). */
  listArgs?: boolean;
}

/** What one call of a custom function leaves in the graph: the params of its node. */
export interface CustomCall {
  readonly rules: CustomRules;
  readonly inDef: TreeDef;
  readonly inLeaves: readonly Array[];
  readonly outDef: TreeDef;
  /** f's outputs (the node's first inputs). */
  readonly outLeaves: readonly Array[];
}

/** f with its signature kept, and setters for its rules, typed from it. */
export type CustomFunction<F extends Fn> = F & {
  /** Sets the reverse-mode rule; returns the function. */
  vjp(rule: CustomVjp<F>): CustomFunction<F>;
  /** Sets the forward-mode rule; returns the function. */
  jvp(rule: CustomJvp<F>): CustomFunction<F>;
  /** Sets the batching rule; returns the function. */
  vmap(rule: CustomVmap<F>): CustomFunction<F>;
};

/**
 * The arrays of a rule's result at the array positions of `def` (f's arguments or outputs),
 * conformed to `like`; null or undefined stands for zeros (of a leaf or a whole subtree).
 */
function leavesAs(what: string, tree: unknown, def: TreeDef, like: readonly Array[], allowNull: boolean): Array[] {
  const flatGot: (Array | null)[] = [];
  const collect = (d: TreeDef, x: unknown, path: string): void => {
    switch (d.kind) {
      case 'leaf':
        if (x instanceof Array) flatGot.push(x);
        else if (allowNull && (x === null || x === undefined)) flatGot.push(null);
        else throw new Error(`${what}: expected an array at ${path || 'the root'}, got ${describeValue(x)}`);
        return;
      case 'static':
        return;
      case 'list':
        if (!globalThis.Array.isArray(x) || x.length !== d.children.length) {
          if (allowNull && (x === null || x === undefined)) {
            for (let n = treeNumLeaves(d); n > 0; n--) flatGot.push(null);
            return;
          }
          throw new Error(
            `${what}: expected a JS array of length ${d.children.length} at ${path || 'the root'} (structure ${treeDefString(d)}), got ${describeValue(x)}`,
          );
        }
        d.children.forEach((c, i) => collect(c, x[i], `${path}[${i}]`));
        return;
      case 'dict':
        if (typeof x !== 'object' || x === null || globalThis.Array.isArray(x) || x instanceof Array) {
          if (allowNull && (x === null || x === undefined)) {
            for (let n = treeNumLeaves(d); n > 0; n--) flatGot.push(null);
            return;
          }
          throw new Error(`${what}: expected an object at ${path || 'the root'} (structure ${treeDefString(d)}), got ${describeValue(x)}`);
        }
        d.keys.forEach((k, i) => collect(d.children[i]!, (x as Record<string, unknown>)[k], `${path}.${k}`));
        return;
    }
  };
  collect(def, tree, '');
  return flatGot.map((g, i) => {
    const ref = like[i]!;
    if (g === null) return zerosLike(ref);
    if (g.shape.length !== ref.shape.length || g.shape.some((d, j) => d !== ref.shape[j])) {
      throw new Error(`${what}: leaf ${i} has shape ${fmtShape(g.shape)}, expected ${fmtShape(ref.shape)}`);
    }
    return g.dtype === ref.dtype ? g : node('astype', [g], { dtype: ref.dtype });
  });
}

/** The args list a rule sees, rebuilt around the given leaves. */
const argsOf = (call: CustomCall, leaves: readonly unknown[]): any[] => treeUnflatten<any[]>(call.inDef, leaves);
/** What a rule receives for the arguments: the list of them, or the one argument itself when f took one (as in MLX). */
const ruleArgs = (call: CustomCall, leaves: readonly unknown[]): any => {
  const args = argsOf(call, leaves);
  return args.length === 1 && !call.rules.listArgs ? args[0] : args;
};

/** Cotangents of f's array arguments (flat, in input order) from the cotangents of its outputs (null: zero). */
function customCallVjp(call: CustomCall, cotangents: readonly (Array | null)[]): Array[] {
  const rule = call.rules.vjp!;
  const what = `customFunction(${call.rules.name}).vjp`;
  const outs = call.outLeaves;
  const cts = cotangents.map((c, i) => c ?? zerosLike(outs[i]!));
  const res = rule(ruleArgs(call, call.inLeaves), treeUnflatten(call.outDef, cts), treeUnflatten(call.outDef, outs));
  const nArgs = call.inDef.kind === 'list' ? call.inDef.children.length : 0;
  if (nArgs === 1 && !call.rules.listArgs) {
    // One argument: its cotangent, or a list holding it.
    try {
      return leavesAs(what, [res], call.inDef, call.inLeaves, true);
    } catch (e) {
      if (!(globalThis.Array.isArray(res) && res.length === 1)) throw e;
    }
  }
  if (!globalThis.Array.isArray(res) || res.length !== nArgs) {
    throw new Error(`${what}: the rule must return a JS array with one cotangent per argument (${nArgs}), got ${describeValue(res)}`);
  }
  return leavesAs(what, res, call.inDef, call.inLeaves, true);
}

/** Tangents of f's outputs (flat) from the tangents of its array arguments (null: zero). */
function customCallJvp(call: CustomCall, tangents: readonly (Array | null)[]): Array[] {
  const what = `customFunction(${call.rules.name}).jvp`;
  const ts = tangents.map((t, i) => t ?? zerosLike(call.inLeaves[i]!));
  const res = call.rules.jvp!(ruleArgs(call, call.inLeaves), ruleArgs(call, ts));
  return leavesAs(what, res, call.outDef, call.outLeaves, true);
}

function customCallVmap(call: CustomCall, inputs: readonly Array[], axes: readonly (number | null)[]): [Array[], (number | null)[]] {
  const what = `customFunction(${call.rules.name}).vmap`;
  const res = call.rules.vmap!(ruleArgs(call, inputs), ruleArgs(call, axes));
  if (!globalThis.Array.isArray(res) || res.length !== 2) throw new Error(`${what}: the rule must return [outputs, outAxes], got ${describeValue(res)}`);
  const [outs, outAxes] = res;
  const [outLeaves] = flattenTree(what, outs);
  const n = call.outLeaves.length;
  if (outLeaves.length !== n) throw new Error(`${what}: the rule returned ${outLeaves.length} outputs, f has ${n}`);
  let axesFlat: (number | null)[];
  if (typeof outAxes === 'number' || outAxes === null) axesFlat = outLeaves.map(() => outAxes as number | null);
  else {
    const [, adef] = flattenTree(what, outAxes);
    const flat: (number | null)[] = [];
    const walk = (d: TreeDef): void => {
      if (d.kind === 'static') flat.push(d.value as number | null);
      else if (d.kind === 'list' || d.kind === 'dict') d.children.forEach(walk);
    };
    walk(adef);
    axesFlat = flat;
  }
  if (axesFlat.length !== outLeaves.length) throw new Error(`${what}: outAxes has ${axesFlat.length} entries for ${outLeaves.length} outputs`);
  return [outLeaves, axesFlat];
}

/** An unbatched array broadcast along a new front axis of `size`. */
const batchedCopies = (x: Array, size: number): Array => node('broadcastTo', [x], { shape: [size, ...x.shape] });

/** Each batched output with its axis normalized, an unbatched one broadcast along a new front axis. */
function batchedOutputs(outs: readonly Array[], axes: readonly (number | null)[], size: number): [Array[], number[]] {
  return [outs.map((o, j) => (axes[j] === null ? batchedCopies(o, size) : o)), axes.map((a, j) => (a === null ? 0 : a < 0 ? a + outs[j]!.ndim : a))];
}

registerPrimitive<CustomCall>({
  name: CUSTOM_PRIM,
  kind: 'view',
  outputs: (inputs, call) => call.outLeaves.map((_, j) => ({ shape: inputs[j]!.shape, dtype: inputs[j]!.dtype })),
  equivalent: (a, b) => a === b,
  // With a rule, derivatives flow to f's arguments (after its outputs); without, through f's graph.
  derivativeInputs: (call, mode) =>
    (mode === 'jvp' ? call.rules.jvp : call.rules.vjp) ? [call.outLeaves.length, call.outLeaves.length + call.inLeaves.length] : [0, call.outLeaves.length],
  jvp: (_primals, tangents, call, outputs) => {
    const n = call.outLeaves.length;
    if (call.rules.jvp) return customCallJvp(call, tangents.slice(n));
    return outputs.map((_, j) => tangents[j] ?? null);
  },
  vjp: (primals, cotangents, argnums, call) => {
    const n = call.outLeaves.length;
    if (call.rules.vjp) {
      const res = customCallVjp(call, cotangents);
      return argnums.map((i) => (i < n ? zerosLike(primals[i]!) : res[i - n]!));
    }
    return argnums.map((i) => (i < n ? (cotangents[i] ?? zerosLike(primals[i]!)) : zerosLike(primals[i]!)));
  },
  vmap: (inputs, axes, call) => {
    const n = call.outLeaves.length;
    let size = -1;
    axes.forEach((a, i) => {
      if (a !== null && size < 0) size = inputs[i]!.shape[a]!;
    });
    if (call.rules.vmap) {
      const [outs, outAxes] = customCallVmap(call, inputs.slice(n), axes.slice(n));
      return batchedOutputs(outs, outAxes, size);
    }
    // Fallback: f's own graph, batched by vmap.
    return batchedOutputs(inputs.slice(0, n), axes.slice(0, n), size);
  },
});

/** Makes a function whose derivatives (and batching) can be given by rules. */
export function customFunction<F extends Fn>(f: F): CustomFunction<F> {
  return makeCustom(f, false);
}

/** @internal `vjp`: a reverse-mode rule set from the start (checkpoint's, which takes its arguments as a list). */
export function makeCustom<F extends Fn>(f: F, listArgs: boolean, vjp: Rule | null = null): CustomFunction<F> {
  if (typeof f !== 'function') throw new Error(`customFunction: expected a function, got ${describeValue(f)}`);
  const rules: CustomRules = { vjp, jvp: null, vmap: null, name: f.name || 'f', listArgs };
  const wrapped = ((...args: unknown[]) => {
    // Nothing is being transformed: just f.
    if (!isTracing()) return f(...args);
    const [inLeaves, inDef] = flattenTree('customFunction', args);
    const out = f(...args);
    const [outLeaves, outDef] = flattenTree('customFunction', out);
    if (outLeaves.length === 0) return out;
    const call: CustomCall = { rules, inDef, inLeaves, outDef, outLeaves };
    return treeUnflatten(outDef, multiNode(CUSTOM_PRIM, [...outLeaves, ...inLeaves], call, outLeaves[0]![$stream]));
  }) as unknown as CustomFunction<F>;
  const setter = (key: 'vjp' | 'jvp' | 'vmap') => (rule: Rule) => {
    if (typeof rule !== 'function') throw new Error(`customFunction(${rules.name}).${key}: expected a function, got ${describeValue(rule)}`);
    rules[key] = rule;
    return wrapped;
  };
  wrapped.vjp = setter('vjp');
  wrapped.jvp = setter('jvp');
  wrapped.vmap = setter('vmap');
  Object.defineProperty(wrapped, 'name', { value: `customFunction(${rules.name})` });
  return wrapped;
}
