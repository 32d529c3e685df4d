/**
 * `mx.utils`: MLX's `mlx.utils` tree helpers, in camelCase. Unlike core's `treeFlatten` (leaves and
 * a treedef, for transforms), these work on dotted paths, as MLX's do: `treeFlatten(model.parameters())`
 * gives `[['layers.0.weight', w], ...]`. Containers are JS arrays, plain objects and tree-node
 * instances (nn Modules); everything else, numbers included, is a leaf, as in MLX.
 *
 * @module
 */
import { foldTree, maxTreeDepth, objectNodeKeys, TreePath } from '@mlx-ts/core';

/** A leaf predicate: return true to treat a value as a leaf even if it is a container. */
export type IsLeafFn = (x: unknown) => boolean;

function fail(fn: string, msg: string): never {
  throw new Error(`${fn}: ${msg}`);
}

function describeValue(x: unknown): string {
  if (x === null) return 'null';
  if (globalThis.Array.isArray(x)) return `a JS array of length ${x.length}`;
  if (objectNodeKeys(x) !== null) return `an object with keys [${objectNodeKeys(x)!.join(', ')}]`;
  return typeof x === 'object' ? (x.constructor?.name ?? 'an object') : `a ${typeof x}`;
}

/** The child at `key` of `other`, which must be a container of the same kind as `node` holding it. */
function childOf(fn: string, other: unknown, key: string | number, path: string): unknown {
  if (typeof key === 'number') {
    if (!globalThis.Array.isArray(other) || key >= other.length)
      fail(fn, `trees differ at ${path || 'the root'}: expected a JS array with index ${key}, got ${describeValue(other)}`);
    return other[key];
  }
  const keys = objectNodeKeys(other);
  if (keys === null || !keys.includes(key))
    fail(fn, `trees differ at ${path || 'the root'}: expected an object with key '${key}', got ${describeValue(other)}`);
  return (other as Record<string, unknown>)[key];
}

function mapWithPath(
  fn: string,
  f: (path: string, x: unknown, ...rest: unknown[]) => unknown,
  tree: unknown,
  rest: unknown[],
  isLeaf: IsLeafFn | undefined,
  path: string,
  at = new TreePath(fn),
): unknown {
  if (isLeaf?.(tree)) return f(path, tree, ...rest);
  const prefix = path ? `${path}.` : '';
  const list = globalThis.Array.isArray(tree);
  const keys = list ? null : objectNodeKeys(tree);
  if (!list && keys === null) return f(path, tree, ...rest);
  at.enter(tree as object);
  const child = (k: string | number, c: unknown): unknown => {
    at.keys.push(k);
    const r = mapWithPath(
      fn,
      f,
      c,
      rest.map((r) => childOf(fn, r, k, path)),
      isLeaf,
      `${prefix}${k}`,
      at,
    );
    at.keys.pop();
    return r;
  };
  let out: unknown;
  if (list) out = (tree as unknown[]).map((c, i) => child(i, c));
  else {
    const o: Record<string, unknown> = {};
    for (const k of keys!) o[k] = child(k, (tree as Record<string, unknown>)[k]);
    out = o;
  }
  at.leave();
  return out;
}

/**
 * MLX's `tree_map(fn, tree, *rest, is_leaf=None)`: applies `fn` to every leaf of `tree`, with the
 * values at the same places in `rest` (each a superset of `tree`) as further arguments. A Module
 * gives a plain object. `isLeaf` goes in a trailing `{ isLeaf }` object.
 */
export function treeMap<R = unknown>(fn: (x: any, ...rest: any[]) => unknown, tree: unknown, ...rest: unknown[]): R {
  const [trees, isLeaf] = trailingOptions('treeMap', rest);
  return mapWithPath('treeMap', (_p, x, ...r) => fn(x, ...r), tree, trees, isLeaf, '') as R;
}

/**
 * MLX's `tree_map_with_path(fn, tree, *rest, is_leaf=None, path=None)`: `treeMap` with the leaf's
 * dotted path as `fn`'s first argument. Options go in a trailing `{ isLeaf, path }` object.
 */
