import { Array, describeValue, isPlainObject } from '@mlx-ts/core';
import { joinPath, Optimizer, type OptimizerState, type ParameterSource, type Tree } from './optimizer.js';

/** A weight predicate: the weight's dotted path (`layers.0.weight`) and the weight. */
export type ParameterFilter = (path: string, weight: Array) => boolean;

/**
 * Several optimizers over one model: each weight goes to the first optimizer whose filter accepts
 * it; the last optimizer takes the rest and has no filter (so `filters` has one entry fewer than
 * `optimizers`). Its state is `{ states: [state of each optimizer] }`.
 */
export class MultiOptimizer extends Optimizer {
  readonly optimizers: readonly Optimizer[];
  readonly filters: readonly ParameterFilter[];

  constructor(optimizers: readonly Optimizer[], filters: readonly ParameterFilter[] = []) {
    super();
    if (!globalThis.Array.isArray(optimizers) || optimizers.length === 0 || !optimizers.every((o) => o instanceof Optimizer)) {
      throw new Error(`MultiOptimizer: expected a non-empty JS array of optimizers, got ${describeValue(optimizers)}`);
    }
    if (!globalThis.Array.isArray(filters) || filters.length !== optimizers.length - 1 || !filters.every((f) => typeof f === 'function')) {
      throw new Error(
        `MultiOptimizer: given ${globalThis.Array.isArray(filters) ? filters.length : describeValue(filters)} filters but ${optimizers.length - 1} needed (one function per optimizer but the last)`,
      );
    }
    this.optimizers = optimizers.slice();
    this.filters = [...filters, () => true];
  }

  override init(parameters: Tree): void {
    this.split(parameters).forEach((p, i) => this.optimizers[i]!.init(p));
  }

  override applyGradients<T extends Tree>(gradients: T, parameters: ParameterSource): T {
    let tree: Tree = {};
    this.split(gradients).forEach((g, i) => (tree = mergeTrees(tree, this.optimizers[i]!.applyGradients(g, parameters))));
    return tree as T;
  }

  /** `{ states: [...] }`: the optimizers' own state objects, so compile's in-place updates reach them. */
  override get state(): OptimizerState {
    return { states: this.optimizers.map((o) => o.state) };
  }
  override set state(state: OptimizerState) {
    const states = isPlainObject(state) ? state.states : undefined;
    if (!globalThis.Array.isArray(states) || states.length !== this.optimizers.length) {
      throw new Error(`MultiOptimizer: the state must be { states: [...] } with one state per optimizer (${this.optimizers.length})`);
    }
    states.forEach((s, i) => (this.optimizers[i]!.state = s as OptimizerState));
  }

  /** The first optimizer's step count. */
  override get step(): Array {
    return this.optimizers[0]!.step;
  }

  /** The first optimizer's learning rate; setting it sets every optimizer's. */
  override get learningRate(): Array {
    return this.optimizers[0]!.learningRate;
  }
  override set learningRate(learningRate: number | Array) {
    for (const o of this.optimizers) o.learningRate = learningRate;
  }

  /** The tree split by the filters, one tree per optimizer (MLX's `_split_dictionary`). */
  private split(tree: Tree): Tree[] {
    if (this.optimizers.length === 1) return [tree];
    const parts: [string, Array][][] = this.optimizers.map(() => []);
    for (const [path, g] of flattenWithPaths(tree)) {
      const i = this.filters.findIndex((f) => f(path, g));
      parts[i]!.push([path, g]);
    }
    return parts.map(unflattenPaths);
  }
}

/** The Array leaves of a tree with their dotted paths (MLX's `tree_flatten`). */
export function flattenWithPaths(tree: unknown, path = ''): [string, Array][] {
  if (tree instanceof Array) return [[path, tree]];
  if (globalThis.Array.isArray(tree)) return tree.flatMap((x, i) => flattenWithPaths(x, joinPath(path, i)));
  if (isPlainObject(tree)) return Object.entries(tree).flatMap(([k, x]) => flattenWithPaths(x, joinPath(path, k)));
  return [];
}

/**
 * The tree of dotted paths (MLX's `tree_unflatten`): a level whose keys are all integers is a JS
 * array, its gaps filled with empty objects (a layer without parameters). No paths give `{}`.
 */
export function unflattenPaths(items: readonly (readonly [string, Array])[]): Tree {
  if (items.length === 1 && items[0]![0] === '') return items[0]![1];
  const children = new Map<string, [string, Array][]>();
  for (const [key, value] of items) {
    const dot = key.indexOf('.');
    const head = dot < 0 ? key : key.slice(0, dot);
    const rest = dot < 0 ? '' : key.slice(dot + 1);
    const list = children.get(head) ?? [];
    list.push([rest, value]);
    children.set(head, list);
  }
  const heads = [...children.keys()];
  if (heads.length > 0 && heads.every((h) => /^(0|[1-9][0-9]*)$/.test(h))) {
    const out: Tree[] = [];
    for (const h of heads.sort((a, b) => Number(a) - Number(b))) {
      while (out.length < Number(h)) out.push({});
      out.push(unflattenPaths(children.get(h)!));
    }
    return out;
  }
  return Object.fromEntries(heads.map((h) => [h, unflattenPaths(children.get(h)!)]));
}

/** Two trees with disjoint leaves in one (MLX's `tree_merge`); an empty object or list is an empty subtree. */
export function mergeTrees(a: Tree, b: Tree, path = ''): Tree {
  const empty = (t: Tree): boolean => !(t instanceof Array) && (globalThis.Array.isArray(t) ? t.length === 0 : Object.keys(t).length === 0);
  if (empty(b)) return a;
  if (empty(a)) return b;
  if (globalThis.Array.isArray(a) && globalThis.Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    const out: Tree[] = [];
    for (let i = 0; i < n; i++) out.push(i >= a.length ? b[i]! : i >= b.length ? a[i]! : mergeTrees(a[i]!, b[i]!, joinPath(path, i)));
    return out;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const out: Record<string, Tree> = { ...(a as Record<string, Tree>) };
    for (const [k, v] of Object.entries(b as Record<string, Tree>)) out[k] = k in out ? mergeTrees(out[k]!, v, joinPath(path, k)) : v;
    return out;
  }
  throw new Error(`MultiOptimizer: two optimizers updated the same position '${path}'`);
}
