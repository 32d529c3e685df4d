/**
 * Pytrees: the nested arguments and results of transforms. Arrays are the leaves; JS arrays and
 * plain objects are nodes; anything else (numbers, strings, booleans, null, undefined, class
 * instances, typed arrays) is a static leaf that the treedef remembers and `treeUnflatten` puts back.
 *
 * Object keys keep their insertion order (as a JS user writes them); `treeMap` over several trees
 * looks keys up by name, so two objects with the same keys in another order still match.
 *
 * A class instance is a node too when it implements `[treeNodeKeys]()` (nn's Module does): it is
 * then an object node of those properties, so transforms, `eval` and `compile`'s state accept it
 * without core knowing the class. Rebuilding such a node (`treeUnflatten`, `treeMap`) gives a plain
 * object, as MLX's tree_map over a Module gives a dict; only compile's in-place fill writes into it.
 *
 * Every walk of a tree goes through `foldTree`, which refuses a cycle (a container inside itself:
 * `the tree contains a cycle at [0].self`) and nesting deeper than `maxTreeDepth`, each as an Error
 * naming the function the user called and the path. A container reached twice by different paths
 * (shared, not cyclic) is walked twice, as its leaves appear twice.
 */
import { Array } from './array.js';
import { describeValue } from './describe.js';

/**
 * The method a class implements to be an object node of trees: it returns the names of the
 * properties that hold the instance's subtrees, in order.
 */
export const treeNodeKeys: unique symbol = Symbol.for('mlx-ts.treeNodeKeys');

/** An instance that trees descend into (see `treeNodeKeys`). */
export interface TreeNodeObject {
  /** The names of the instance's properties that hold its subtrees, in order. */
  [treeNodeKeys](): readonly string[];
}

export type TreeDef =
  | { readonly kind: 'leaf' }
  | { readonly kind: 'static'; readonly value: unknown }
  | { readonly kind: 'list'; readonly children: readonly TreeDef[] }
  | { readonly kind: 'dict'; readonly keys: readonly string[]; readonly children: readonly TreeDef[] };

/** A leaf predicate: return true to keep a value whole as a leaf (it must then be an Array to count as one). */
export type IsLeaf = (x: unknown) => boolean;

const LEAF: TreeDef = Object.freeze({ kind: 'leaf' });

/**
 * How deeply trees, and the nested JS arrays `mx.array` reads, may nest: 1000 containers, Python's
 * default recursion limit, which bounds MLX's recursive tree utilities the same way. Walks recurse
 * (and so do the many structural recursions over treedefs, which this bound keeps safe too): an
 * iterative rebuild would cost every call for trees no model nests anywhere near this deep, and the
 * bound turns what would be a stack overflow into an Error that names the path.
 */
export const maxTreeDepth = 1000;

/** A path from the root, `[0].w[2]`; a long one keeps its ends (`[0][0]…[0][0] (5000 levels)`). */
function formatPath(root: string, keys: readonly (string | number)[]): string {
  const part = (k: string | number): string => (typeof k === 'number' ? `[${k}]` : `.${k}`);
  if (keys.length <= 12) return root + keys.map(part).join('');
  return `${root}${keys.slice(0, 6).map(part).join('')}…${keys.slice(-6).map(part).join('')} (${keys.length} levels)`;
}

/** Where a walk is, for a `foldTree` callback: valid only during the call it is passed to. */
export interface TreePosition {
  /** The keys from the root to here: numbers index JS arrays, strings name object members. */
  readonly keys: readonly (string | number)[];
  /** The container holding the value here (null at the root), and its key there. */
  readonly parent: object | null;
  readonly key: string | number | undefined;
  /** The path for messages: the fold's root name, then `[i]` and `.key` steps; `the root` when both are empty. */
  where(): string;
}

/**
 * The guard of a recursive walk of a user's tree: `enter` each container before descending into it
 * (it refuses a cycle and nesting deeper than `maxTreeDepth`, naming `fn` and the path), `leave` it
 * after, and push each child's key on `keys` while visiting it. `foldTree` is built on it; walks of
 * two trees in step (`treeBroadcastPrefix`, mx.utils' `treeMap` and `treeMerge`) use it directly.
 */
