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
  const leaves: Array[] = [];
  const seen = new Set<object>();
  const go = (x: unknown): TreeDef => {
    if (x instanceof Array) {
      leaves.push(x);
      return LEAF;
    }
    if (isLeaf?.(x) || !isTreeNode(x)) return { kind: 'static', value: x };
    if (seen.has(x as object)) throw new Error('treeFlatten: the tree contains a cycle');
    seen.add(x as object);
    let def: TreeDef;
    if (globalThis.Array.isArray(x)) def = { kind: 'list', children: x.map(go) };
    else {
      const keys = objectNodeKeys(x)!;
      def = { kind: 'dict', keys, children: keys.map((k) => go((x as Record<string, unknown>)[k])) };
    }
    seen.delete(x as object);
    return def;
  };
  const def = go(tree);
  return [leaves, def];
}

/** The tree `def` describes, with `leaves` (Arrays or anything else) in its leaf positions, in order. */
export function treeUnflatten<T = unknown>(def: TreeDef, leaves: readonly unknown[]): T {
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
  return treeFlatten(tree, isLeaf)[0];
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
  const go = (x: unknown, others: unknown[], path: string): unknown => {
    if (x instanceof Array) return fn(x, ...others);
    if (!isTreeNode(x)) return x;
    if (globalThis.Array.isArray(x)) {
      for (const o of others) {
        if (!globalThis.Array.isArray(o) || o.length !== x.length) {
          throw new Error(`treeMap: trees differ at ${path || 'the root'}: a JS array of length ${x.length} and ${describeValue(o)}`);
        }
      }
      return x.map((e, i) =>
        go(
          e,
          others.map((o) => (o as unknown[])[i]),
          `${path}[${i}]`,
        ),
      );
    }
    const keys = objectNodeKeys(x)!;
    for (const o of others) {
      const ok = objectNodeKeys(o);
      if (ok === null || ok.length !== keys.length || !keys.every((k) => ok.includes(k))) {
        throw new Error(`treeMap: trees differ at ${path || 'the root'}: an object with keys [${keys.join(', ')}] and ${describeValue(o)}`);
      }
    }
    const out: Record<string, unknown> = {};
    for (const k of keys)
      out[k] = go(
        (x as Record<string, unknown>)[k],
        others.map((o) => (o as Record<string, unknown>)[k]),
        `${path}.${k}`,
      );
    return out;
  };
  return go(tree, rest, '') as T;
}

/**
 * Expands a prefix tree (e.g. vmap's inAxes, where one number stands for a whole subtree) to one
 * value per Array leaf of `tree`, in `treeFlatten` order. A non-node value of `prefix` (a number,
 * null, ...) applies to every leaf below that position; `undefined` is treated like any other value.
 */
export function treeBroadcastPrefix(prefix: unknown, tree: unknown, what = 'treeBroadcastPrefix'): unknown[] {
  const out: unknown[] = [];
  const go = (p: unknown, x: unknown, path: string): void => {
    if (!isTreeNode(p)) {
      for (let n = treeLeaves(x).length; n > 0; n--) out.push(p);
      return;
    }
    if (globalThis.Array.isArray(p)) {
      if (!globalThis.Array.isArray(x) || x.length !== p.length) {
        throw new Error(`${what}: a JS array of length ${p.length} at ${path || 'the root'} does not match ${describeValue(x)}`);
      }
      p.forEach((e, i) => go(e, x[i], `${path}[${i}]`));
      return;
    }
    const xk = objectNodeKeys(x);
    if (xk === null) throw new Error(`${what}: an object at ${path || 'the root'} does not match ${describeValue(x)}`);
    const pk = objectNodeKeys(p)!;
    for (const k of pk) if (!xk.includes(k)) throw new Error(`${what}: key '${k}' at ${path || 'the root'} is not in the tree`);
    for (const k of xk) {
      if (!pk.includes(k)) throw new Error(`${what}: the tree's key '${k}' at ${path || 'the root'} is missing`);
      go((p as Record<string, unknown>)[k], (x as Record<string, unknown>)[k], `${path}.${k}`);
    }
  };
  go(prefix, tree, '');
  return out;
}
