/**
 * `compile(f)`: MLX's `mx.compile`. The first call with a new signature traces f on placeholders,
 * simplifies the graph (simplify.ts), fuses elementwise chains into `compiled` kernels (fuse.ts)
 * and keeps the result as a plan (plan.ts); every call replays the plan on the real inputs as
 * ordinary lazy nodes, which `eval` runs as usual.
 *
 * - The signature: the argument tree's structure, each array's dtype and shape (only its ndim
 *   with `shapeless`), the values of non-array arguments, the state trees, and the stream.
 * - Arrays captured by closure are constants of the trace (evaluated once, when tracing).
 * - State: `inputs` is a tree (JS arrays, plain objects) whose arrays f reads, `outputs` one whose
 *   arrays f replaces: both are passed explicitly, as in MLX, so a compiled training step updates
 *   model and optimizer state and `mx.random.state`. `outputs` is filled in place after each call.
 * - Under a transform (an argument is a tracer of grad, vjp, jvp, vmap or an enclosing compile),
 *   the compiled function calls f directly, so the transform sees f's own graph: compile(grad(f)),
 *   grad(compile(f)), vmap(compile(f)), compile(compile(f)) all equal their uncompiled forms.
 * - `shapeless: true` reuses a trace for new shapes of the same ranks when the trace's shape
 *   params can be derived from the input shapes (shapes.ts); otherwise it retraces for the new
 *   shapes, so a shape-dependent graph is never replayed with stale shapes.
 * - `donate` gives arguments' storage to the call (MLX donates buffers): see `CompileOptions.donate`.
 */
import {
  Array,
  type Aval,
  backendFor,
  isTracing,
  resolveStream,
  type Stream,
  isPlainObject,
  flattenTree,
  treeUnflatten,
  type TreeDef,
  describeValue,
  donateArray,
  fmtShape,
} from '@mlx-ts/core';
import { cacheGeneration, isCompileEnabled, Lru } from './cache.js';
import { graphToDot } from './dot.js';
import { type CompiledInternals, internalsOf } from './internals.js';
import { fuse, type FuseStats } from './fuse.js';
import type { Graph } from './ir.js';
import { makePlan, type Plan, planValid, replay } from './plan.js';
import { buildShapeModel, diffGraphs, sameGraph, type ShapeModel } from './shapes.js';
import { simplify, type SimplifyStats } from './simplify.js';
import { FN, fillTree, signature, trace } from './trace.js';
import { firstStatic } from '../grad.js';
import { $tracer } from '@mlx-ts/core';

export { clearCompileCache, compileCacheSize, disableCompile, enableCompile, isCompileEnabled, setCompileCacheSize } from './cache.js';
export { programToString } from './program.js';

export interface CompileOptions {
  /** Reuse traces across shapes of the same ranks (MLX's `shapeless`). Default false. */
  shapeless?: boolean;
  /** A tree of arrays f reads besides its arguments (model/optimizer state, `mx.random.state`). */
  inputs?: unknown;
  /** A tree of arrays f replaces; it is updated in place with the new arrays after each call. */
  outputs?: unknown;
  /**
   * Arguments whose arrays the caller gives up at each call, so that the compiled function may
   * write its results into their storage instead of new memory (MLX reuses an input's buffer
   * when nothing else references it; JS cannot see references, so here the caller says so):
   * `true` for every argument, or argument positions (`[0, 2]`: the arrays anywhere in the
   * first and third arguments' trees). Not the `inputs` state. Default: none.
   *
   * A donated array is disposed by the call: using it afterwards, or evaluating a lazy array
   * built from it before the call, throws the use-after-dispose Error, worded as a donation
   * (even when its storage was not reused, so a mistake shows on every run). Its values are
   * still what the call computes with. The storage is reused only when that is invisible: a
   * result of the same shape and element size computed by an elementwise kernel (a fused
   * program, a unary or binary op, `where`) that is the array's last reader, with the array
   * stored contiguously and no other array viewing its storage (a view of it, a slice, the
   * scalar cache: then results get new memory). Otherwise the donated storage is freed as soon as
   * its last reader has run, instead of at garbage collection. (A compiled function's own
   * intermediates are reused the same way without this option.) Under a transform (grad, vjp,
   * jvp, vmap, an enclosing compile) and with compile disabled, the compiled function calls f
   * and nothing is donated.
   */
  donate?: boolean | readonly number[];
}

/**
 * The compiled function: f's own type (parameters, result, overloads), with the cache's controls.
 * @typeParam F - The type of `f`.
 */
