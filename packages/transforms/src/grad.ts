/**
 * `grad(f, argnums)` and `valueAndGrad(f, argnums)`: MLX's `mx.grad` / `mx.value_and_grad`.
 *
 * f returns a scalar loss, or `[loss, ...aux]` with the loss first (then the value is that whole
 * array and the gradients are of the loss). A single argnum (default 0) gives one gradient tree
 * mirroring that argument; an array of argnums gives a JS array of trees. Arguments may be trees
 * of arrays (JS arrays, plain objects); the differentiated ones must hold only arrays.
 */
import {
  Array,
  describeValue,
  enterTrace,
  exitTrace,
  flattenTree,
  fmtShape,
  foldTree,
  isPlainObject,
  treeFlatten,
  treeUnflatten,
  type TreeDef,
} from '@mlx-ts/core';
import { backward, onesLike, settle, tracerCopy, zerosLike } from './autodiff.js';

export interface GradOptions {
  /** The positions of the arguments to differentiate: one number (default 0) or an array of them. */
  argnums?: number | readonly number[];
}

/** Which arguments to differentiate: one position, or a list of them. */
export type Argnums = number | readonly number[];

/** Throws, naming `fn` and where, unless every leaf of `result` is an Array (JS numbers must be wrapped). */
export function checkArrayOutputs(fn: string, result: unknown): void {
  foldTree<void>(fn, result, {
    leaf: (x, at) => {
      if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint') {
        throw new Error(`${fn}: the function must return arrays (or trees of arrays), got a ${typeof x} at ${at.where()}; wrap it with mx.array`);
      }
    },
  });
}

/** Reads `argnums` from MLX's positional form or the options object; validates what can be checked before a call. */
export function parseArgnums(fn: string, opt: Argnums | GradOptions | undefined): { list: number[]; single: boolean } {
  let argnums: unknown = 0;
  if (opt !== undefined && opt !== null) {
    if (typeof opt === 'number' || globalThis.Array.isArray(opt)) argnums = opt;
    else if (isPlainObject(opt)) {
      for (const k of Object.keys(opt)) if (k !== 'argnums') throw new Error(`${fn}: unknown option '${k}' (expected argnums)`);
      if ((opt as GradOptions).argnums !== undefined) argnums = (opt as GradOptions).argnums;
    } else throw new Error(`${fn}: argnums must be a number, an array of numbers or { argnums }, got ${describeValue(opt)}`);
  }
  const single = typeof argnums === 'number';
  const list = single ? [argnums as number] : (argnums as unknown[]).slice();
  for (const a of list) {
    if (typeof a !== 'number' || !Number.isInteger(a)) throw new Error(`${fn}: argnums must be integers, got ${describeValue(a)}`);
    if (a < 0) throw new Error(`${fn}: argnums must be non-negative, got ${a}`);
  }
  const seen = new Set<number>();
  for (const a of list as number[]) {
    if (seen.has(a)) throw new Error(`${fn}: argnums contains ${a} more than once`);
    seen.add(a);
  }
  if (list.length === 0) throw new Error(`${fn}: argnums is empty; give at least one argument to differentiate`);
  return { list: list as number[], single };
}

/** Finds the first non-array leaf of a tree (of those `counts` accepts: all by default), for errors. */
export function firstStatic(def: TreeDef, path = '', counts: (value: unknown) => boolean = () => true): { path: string; value: unknown } | null {
  switch (def.kind) {
    case 'leaf':
      return null;
    case 'static':
      return counts(def.value) ? { path, value: def.value } : null;
    case 'list':
      for (let i = 0; i < def.children.length; i++) {
        const r = firstStatic(def.children[i]!, `${path}[${i}]`, counts);
        if (r) return r;
      }
      return null;
    case 'dict':
      for (let i = 0; i < def.keys.length; i++) {
        const r = firstStatic(def.children[i]!, `${path}.${def.keys[i]}`, counts);
        if (r) return r;
      }
      return null;
  }
}

export interface Differentiated {
  /** The arguments with tracer copies in the differentiated positions. */
  args: unknown[];
  /** The copies (roots of the walks), flat over all differentiated arguments. */
  roots: Array[];
  /** Per differentiated argument: its treedef and the slice of `roots` it owns. */
  parts: { def: TreeDef; start: number; end: number }[];
}

/**
 * Replaces the arrays of the differentiated arguments by tracer copies; checks they hold only
 * arrays, and with `floating` (grad, as JAX: an integer input has no gradient) only floating ones.
 */
export function traceArgs(fn: string, args: readonly unknown[], argnums: readonly number[], floating = false): Differentiated {
  const out = args.slice();
  const roots: Array[] = [];
  const parts: Differentiated['parts'] = [];
  for (const i of argnums) {
    if (i >= args.length) {
      throw new Error(`${fn}: argnums ${i} is out of range: the function was called with ${args.length} argument${args.length === 1 ? '' : 's'}`);
    }
    const [leaves, def] = flattenTree(fn, args[i]);
    const bad = firstStatic(def);
    if (bad) {
      throw new Error(
        `${fn}: argument ${i} must be an array or a tree of arrays to be differentiated, but holds ${describeValue(bad.value)}` +
          `${bad.path ? ` at ${bad.path}` : ''}; wrap it with mx.array, or leave it out of argnums`,
      );
    }
    if (floating) {
      const k = leaves.findIndex((x) => !x.dtype.isInexact);
      if (k >= 0) {
        const at = def.kind === 'leaf' ? '' : ` (its array leaf ${k})`;
        throw new Error(
          `${fn}: argument ${i}${at} has dtype ${leaves[k]!.dtype.name}; ${fn} requires floating-point inputs (cast it with mx.astype, or leave it out of argnums)`,
        );
      }
    }
    const start = roots.length;
    const copies = leaves.map(tracerCopy);
    roots.push(...copies);
    parts.push({ def, start, end: roots.length });
    out[i] = treeUnflatten(def, copies);
  }
  return { args: out, roots, parts };
}