export class TreePath implements TreePosition {
  readonly keys: (string | number)[] = [];
  private readonly nodes: object[] = [];
  private readonly onPath = new Set<object>();
  constructor(
    private readonly fn: string,
    private readonly root = '',
  ) {}
  get parent(): object | null {
    return this.nodes.length === 0 ? null : this.nodes[this.nodes.length - 1]!;
  }
  /** The key of the current position in its parent (undefined at the root). */
  get key(): string | number | undefined {
    return this.keys[this.keys.length - 1];
  }
  /** The path for messages (see TreePosition). */
  where(): string {
    return formatPath(this.root, this.keys) || 'the root';
  }
  /** Steps into container `x` at the current position, refusing a cycle and too deep a nesting. */
  enter(x: object): void {
    if (this.onPath.has(x)) throw new Error(`${this.fn}: the tree contains a cycle at ${this.where()} (a container inside itself)`);
    if (this.nodes.length >= maxTreeDepth) {
      throw new Error(`${this.fn}: the tree nests deeper than the ${maxTreeDepth} containers a tree may have, at ${this.where()}`);
    }
    this.nodes.push(x);
    this.onPath.add(x);
  }
  /** Steps back out of the container last entered. */
  leave(): void {
    this.onPath.delete(this.nodes.pop()!);
  }
}

/** What `foldTree` does at each position; `list` and `dict` combine the children's results (none: undefined). */
export interface TreeFold<R> {
  /** An Array, a value that is not a container (a static leaf), or one `isLeaf` accepts. */
  leaf(x: unknown, at: TreePosition): R;
  /** A JS array, given its children's results in order. */
  list?(children: R[], x: readonly unknown[], at: TreePosition): R;
  /** A plain object or tree node, given its keys and their children's results. */
  dict?(keys: readonly string[], children: R[], x: object, at: TreePosition): R;
  /** Values to keep whole, not descended into (Arrays always are). */
  isLeaf?: IsLeaf;
  /** What paths in messages start with (`argument 0`); by default the root is `the root`. */
  root?: string;
}

/**
 * The one walk of user trees: visits `tree` depth first, left to right (object nodes in key order),
 * the order `treeFlatten` lists leaves in, and folds it bottom-up. `fn` names the function the user
 * called, in the Errors for a cycle and for nesting deeper than `maxTreeDepth`.
 */
export function foldTree<R>(fn: string, tree: unknown, fold: TreeFold<R>): R {
  const at = new TreePath(fn, fold.root ?? '');
  const combine = fold.list !== undefined || fold.dict !== undefined;
  const go = (x: unknown): R => {
    if (x instanceof Array || fold.isLeaf?.(x)) return fold.leaf(x, at);
    const list = globalThis.Array.isArray(x);
    const keys = list ? null : objectNodeKeys(x);
    if (!list && keys === null) return fold.leaf(x, at);
    at.enter(x as object);
    const children: R[] = [];
    if (list) {
      for (let i = 0; i < x.length; i++) {
        at.keys.push(i);
        const r = go(x[i]);
        if (combine) children.push(r);
        at.keys.pop();
      }
    } else {
      for (const k of keys!) {
        at.keys.push(k);
        const r = go((x as Record<string, unknown>)[k]);
        if (combine) children.push(r);
        at.keys.pop();
      }
    }
    at.leave();
    return (list ? fold.list?.(children, x, at) : fold.dict?.(keys!, children, x as object, at)) as R;
  };
  return go(tree);
}

/** True for plain objects (`{...}`, `Object.create(null)`): the object nodes of a tree. */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || x instanceof Array || globalThis.Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** The keys of an object node (a plain object or a `treeNodeKeys` implementer), or null for anything else. */
export function objectNodeKeys(x: unknown): readonly string[] | null {
  if (isPlainObject(x)) return Object.keys(x);
  if (typeof x === 'object' && x !== null && typeof (x as Partial<TreeNodeObject>)[treeNodeKeys] === 'function') {
    return (x as TreeNodeObject)[treeNodeKeys]();
  }
  return null;
}