export type CompiledFunction<F extends (...args: any[]) => any> = F & {
  /** Drops this function's traces. */
  clearCache(): void;
  /** How many times f has been traced (a cache hit does not trace). */
  readonly traceCount: number;
  /** How many signatures are cached. */
  readonly cacheSize: number;
};

/** What a trace leaves: the optimized graph and how to put the results back into trees. */
interface Entry {
  /** Simplified, not yet fused (refused when a backend changes). */
  readonly graph: Graph;
  plan: Plan;
  readonly outDef: TreeDef;
  readonly nUserOutputs: number;
}

interface ShapelessEntry extends Omit<Entry, 'plan'> {
  /** null: the trace of this signature was found to depend on concrete shapes, so every shape retraces. */
  readonly model: ShapeModel | null;
}

const canFuse = (s: Stream): boolean => backendFor(s.device.type).supports('compiled');

function streamKey(): string {
  const s = resolveStream();
  return `${s.device.type}${s.device.index}:${s.index}`;
}

function parseOptions(rest: readonly unknown[]): CompileOptions {
  if (rest.length === 1) checkOptionKeys(rest[0]);
  if (rest.length === 1 && isOptions(rest[0])) return { ...(rest[0] as CompileOptions) };
  if (rest.length > 3)
    throw new Error(
      `${FN}: expected compile(f, inputs?, outputs?, shapeless?) or compile(f, { inputs, outputs, shapeless }), got ${rest.length + 1} arguments`,
    );
  const [inputs, outputs, shapeless] = rest;
  if (shapeless !== undefined && typeof shapeless !== 'boolean') throw new Error(`${FN}: shapeless must be a boolean, got ${describeValue(shapeless)}`);
  return { inputs: inputs ?? undefined, outputs: outputs ?? undefined, shapeless: shapeless as boolean | undefined };
}

const optionNames: ReadonlySet<string> = new Set(['inputs', 'outputs', 'shapeless', 'donate']);

/** The `donate` option checked: null for none, true for every argument, else the positions. */
function parseDonate(d: unknown): true | readonly number[] | null {
  if (d === undefined || d === false) return null;
  if (d === true) return true;
  if (!globalThis.Array.isArray(d)) throw new Error(`${FN}: donate must be true, false or a list of argument positions, got ${describeValue(d)}`);
  const seen = new Set<number>();
  for (const k of d) {
    if (!Number.isInteger(k) || k < 0) throw new Error(`${FN}: donate lists argument positions (integers from 0), got ${describeValue(k)}`);
    if (seen.has(k)) throw new Error(`${FN}: donate lists argument ${k} twice`);
    seen.add(k);
  }
  return d.length === 0 ? null : [...d];
}

function isOptions(x: unknown): boolean {
  if (typeof x !== 'object' || x === null || globalThis.Array.isArray(x) || x instanceof Array) return false;
  const keys = Object.keys(x);
  return keys.length > 0 && keys.every((k) => optionNames.has(k));
}

/**
 * A state tree holds arrays in JS arrays, objects and Modules (other values, a model's methods,
 * are left alone, as MLX does). A tree with values but no array at all is a mistake: most often
 * a misspelt options object.
 */
function checkState(what: string, tree: unknown): void {
  if (tree === undefined) return;
  if (tree instanceof Array || typeof tree !== 'object' || tree === null) {
    throw new Error(`${FN}: ${what} must be a JS array or plain object holding arrays (updated in place), got ${describeValue(tree)}`);
  }
  const [leaves, def] = flattenTree(FN, tree);
  if (leaves.length > 0) return;
  const bad = firstStatic(def, '', (v) => v !== undefined && v !== null);
  if (bad) {
    const hint = isPlainObject(tree) ? ` (options are ${[...optionNames].join(', ')}: compile(f, { inputs, outputs, shapeless, donate }))` : '';
    throw new Error(`${FN}: the ${what} state holds no arrays but ${describeValue(bad.value)} at ${bad.path || 'the root'}${hint}`);
  }
}

/** An object naming an option is an options object: every key must be one. */
function checkOptionKeys(x: unknown): void {
  if (!isPlainObject(x)) return;
  const keys = Object.keys(x);
  if (!keys.some((k) => optionNames.has(k))) return;
  const unknown = keys.filter((k) => !optionNames.has(k));
  if (unknown.length > 0)
    throw new Error(
      `${FN}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (options are ${[...optionNames].join(', ')})`,
    );
}

/**
 * Compiles `f`. Called as MLX's `compile(f, inputs?, outputs?, shapeless?)` or
 * `compile(f, { inputs, outputs, shapeless, donate })`. With `shapeless`, a new signature traces f twice
 * (the second time at other shapes, to check the shape model: DESIGN.md "compile"), so f's side
 * effects run twice then; cached calls run f not at all.
 * @typeParam F - The type of `f`.
 */
