/**
 * Tracing: the call signature that keys the cache, running f on placeholders, and copying the
 * graph it builds into a `Graph` (ir.ts).
 */
import {
  Array,
  type Aval,
  bool,
  enterTrace,
  evalArrays,
  exitTrace,
  getPrimitiveDef,
  isPrimitive,
  flattenTree,
  foldTree,
  treeUnflatten,
  type TreeDef,
  type TreePosition,
} from '@mlx-ts/core';
import type { ConstVal, Graph, NodeGroup, NodeVal, Val } from './ir.js';
import { checkArrayOutputs } from '../grad.js';
import { $data, $inputs, $params, $placeholder, $prim, $siblings, $stream, $tracer, arrayFromStorage, placeholderArray } from '@mlx-ts/core';

export const FN = 'compile';

// ---------------------------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------------------------

const objectIds = new WeakMap<object, number>();
let nextObjectId = 0;
/** A stable number per object (closures, options): signatures and CSE keys name objects by it. */
export function objectId(x: object): number {
  let id = objectIds.get(x);
  if (id === undefined) {
    id = nextObjectId++;
    objectIds.set(x, id);
  }
  return id;
}

/**
 * Appends `x`'s signature to `out` and its Array leaves to `leaves`, in `treeFlatten` order:
 * structure, each array's dtype and shape (only its ndim when `shapeless`), and the values of
 * everything else (numbers, strings, booleans; other objects by identity).
 */
export function signature(x: unknown, shapeless: boolean, leaves: Array[]): string {
  return foldTree<string>(FN, x, {
    leaf: (v) => leafSignature(v, shapeless, leaves),
    list: (children) => `[${children.join(',')}]`,
    dict: (keys, children) => `{${keys.map((k, i) => `${JSON.stringify(k)}:${children[i]},`).join('')}}`,
  });
}

function leafSignature(x: unknown, shapeless: boolean, leaves: Array[]): string {
  if (x instanceof Array) {
    leaves.push(x);
    return shapeless ? `${x.dtype.name}:${x.shape.length}` : `${x.dtype.name}[${x.shape.join(',')}]`;
  }
  switch (typeof x) {
    case 'number':
      return Object.is(x, -0) ? 'n-0' : `n${x}`;
    case 'string':
      return `s${JSON.stringify(x)}`;
    case 'boolean':
      return x ? 'T' : 'F';
    case 'undefined':
      return 'U';
    case 'bigint':
      return `b${x}`;
  }
  return x === null ? 'N' : `o${objectId(x as object)}`;
}

/**
 * Replaces the Array leaves of a state tree in place (treeFlatten order) with `values`; returns
 * the slots it wrote, so a trace can put the original arrays back where they were even when f
 * added arrays to the tree (an optimizer building its state on the first update).
 */
export function fillTree(what: string, tree: unknown, values: readonly Array[]): [Record<string | number, unknown>, string | number][] {
  let i = 0;
  const slots: [Record<string | number, unknown>, string | number][] = [];
  const fill = (x: unknown, at: TreePosition): void => {
    if (!(x instanceof Array)) return;
    // A JS array or object node holds x (a Module's parameters are set on the Module itself).
    const holder = at.parent as Record<string | number, unknown>;
    holder[at.key!] = next();
    slots.push([holder, at.key!]);
  };
  const next = (): Array => {
    if (i >= values.length) throw new Error(`${FN}: the ${what} tree holds more arrays than the ${values.length} the compiled function has for it`);
    return values[i++]!;
  };
  if (tree instanceof Array)
    throw new Error(`${FN}: the ${what} state must be a JS array or object holding arrays (so it can be updated in place), got a bare Array`);
  foldTree<void>(FN, tree, { leaf: fill });
  if (i !== values.length) throw new Error(`${FN}: the ${what} tree holds ${i} arrays, the compiled function has ${values.length} for it`);
  return slots;
}

// ---------------------------------------------------------------------------------------------
// Tracing
// ---------------------------------------------------------------------------------------------

export interface TraceResult {
  graph: Graph;
  /** Structure of f's result (its Array leaves are the first `nUserOutputs` outputs). */
  outDef: TreeDef;
  nUserOutputs: number;
}

/** Thrown inside `captureGraph` when f's graph reaches an array another transform is tracing. */
export class OuterTracer extends Error {}

/**
 * Runs f on placeholders standing for `leaves` (f's array arguments, then the `inputs` state
 * tree's arrays, swapped into that tree for the call) and copies the graph to its outputs.
 * Returns null when the graph depends on a tracer of an enclosing transform captured by closure:
 * then the caller runs f directly, as under a transform.
 */
export function trace(
  f: (...args: any[]) => unknown,
  argDef: TreeDef,
  avals: readonly Aval[],
  nArgLeaves: number,
  stateLeaves: readonly Array[],
  inputsTree: unknown,
  outputsTree: unknown,
): TraceResult | null {
  // Arrays made from here on are the trace's own; older ones that are tracers belong to an outer transform.
  const firstId = placeholderArray([], bool, FN).id;
  const placeholders = avals.map((x) => placeholderArray(x.shape.slice(), x.dtype, FN));
  let result: unknown;
  let stateOut: Array[] = [];
  let inputSlots: ReturnType<typeof fillTree> = [];
  enterTrace();
  try {
    if (inputsTree !== undefined) inputSlots = fillTree('inputs', inputsTree, placeholders.slice(nArgLeaves));
    result = f(...treeUnflatten<unknown[]>(argDef, placeholders.slice(0, nArgLeaves)));
    if (outputsTree !== undefined) stateOut = flattenTree(FN, outputsTree)[0];
  } finally {
    exitTrace();
    inputSlots.forEach(([container, key], i) => (container[key] = stateLeaves[i]));
  }
  const [outLeaves, outDef] = flattenTree(FN, result);
  checkArrayOutputs(FN, result);
  try {
    const graph = captureGraph([...outLeaves, ...stateOut], placeholders, firstId);
    return { graph, outDef, nUserOutputs: outLeaves.length };
  } catch (e) {
    if (e instanceof OuterTracer) return null;
    throw e;
  }
}