/** True for the values a tree descends into: JS arrays, plain objects and `treeNodeKeys` implementers. */
export function isTreeNode(x: unknown): boolean {
  return globalThis.Array.isArray(x) || objectNodeKeys(x) !== null;
}

/**
 * Leaves (the Arrays, depth first, left to right) and the structure to rebuild the tree from them.
 * With `isLeaf`, a value it accepts is not descended into; it is a leaf if it is an Array, else static.
 */
export function treeFlatten(tree: unknown, isLeaf?: IsLeaf): [Array[], TreeDef] {
  return flattenTree('treeFlatten', tree, isLeaf);
}

/** `treeFlatten` for a caller named `fn` in its Errors (`grad: the tree contains a cycle at ...`). */
export function flattenTree(fn: string, tree: unknown, isLeaf?: IsLeaf): [Array[], TreeDef] {
  const leaves: Array[] = [];
  const def = foldTree<TreeDef>(fn, tree, {
    isLeaf,
    leaf: (x) => {
      if (!(x instanceof Array)) return { kind: 'static', value: x };
      leaves.push(x);
      return LEAF;
    },
    list: (children) => ({ kind: 'list', children }),
    dict: (keys, children) => ({ kind: 'dict', keys, children }),
  });
  return [leaves, def];
}

/** The tree `def` describes, with `leaves` (Arrays or anything else) in its leaf positions, in order. */
export function treeUnflatten<T = unknown>(def: TreeDef, leaves: readonly unknown[]): T {
  const isDef = (d: unknown): boolean =>
    typeof d === 'object' && d !== null && ['leaf', 'static', 'list', 'dict'].includes((d as { kind?: unknown }).kind as string);
  if (!isDef(def)) throw new Error(`treeUnflatten: expected a TreeDef (from treeFlatten) first, got ${describeValue(def)}`);
  if (!globalThis.Array.isArray(leaves)) throw new Error(`treeUnflatten: expected the leaves as a JS array, got ${describeValue(leaves)}`);
  let i = 0;
  const go = (d: TreeDef): unknown => {
    switch (d.kind) {
      case 'leaf':
        if (i >= leaves.length) throw new Error(`treeUnflatten: the tree has more leaves than the ${leaves.length} given`);
        return leaves[i++];
      case 'static':
        return d.value;
      case 'list':
        return d.children.map(go);
      case 'dict': {
        const out: Record<string, unknown> = {};
        d.keys.forEach((k, j) => (out[k] = go(d.children[j]!)));
        return out;
      }
    }
  };
  const out = go(def);
  if (i !== leaves.length) throw new Error(`treeUnflatten: the tree has ${i} leaves, got ${leaves.length}`);
  return out as T;
}

/** The Arrays of a tree, depth first. */
export function treeLeaves(tree: unknown, isLeaf?: IsLeaf): Array[] {
  return leavesOf('treeLeaves', tree, isLeaf);
}

function leavesOf(fn: string, tree: unknown, isLeaf?: IsLeaf): Array[] {
  const leaves: Array[] = [];
  foldTree<void>(fn, tree, { isLeaf, leaf: (x) => void (x instanceof Array && leaves.push(x)) });
  return leaves;
}

/** How many leaves a treedef holds. */
export function treeNumLeaves(def: TreeDef): number {
  switch (def.kind) {
    case 'leaf':
      return 1;
    case 'static':
      return 0;
    default:
      return def.children.reduce((n, c) => n + treeNumLeaves(c), 0);
  }
}