export function treeMapWithPath<R = unknown>(fn: (path: string, x: any, ...rest: any[]) => unknown, tree: unknown, ...rest: unknown[]): R {
  const [trees, isLeaf, path] = trailingOptions('treeMapWithPath', rest, true);
  return mapWithPath('treeMapWithPath', fn, tree, trees, isLeaf, path ?? '') as R;
}

/** Options of treeMap / treeMapWithPath: a trailing object with only these keys. */
export interface TreeMapOptions {
  isLeaf?: IsLeafFn;
  /** treeMapWithPath only: a prefix for the paths. */
  path?: string;
}

function trailingOptions(fn: string, rest: unknown[], withPath = false): [unknown[], IsLeafFn | undefined, string | undefined] {
  const last = rest[rest.length - 1];
  const allowed = withPath ? ['isLeaf', 'path'] : ['isLeaf'];
  if (rest.length > 0 && typeof last === 'object' && last !== null && Object.getPrototypeOf(last) === Object.prototype) {
    const keys = Object.keys(last);
    if (keys.length > 0 && keys.every((k) => allowed.includes(k))) {
      const o = last as TreeMapOptions;
      if (o.isLeaf !== undefined && typeof o.isLeaf !== 'function') fail(fn, `isLeaf must be a function, got ${describeValue(o.isLeaf)}`);
      if (o.path !== undefined && typeof o.path !== 'string') fail(fn, `path must be a string, got ${describeValue(o.path)}`);
      return [rest.slice(0, -1), o.isLeaf, o.path];
    }
  }
  return [rest, undefined, undefined];
}

/**
 * MLX's `tree_flatten(tree, prefix='', is_leaf=None)`: `[path, leaf]` pairs with dotted paths
 * (`layers.0.weight`). As in MLX, the prefix's first character is dropped (`'.model'` names
 * `model.x`). Called as `treeFlatten(tree, prefix?, isLeaf?)` or `treeFlatten(tree, { prefix, isLeaf })`.
 */
export function treeFlatten<T = unknown>(
  tree: unknown,
  ...args: [prefix?: string, isLeaf?: IsLeafFn] | [{ prefix?: string; isLeaf?: IsLeafFn }]
): [string, T][] {
  let prefix = '';
  let isLeaf: IsLeafFn | undefined;
  const [a, b] = args;
  if (typeof a === 'object' && a !== null) {
    for (const k of Object.keys(a)) if (k !== 'prefix' && k !== 'isLeaf') fail('treeFlatten', `unknown option '${k}' (expected prefix, isLeaf)`);
    prefix = a.prefix ?? '';
    isLeaf = a.isLeaf;
  } else {
    prefix = a ?? '';
    isLeaf = b;
  }
  if (typeof prefix !== 'string') fail('treeFlatten', `prefix must be a string, got ${describeValue(prefix)}`);
  if (isLeaf !== undefined && typeof isLeaf !== 'function') fail('treeFlatten', `isLeaf must be a function, got ${describeValue(isLeaf)}`);
  const out: [string, T][] = [];
  foldTree<void>('treeFlatten', tree, { isLeaf, leaf: (x, at) => void out.push([`${prefix}${at.keys.map((k) => `.${k}`).join('')}`.slice(1), x as T]) });
  return out;
}

/**
 * MLX's `tree_unflatten(pairs)`: the tree that `treeFlatten` flattened. A level whose keys are all
 * integers becomes a JS array (missing indices are `{}`, as MLX fills them); the single pair `['', x]` is `x`.
 * Accepts `[path, value]` pairs or an object `{ path: value }`.
 */
export function treeUnflatten<T = unknown>(pairs: readonly (readonly [string, unknown])[] | Record<string, unknown>): T {
  const items: (readonly [string, unknown])[] = globalThis.Array.isArray(pairs) ? [...pairs] : Object.entries(pairs as Record<string, unknown>);
  for (const it of items) {
    if (!globalThis.Array.isArray(it) || it.length !== 2 || typeof it[0] !== 'string')
      fail('treeUnflatten', `expected [path, value] pairs with string paths, got ${describeValue(it)}`);
    // unflatten recurses once per path segment.
    if (it[0].split('.').length > maxTreeDepth)
      fail('treeUnflatten', `the path '${it[0].slice(0, 40)}…' has more than the ${maxTreeDepth} segments a tree may nest`);
  }
  return unflatten(items) as T;
}