export function compile<F extends (...args: any[]) => any>(f: F, options?: CompileOptions): CompiledFunction<F>;
export function compile<F extends (...args: any[]) => any>(f: F, inputs?: unknown, outputs?: unknown, shapeless?: boolean): CompiledFunction<F>;
export function compile<F extends (...args: any[]) => any>(f: F, ...rest: unknown[]): CompiledFunction<F> {
  if (typeof f !== 'function') throw new Error(`${FN}: expected a function, got ${describeValue(f)}`);
  const options = parseOptions(rest);
  const shapeless = options.shapeless === true;
  const inputsTree = options.inputs;
  const outputsTree = options.outputs;
  checkState('inputs', inputsTree);
  checkState('outputs', outputsTree);
  const donate = parseDonate(options.donate);

  const exact = new Lru<string, Entry>();
  const ranked = new Lru<string, ShapelessEntry>();
  let traces = 0;
  let gen = cacheGeneration();

  /**
   * Traces f for leaves of these types (`avals`, by default the leaves' own); null when f must
   * run directly (it captured an outer tracer).
   */
  const build = (args: readonly unknown[], leaves: readonly Array[], nArg: number, stats?: SimplifyStats & FuseStats, avals: readonly Aval[] = leaves) => {
    const [, argDef] = flattenTree(FN, args);
    traces++;
    const t = trace(f, argDef, avals, nArg, leaves.slice(nArg), inputsTree, outputsTree);
    if (t === null) return null;
    const graph = simplify(t.graph, stats);
    return { graph, outDef: t.outDef, nUserOutputs: t.nUserOutputs };
  };
  const planFor = (graph: Graph, stats?: FuseStats): Plan => makePlan(fuse(graph, { canFuse }, stats));

  /**
   * Checks a shapeless model against a second trace at other shapes (every free dimension
   * changed): the graph it predicts must be the graph f builds there, constants included, so a
   * param or constant computed from a shape (`mean`'s count, `reshape(x, [x.shape[0] * 2, -1])`)
   * is caught instead of replayed stale.
   */
  const verify = (model: ShapeModel, args: readonly unknown[], leaves: readonly Array[], nArg: number): boolean => {
    const shapes = model.perturbation();
    if (shapes === null) return true;
    const avals = leaves.map((x, i) => ({ shape: shapes[i]!, dtype: x.dtype }));
    const predicted = model.rebase(avals);
    if (predicted === null) return false;
    let traced: ReturnType<typeof build>;
    try {
      traced = build(args, leaves, nArg, undefined, avals);
    } catch {
      return false;
    }
    if (traced === null) return false;
    const diffs = diffGraphs(predicted, traced.graph);
    if (diffs === null) return false;
    if (diffs.length === 0) return true;
    // Scalars that follow the shapes (a mean's count): learn how, then check again.
    if (!diffs.every(([i, value]) => model.learnConstant(i, avals, value))) return false;
    const again = model.rebase(avals);
    return again !== null && sameGraph(again, traced.graph);
  };

  /**
   * The leaves the replay reads, with each donated array handed over to a node only the replay
   * holds (core's `donateArray`), which disposes the caller's array. One array may fill several
   * leaves (`f(x, x)`, or an argument that is also state): every leaf gets the same node, which
   * counts the reads of all of them.
   */
  const donated = (plan: Plan, args: readonly unknown[], leaves: readonly Array[], nArg: number): Array[] => {
    let given: Set<Array> | null = null;
    if (donate !== true) {
      given = new Set();
      for (const k of donate!) {
        if (k >= args.length) throw new Error(`${FN}: donate names argument ${k}, but the call passed ${args.length} argument${args.length === 1 ? '' : 's'}`);
        for (const x of flattenTree(FN, args[k])[0]) given.add(x as Array);
      }
    }
    const swap = new Map<Array, Array>();
    for (let i = 0; i < nArg; i++) {
      const x = leaves[i]!;
      if ((given !== null && !given.has(x)) || swap.has(x)) continue;
      let uses = 0;
      for (let j = 0; j < leaves.length; j++) {
        if (leaves[j] !== x) continue;
        const u = plan.inputUses[j]!;
        if (u < 0) {
          uses = -1;
          break;
        }
        uses += u;
      }
      swap.set(x, donateArray(x, uses, `${FN}: the donated array of shape ${fmtShape(x.shape)}`));
    }
    return leaves.map((x) => swap.get(x) ?? x);
  };

  const run = (entry: Entry, leaves: readonly Array[], args: readonly unknown[], nArg: number): unknown => {
    if (!planValid(entry.plan)) entry.plan = planFor(entry.graph);
    const outs = replay(entry.plan, donate === null ? leaves : donated(entry.plan, args, leaves, nArg));
    if (outputsTree !== undefined) fillTree('outputs', outputsTree, outs.slice(entry.nUserOutputs));
    return treeUnflatten(entry.outDef, entry.nUserOutputs === outs.length ? outs : outs.slice(0, entry.nUserOutputs));
  };

  const compiled = ((...args: unknown[]): unknown => {
    if (!isCompileEnabled()) return f(...args);
    const leaves: Array[] = [];
    let key = signature(args, shapeless, leaves);
    const nArg = leaves.length;
    if (inputsTree !== undefined) key += `|i${signature(inputsTree, shapeless, leaves)}`;
    if (outputsTree !== undefined && outputsTree !== inputsTree) key += `|o${signature(outputsTree, true, [])}`;
    if (isTracing()) {
      // Under a transform: f's own graph, so the transform differentiates or batches it.
      for (let i = 0; i < leaves.length; i++) if (leaves[i]![$tracer]) return f(...args);
    }
    key += `|${streamKey()}`;
    if (gen !== cacheGeneration()) {
      exact.clear();
      ranked.clear();
      gen = cacheGeneration();
    }
    let exactKey = key;
    if (shapeless) {
      exactKey += '#';
      for (let i = 0; i < leaves.length; i++) exactKey += `${leaves[i]!.shape.join(',')};`;
    }
    const hit = exact.get(exactKey);
    if (hit) return run(hit, leaves, args, nArg);

    if (shapeless) {
      const s = ranked.get(key);
      if (s && s.model) {
        const graph = s.model.rebase(leaves);
        if (graph) {
          const entry: Entry = { graph, plan: planFor(graph), outDef: s.outDef, nUserOutputs: s.nUserOutputs };
          exact.set(exactKey, entry);
          return run(entry, leaves, args, nArg);
        }
      }
    }
    const built = build(args, leaves, nArg);
    if (built === null) return f(...args);
    const entry: Entry = { ...built, plan: planFor(built.graph) };
    exact.set(exactKey, entry);
    if (shapeless && !ranked.get(key)) {
      const model = buildShapeModel(built.graph);
      ranked.set(key, { ...built, model: model && verify(model, args, leaves, nArg) ? model : null });
    }
    return run(entry, leaves, args, nArg);
  }) as unknown as CompiledFunction<F>;

  const internals: CompiledInternals = {
    f,
    options,
    optimize(args) {
      const leaves: Array[] = [];
      signature(args, shapeless, leaves);
      const nArg = leaves.length;
      if (inputsTree !== undefined) signature(inputsTree, shapeless, leaves);
      const stats = { mergedConstants: 0, droppedNoOps: 0, mergedNodes: 0, kernels: 0, fusedNodes: 0 };
      const built = build(args, leaves, nArg, stats);
      if (built === null) return null;
      return { graph: built.graph, fused: fuse(built.graph, { canFuse }, stats), stats };
    },
  };
  Object.defineProperties(compiled, {
    name: { value: `compile(${f.name || 'f'})` },
    clearCache: {
      value: () => {
        exact.clear();
        ranked.clear();
      },
    },
    traceCount: { get: () => traces },
    cacheSize: { get: () => exact.size },
  });
  internalsOf.set(compiled, internals);
  return compiled;
}

/**
 * The optimized graph `compile(f)` runs for these arguments, in Graphviz's dot language: fused
 * kernels appear as filled boxes listing their programs. `f` may be a compiled function (its
 * options apply) or a plain one.
 */
export function exportToDot(f: (...args: any[]) => unknown, ...args: unknown[]): string {
  if (typeof f !== 'function') throw new Error(`exportToDot: expected a function, got ${describeValue(f)}`);
  const internals = internalsOf.get(f) ?? internalsOf.get(compile(f))!;
  const r = internals.optimize(args);
  if (r === null) throw new Error('exportToDot: the function depends on an array traced by an enclosing transform; call exportToDot outside it');
  const { stats } = r;
  const title = `${internals.f.name || 'f'}: ${stats.kernels} fused kernel(s) of ${stats.fusedNodes} nodes; CSE merged ${stats.mergedNodes}, dropped ${stats.droppedNoOps} no-ops, merged ${stats.mergedConstants} constants`;
  return graphToDot(r.fused, title);
}