/** Structural equality of treedefs (static values compared with Object.is, element-wise for nothing else). */
export function treeDefEqual(a: TreeDef, b: TreeDef): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'leaf':
      return true;
    case 'static':
      return Object.is(a.value, (b as typeof a).value);
    case 'list': {
      const bb = b as typeof a;
      return a.children.length === bb.children.length && a.children.every((c, i) => treeDefEqual(c, bb.children[i]!));
    }
    case 'dict': {
      const bb = b as typeof a;
      if (a.keys.length !== bb.keys.length) return false;
      return a.keys.every((k, i) => {
        const j = bb.keys.indexOf(k);
        return j >= 0 && treeDefEqual(a.children[i]!, bb.children[j]!);
      });
    }
  }
}

/** A short description of a tree's structure, for errors: `[*, {a: *, b: 2}]`. */
export function treeDefString(def: TreeDef): string {
  switch (def.kind) {
    case 'leaf':
      return '*';
    case 'static':
      return typeof def.value === 'string' ? JSON.stringify(def.value) : String(def.value);
    case 'list':
      return `[${def.children.map(treeDefString).join(', ')}]`;
    case 'dict':
      return `{${def.keys.map((k, i) => `${k}: ${treeDefString(def.children[i]!)}`).join(', ')}}`;
  }
}

/** The values that are static leaves of trees and have no properties a tree descends into. */
type StaticLeaf = string | number | boolean | bigint | symbol | null | undefined | ((...args: never[]) => unknown) | ArrayBufferView | ArrayBufferLike;

/**
 * The type of a tree `T` with each Array leaf replaced by an `L` (as `treeMap` and `treeUnflatten`
 * rebuild it): JS arrays and tuples map element-wise (a JS array's element type is mapped as a
 * whole, which keeps recursive tree types finite), objects property-wise, static leaves stay.
 * A `treeNodeKeys` instance (an nn Module) becomes a plain object of its properties that hold
 * subtrees, which is what rebuilding it gives; a property of the instance's own type can only be
 * the instance itself (Module's `state` getter), which is no subtree.
 */
export type MapLeaves<T, L> = T extends Array
  ? L
  : T extends StaticLeaf
    ? T
    : T extends readonly (infer E)[]
      ? T extends readonly [] | readonly [unknown, ...unknown[]]
        ? { [K in keyof T]: MapLeaves<T[K], L> }
        : MapLeaves<E, L>[]
      : T extends TreeNodeObject
        ? { [K in keyof T as K extends symbol ? never : T[K] extends StaticLeaf | T ? never : K]: MapLeaves<T[K], L> }
        : { [K in keyof T]: MapLeaves<T[K], L> };

/**
 * What `treeMap`'s `fn` receives from another tree `U` at the Array leaves of `T`: the value `U`
 * holds at the same position, a whole subtree where `U` goes deeper than `T`. Where `U`'s type
 * allows either an array or a subtree there (a recursive tree type), it is taken to be an array,
 * as it is when the trees share a structure; so it is past a depth of 8, since a recursive type
 * has no end to walk.
 */
export type LeafAt<T, U, Depth extends readonly unknown[] = []> = Depth['length'] extends 8
  ? Extract<U, Array>
  : T extends Array
    ? [Extract<U, Array>] extends [never]
      ? U
      : Extract<U, Array>
    : T extends StaticLeaf
      ? never
      : T extends readonly unknown[]
        ? U extends readonly unknown[]
          ? LeafAt<T[number], U[number], [...Depth, unknown]>
          : never
        : { [K in keyof T]: K extends keyof U ? LeafAt<T[K], U[K], [...Depth, unknown]> : never }[keyof T];

/**
 * Applies `fn` to every Array leaf of `tree`; the other trees give `fn` its further arguments,
 * taken at the same positions (they must have `tree`'s structure down to its leaves; beyond a
 * leaf of `tree`, whatever value they hold there is passed whole). Static leaves are kept.
 * The result is typed as `tree` with its Array leaves replaced by fn's results (`MapLeaves`).
 */