/**
 * Identity views a trace can drop: stopGradient's forward value is its input's, and so is that of
 * any registered primitive of kind 'view' (customFunction's node; see core's registry).
 */
const isIdentityView = (prim: string): boolean => prim === 'stopGradient' || (!isPrimitive(prim) && getPrimitiveDef(prim).kind === 'view');
/** The input an identity view shows: the first, or for output k of a multi-output view, input k. */
const viewedInput = (n: Array): number => (n[$siblings] === null ? 0 : n[$siblings].indexOf(n));

/**
 * Copies the graph between `outputs` and the placeholders. Nodes built during the trace (ids from
 * `firstId` on) that depend on a placeholder become nodes; everything else the graph reaches is a
 * constant of the trace (evaluated now, once). An array of an outer trace throws `OuterTracer`.
 */
export function captureGraph(outputs: readonly Array[], placeholders: readonly Array[], firstId: number): Graph {
  const ids = new Map<Array, number>();
  const vals: Val[] = [];
  placeholders.forEach((p, index) => {
    ids.set(p, index);
    vals.push({ kind: 'input', index, shape: p.shape.slice(), dtype: p.dtype });
  });
  const consts: Array[] = [];
  const nodes: Array[] = [];
  const alias = new Map<Array, Array>();
  const isConst = (a: Array): boolean => {
    if (a[$tracer] && a[$placeholder] === null && a.id < firstId) throw new OuterTracer();
    if (a[$tracer] && a[$placeholder] !== null && a[$data] === null) {
      throw new Error(`${FN}: the function's result depends on an array traced by ${a[$placeholder]} that escaped its transform`);
    }
    return a[$data] !== null || !a[$tracer] || a[$prim] === null;
  };
  // Post-order walk, iterative (graphs can be 10^5 nodes deep).
  const seen = new Set<Array>(placeholders);
  const stack: Array[] = [];
  const next: number[] = [];
  const visit = (a: Array): void => {
    if (seen.has(a)) return;
    seen.add(a);
    if (isConst(a)) {
      consts.push(a);
      return;
    }
    stack.push(a);
    next.push(0);
  };
  for (const o of outputs) {
    visit(o);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const n = stack[top]!;
      const i = next[top]!;
      // An identity view reads only the input it views (output k of a multi-output one, input k).
      const identity = isIdentityView(n[$prim]!);
      const edges = identity ? 1 : n[$inputs].length;
      if (i < edges) {
        next[top] = i + 1;
        visit(n[$inputs][identity ? viewedInput(n) : i]!);
      } else {
        stack.pop();
        next.pop();
        if (identity) alias.set(n, n[$inputs][viewedInput(n)]!);
        else nodes.push(n);
      }
    }
  }
  const resolve = (a: Array): Array => {
    let r = a;
    while (alias.has(r)) r = alias.get(r)!;
    return r;
  };
  // Nodes built during the trace that depend on no placeholder (a grad of a constant inside f) are
  // constants too: computed now, once.
  const dep = new Set<Array>(placeholders);
  const traced: Array[] = [];
  for (const n of nodes) {
    const edges = n[$inputs];
    let d = false;
    for (let k = 0; k < edges.length && !d; k++) d = dep.has(resolve(edges[k]!));
    if (d) {
      dep.add(n);
      traced.push(n);
    } else consts.push(n);
  }
  if (consts.length > 0) evalArrays(consts);
  for (const c of consts) {
    ids.set(c, vals.length);
    vals.push(constVal(c));
  }
  const groups = new Map<readonly Array[], NodeGroup>();
  for (const n of traced) {
    ids.set(n, vals.length);
    const sib = n[$siblings];
    let group: NodeVal['group'] = null;
    if (sib !== null) {
      let outputs = groups.get(sib);
      if (outputs === undefined) groups.set(sib, (outputs = { avals: sib.map((s) => ({ shape: s.shape.slice(), dtype: s.dtype })) }));
      group = { outputs, index: sib.indexOf(n) };
    }
    const v: NodeVal = {
      kind: 'node',
      prim: n[$prim]!,
      params: n[$params],
      args: n[$inputs].map((x) => ids.get(resolve(x))!),
      shape: n.shape.slice(),
      dtype: n.dtype,
      stream: n[$stream]!,
      group,
    };
    vals.push(v);
  }
  return { vals, outputs: outputs.map((o) => ids.get(resolve(o))!), nInputs: placeholders.length, firstId };
}

/** A constant's record: a splat (all elements equal) keeps a 0-d view and its value. */
export function constVal(a: Array): ConstVal {
  const d = a[$data]!;
  let splat: ConstVal['splat'] = null;
  if (a.size >= 1 && d.strides.every((s, i) => s === 0 || a.shape[i] === 1)) {
    const scalar = arrayFromStorage([], a.dtype, d.storage.retain(), d.offset, []);
    splat = { scalar, value: scalarValue(scalar) };
  }
  return { kind: 'const', array: a, shape: a.shape.slice(), dtype: a.dtype, splat };
}

/** The JS number a 0-d array holds, or null when a number cannot hold it exactly. */
export function scalarValue(a: Array): number | null {
  const v = a.toTypedArray()[0]!;
  const n = Number(v);
  return typeof v === 'bigint' && !Number.isSafeInteger(n) ? null : n;
}