function unflatten(items: readonly (readonly [string, unknown])[]): unknown {
  if (items.length === 1 && items[0]![0] === '') return items[0]![1];
  const children = new Map<string, [string, unknown][]>();
  for (const [key, value] of items) {
    const dot = key.indexOf('.');
    const head = dot < 0 ? key : key.slice(0, dot);
    const tail = dot < 0 ? '' : key.slice(dot + 1);
    let c = children.get(head);
    if (!c) children.set(head, (c = []));
    c.push([tail, value]);
  }
  const heads = [...children.keys()];
  if (heads.length > 0 && heads.every((h) => /^\d+$/.test(h))) {
    const out: unknown[] = [];
    for (const h of heads.sort((x, y) => Number(x) - Number(y))) {
      while (out.length < Number(h)) out.push({});
      out.push(unflatten(children.get(h)!));
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const h of heads) out[h] = unflatten(children.get(h)!);
  return out;
}

/**
 * MLX's `tree_reduce(fn, tree, initializer=None, is_leaf=None)`: folds `fn(acc, leaf)` over the
 * leaves; without an initializer the first leaf starts the fold.
 */
export function treeReduce<A = unknown>(fn: (acc: A, x: any) => A, tree: unknown, initializer?: A, isLeaf?: IsLeafFn): A {
  let acc: A | undefined = initializer;
  let started = initializer !== undefined;
  for (const [, leaf] of treeFlatten(tree, '', isLeaf)) {
    if (started) acc = fn(acc as A, leaf);
    else {
      acc = leaf as A;
      started = true;
    }
  }
  return acc as A;
}

function isEmptyContainer(x: unknown): boolean {
  if (globalThis.Array.isArray(x)) return x.length === 0;
  const keys = objectNodeKeys(x);
  return keys !== null && keys.length === 0;
}

/**
 * MLX's `tree_merge(tree_a, tree_b, merge_fn=None)`: one tree holding the values of both, a deep
 * object merge. Empty JS arrays and objects, `null` and `undefined` count as absent subtrees (MLX's
 * None); where both trees hold a value, `mergeFn(a, b)` decides, and without it that is an error.
 */
export function treeMerge<T = unknown>(treeA: unknown, treeB: unknown, mergeFn?: (a: any, b: any) => unknown): T {
  return merge(treeA, treeB, mergeFn, '', new TreePath('treeMerge')) as T;
}

function merge(a: unknown, b: unknown, mergeFn: ((a: any, b: any) => unknown) | undefined, path: string, at: TreePath): unknown {
  const emptyA = isEmptyContainer(a);
  const emptyB = isEmptyContainer(b);
  if (emptyA && emptyB) {
    if (globalThis.Array.isArray(a) !== globalThis.Array.isArray(b))
      fail('treeMerge', `cannot merge ${describeValue(a)} with ${describeValue(b)} at ${path || 'the root'}`);
    return globalThis.Array.isArray(a) ? [] : {};
  }
  const absentA = emptyA || a === null || a === undefined;
  const absentB = emptyB || b === null || b === undefined;
  if (absentA) return absentB ? a : b;
  if (absentB) return a;
  const prefix = path ? `${path}.` : '';
  // The walk descends only where both trees hold containers, so guarding `a` bounds it.
  const child = (k: string | number, ca: unknown, cb: unknown): unknown => {
    at.keys.push(k);
    const r = merge(ca, cb, mergeFn, `${prefix}${k}`, at);
    at.keys.pop();
    return r;
  };
  if (globalThis.Array.isArray(a) && globalThis.Array.isArray(b)) {
    at.enter(a);
    const out = globalThis.Array.from({ length: Math.max(a.length, b.length) }, (_, i) => child(i, a[i], b[i]));
    at.leave();
    return out;
  }
  const ka = objectNodeKeys(a);
  const kb = objectNodeKeys(b);
  if (ka !== null && kb !== null) {
    at.enter(a as object);
    const out: Record<string, unknown> = {};
    for (const k of [...ka, ...kb.filter((k) => !ka.includes(k))]) out[k] = child(k, (a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]);
    at.leave();
    return out;
  }
  if (mergeFn === undefined) fail('treeMerge', `both trees hold a value at ${path || 'the root'} and no mergeFn was given`);
  return mergeFn(a, b);
}