export function treeMap<T, Rest extends readonly unknown[], R>(
  fn: (x: Array, ...rest: { [K in keyof Rest]: LeafAt<T, Rest[K]> }) => R,
  tree: T,
  ...rest: Rest
): MapLeaves<T, R>;
export function treeMap<T = unknown>(fn: (...xs: any[]) => unknown, tree: unknown, ...rest: unknown[]): T {
  if (typeof fn !== 'function') throw new Error(`treeMap: expected a function first (treeMap(fn, tree, ...rest)), got ${describeValue(fn)}`);
  const [leaves, def] = flattenTree('treeMap', tree);
  const others = rest.map((o) => valuesAtLeaves(def, o));
  return treeUnflatten<T>(
    def,
    leaves.map((x, i) => fn(x, ...others.map((o) => o[i]))),
  );
}

/**
 * The values `other` holds at the leaf positions of `def` (whole, whatever they are), for treeMap's
 * further trees: `other` must have def's containers down to its leaves. Recursion over `def` is
 * bounded by `maxTreeDepth`, and `other` is read only that deep.
 */
function valuesAtLeaves(def: TreeDef, other: unknown): unknown[] {
  const out: unknown[] = [];
  const keys: (string | number)[] = [];
  const differ = (what: string, x: unknown): Error =>
    new Error(`treeMap: trees differ at ${formatPath('', keys) || 'the root'}: ${what} and ${describeValue(x)}`);
  const go = (d: TreeDef, x: unknown): void => {
    switch (d.kind) {
      case 'leaf':
        out.push(x);
        return;
      case 'static':
        return;
      case 'list':
        if (!globalThis.Array.isArray(x) || x.length !== d.children.length) throw differ(`a JS array of length ${d.children.length}`, x);
        d.children.forEach((c, i) => {
          keys.push(i);
          go(c, x[i]);
          keys.pop();
        });
        return;
      case 'dict': {
        const xk = objectNodeKeys(x);
        if (xk === null || xk.length !== d.keys.length || !d.keys.every((k) => xk.includes(k))) throw differ(`an object with keys [${d.keys.join(', ')}]`, x);
        d.keys.forEach((k, i) => {
          keys.push(k);
          go(d.children[i]!, (x as Record<string, unknown>)[k]);
          keys.pop();
        });
      }
    }
  };
  go(def, other);
  return out;
}

/**
 * Expands a prefix tree (e.g. vmap's inAxes, where one number stands for a whole subtree) to one
 * value per Array leaf of `tree`, in `treeFlatten` order. A non-node value of `prefix` (a number,
 * null, ...) applies to every leaf below that position; `undefined` is treated like any other value.
 */
export function treeBroadcastPrefix(prefix: unknown, tree: unknown, what = 'treeBroadcastPrefix'): unknown[] {
  const out: unknown[] = [];
  const at = new TreePath(what);
  const go = (p: unknown, x: unknown): void => {
    if (!isTreeNode(p)) {
      for (let n = leavesOf(what, x).length; n > 0; n--) out.push(p);
      return;
    }
    at.enter(p as object);
    if (globalThis.Array.isArray(p)) {
      if (!globalThis.Array.isArray(x) || x.length !== p.length) {
        throw new Error(`${what}: a JS array of length ${p.length} at ${at.where()} does not match ${describeValue(x)}`);
      }
      p.forEach((e, i) => {
        at.keys.push(i);
        go(e, x[i]);
        at.keys.pop();
      });
    } else {
      const xk = objectNodeKeys(x);
      if (xk === null) throw new Error(`${what}: an object at ${at.where()} does not match ${describeValue(x)}`);
      const pk = objectNodeKeys(p)!;
      for (const k of pk) if (!xk.includes(k)) throw new Error(`${what}: key '${k}' at ${at.where()} is not in the tree`);
      for (const k of xk) {
        if (!pk.includes(k)) throw new Error(`${what}: the tree's key '${k}' at ${at.where()} is missing`);
        at.keys.push(k);
        go((p as Record<string, unknown>)[k], (x as Record<string, unknown>)[k]);
        at.keys.pop();
      }
    }
    at.leave();
  };
  go(prefix, tree);
  return out;
}