/** Gradient trees per differentiated argument from the roots' cotangents. */
export function gradTrees(d: Differentiated, cts: readonly (Array | null)[]): unknown[] {
  return d.parts.map(({ def, start, end }) =>
    treeUnflatten(
      def,
      d.roots.slice(start, end).map((r, j) => cts[start + j] ?? zerosLike(r)),
    ),
  );
}

/**
 * The loss: a 0-d array (MLX and JAX: only a scalar output is a loss, not [1, 1]); valueAndGrad
 * also takes `[loss, ...aux]`, grad does not (that is valueAndGrad's form).
 */
function lossOf(fn: string, out: unknown, auxAllowed: boolean): Array {
  let loss: unknown = out;
  if (!(out instanceof Array)) {
    if (auxAllowed && globalThis.Array.isArray(out) && out.length > 0 && out[0] instanceof Array) loss = out[0];
    else {
      const form = auxAllowed
        ? 'a scalar array, or a JS array [loss, ...aux] with a scalar array first'
        : 'a scalar array (for [loss, ...aux], use valueAndGrad)';
      throw new Error(`${fn}: the function must return ${form}; got ${describeValue(out)}`);
    }
  }
  const l = loss as Array;
  if (l.ndim !== 0) {
    throw new Error(
      `${fn}: the function must return a scalar (a 0-d array) to be differentiated, got shape ${fmtShape(l.shape)}${l.size === 1 ? ' (reshape it, or sum it, to a scalar)' : ''}`,
    );
  }
  return l;
}

function valueAndGradCall(
  fn: string,
  f: (...args: any[]) => any,
  argnums: readonly number[],
  single: boolean,
  auxAllowed: boolean,
  args: unknown[],
): [unknown, unknown] {
  let value: unknown;
  let grads: unknown[];
  enterTrace();
  try {
    const d = traceArgs(fn, args, argnums, true);
    value = f(...d.args);
    const loss = lossOf(fn, value, auxAllowed);
    const cts = backward([loss], [onesLike(loss)], d.roots);
    grads = gradTrees(d, cts);
  } finally {
    exitTrace();
  }
  const g = single ? grads[0] : grads;
  settle([...treeFlatten(value)[0], ...treeFlatten(grads)[0]]);
  return [value, g];
}

/**
 * The gradient of an argument of type T: T (a tree of arrays), or its Array part where T admits
 * other values too (an op's `ArrayInput`: only an Array can be differentiated).
 */
type GradOf<T> = [Extract<T, Array>] extends [never] ? T : Extract<T, Array>;

/** The tangents or cotangents of arguments P (jvp, vjp): one per argument, each typed as its gradient. */
export type TangentsOf<P extends readonly unknown[]> = { -readonly [K in keyof P]: GradOf<P[K]> };

/**
 * The gradients' type for `argnums` A of a function with parameters P: shaped like the
 * differentiated arguments (one argument's type, or a tuple of them for a list of argnums).
 */
export type GradsOf<P extends readonly unknown[], A> = A extends number
  ? GradOf<P[A]>
  : A extends readonly number[]
    ? { -readonly [K in keyof A]: GradOf<P[A[K] & number]> }
    : A extends { argnums: infer N }
      ? GradsOf<P, N>
      : GradOf<P[0]>;

/**
 * Returns a function computing `[f(...args), gradients]`. Called as MLX's
 * `valueAndGrad(f, argnums = 0)` or `valueAndGrad(f, { argnums })`; the gradients are typed like
 * the differentiated arguments (`GradsOf`).
 * @typeParam F - The type of `f`.
 */
export function valueAndGrad<F extends (...args: any[]) => any, const A extends Argnums | GradOptions | undefined = undefined>(
  f: F,
  argnums?: A,
): (...args: Parameters<F>) => [ReturnType<F>, GradsOf<Parameters<F>, A>] {
  const fn = 'valueAndGrad';
  if (typeof f !== 'function') throw new Error(`${fn}: expected a function, got ${describeValue(f)}`);
  const { list, single } = parseArgnums(fn, argnums);
  const g = (...args: Parameters<F>) => valueAndGradCall(fn, f, list, single, true, args) as [ReturnType<F>, GradsOf<Parameters<F>, A>];
  Object.defineProperty(g, 'name', { value: `valueAndGrad(${f.name || 'f'})` });
  return g;
}

/**
 * Returns a function computing the gradient of f's scalar output (the first element when f returns
 * `[loss, ...aux]`). Called as MLX's `grad(f, argnums = 0)` or `grad(f, { argnums })`.
 * @typeParam F - The type of `f`.
 */
export function grad<F extends (...args: any[]) => any, const A extends Argnums | GradOptions | undefined = undefined>(
  f: F,
  argnums?: A,
): (...args: Parameters<F>) => GradsOf<Parameters<F>, A> {
  const fn = 'grad';
  if (typeof f !== 'function') throw new Error(`${fn}: expected a function, got ${describeValue(f)}`);
  const { list, single } = parseArgnums(fn, argnums);
  const g = (...args: Parameters<F>) => valueAndGradCall(fn, f, list, single, false, args)[1] as GradsOf<Parameters<F>, A>;
  Object.defineProperty(g, 'name', { value: `grad(${f.name || 'f'})` });
  return g;
}
