/**
 * Evaluation: orders the unevaluated part of a graph, folds views into strides, hands each run of
 * same-backend steps to its backend in one `execute` call, then detaches the graph.
 */
import { Array, Storage, isTracer } from './array.js';
import { type Backend, backendFor, type Source, type Step, type View } from './backend.js';
import type { Stream } from './device.js';
import type { Dtype } from './dtype.js';
import { getPrimitiveDef } from './ir/registry.js';
import { isPrimitive, type Params } from './ir/primitives.js';
import { contiguousStrides, fmtShape, isRowContiguous } from './shape.js';
import { describeValue } from './describe.js';
import { $data, $disposed, $inputs, $layout, $mark, $params, $pending, $placeholder, $prim, $siblings, $stream, $uses, $view } from './array-keys.js';

/**
 * Where an array's elements are, for folding views: a step of the segment being built (`storage`
 * null) or stored data (`storage` set). A node computed in the segment carries a `View` of itself
 * in `Array[$layout]` until its segment is committed; every step that reads it gets that object.
 */
interface Layout {
  readonly source: Source;
  readonly storage: Storage | null;
  readonly offset: number;
  readonly strides: readonly number[];
}

const noStrides: readonly number[] = Object.freeze([]);

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let d = 0; d < a.length; d++) if (a[d] !== b[d]) return false;
  return true;
}

function stridesFor(shape: readonly number[]): readonly number[] {
  return shape.length === 0 ? noStrides : contiguousStrides(shape);
}

function checkEvaluable(a: Array): void {
  if (a[$disposed]) throw new Error(`eval: an input array of shape ${fmtShape(a.shape)} ${goneWhy(a)}`);
  if (a[$placeholder] !== null) {
    throw new Error(`eval: cannot evaluate an array traced by ${a[$placeholder]}; its values exist only when the transformed function is called`);
  }
}

/**
 * Arrays given up to a compiled function (`compile`'s `donate`), with why they are gone: only
 * read to word the use-after-donation Error, so a WeakMap and not a field on every Array.
 */
const donated = new WeakMap<Array, string>();

/** How a disposed array went, for errors. */
function goneWhy(a: Array): string {
  return donated.get(a) ?? 'was disposed';
}

/**
 * Hands an array given up to a compiled function (compile's `donate`) over to a new node that
 * only the function's replay holds, and disposes `a`: any later use of `a` (or of a lazy array
 * built from it) is the use-after-dispose Error, worded as a donation. The new node takes `a`'s
 * storage (the same holder: views of `a` keep theirs, so the storage stays shared and is not
 * donated) or, when `a` is not evaluated yet, its recipe. `uses` is how many steps of the
 * replay read it: the evaluator counts them down (`Planner.consume`) and lets the last one write
 * its output into the storage (`Step.donate`) when nothing else holds it, or frees the storage
 * once that step has run; 0: nothing reads it, so its storage is freed now; -1: the function
 * returns it unchanged (the caller holds the new node). `what` names the argument in errors.
 */
export function donateArray(a: Array, uses: number, what: string): Array {
  if (a[$disposed]) throw new Error(`${what} ${goneWhy(a)}`);
  if (a[$placeholder] !== null) throw new Error(`${what} is traced by ${a[$placeholder]} and cannot be donated`);
  if (a[$pending] > 0) throw new Error(`${what} is being computed by a pending asyncEval; await it before donating the array`);
  const b = new Array(a.shape, a.dtype, a[$prim], a[$params], a[$inputs], a[$stream]);
  b[$data] = a[$data];
  b[$view] = a[$view];
  const sib = a[$siblings];
  if (sib !== null) {
    // The siblings share one list: b takes a's place in it, so the step still fills every output.
    sib[sib.indexOf(a)] = b;
    b[$siblings] = sib;
  }
  b[$uses] = Math.max(uses, 0);
  a[$data] = null;
  a[$inputs] = [];
  a[$prim] = null;
  a[$params] = null;
  a[$siblings] = null;
  a[$disposed] = true;
  donated.set(a, "was donated to a compiled function (compile's `donate` option) and can no longer be used");
  if (uses === 0 && b[$data] !== null) {
    // Nothing reads it: free it now (views of it keep the storage).
    b[$data].storage.drop();
    b[$data] = null;
  }
  return b;
}

/** Visit marks: a node is seen by the current `schedule` when its `[$mark]` equals `epoch`. */
let epoch = 0;

/** `schedule`'s work stacks, kept between calls so they do not grow anew each time. */
const stack: Array[] = [];
const next: number[] = [];

/** Marks a node seen, and its siblings with it: one of a multi-output node's outputs stands for the step that makes all of them. */
function markNode(a: Array, mark: number): void {
  const sib = a[$siblings];
  if (sib === null) a[$mark] = mark;
  else for (let j = 0; j < sib.length; j++) sib[j]![$mark] = mark;
}

/**
 * Unevaluated nodes reachable from `outputs`, inputs before users, one entry per multi-output
 * node. Iterative: graphs can be 10^5 nodes deep.
 */
function schedule(outputs: readonly Array[]): Array[] {
  const mark = ++epoch;
  const order: Array[] = [];
  if (stack.length > 0) {
    // Left over by a schedule that threw.
    stack.length = 0;
    next.length = 0;
  }
  for (const o of outputs) {
    if (!(o instanceof Array)) throw new Error(`eval: expected Arrays, got ${describeValue(o)}`);
    // A disposed array may still hold data a pending asyncEval gave it; using it is an Error all the same.
    if ((o[$data] !== null && !o[$disposed]) || o[$mark] === mark) continue;
    checkEvaluable(o);
    if (o[$prim] === null) continue;
    markNode(o, mark);
    stack.push(o);
    next.push(0);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const node = stack[top]!;
      const i = next[top]!;
      const inputs = node[$inputs];
      if (i < inputs.length) {
        next[top] = i + 1;
        const inp = inputs[i]!;
        if ((inp[$data] === null || inp[$disposed]) && inp[$mark] !== mark) {
          checkEvaluable(inp);
          if (inp[$prim] === null) throw new Error(`eval: an input array of shape ${fmtShape(inp.shape)} has neither data nor a primitive`);
          markNode(inp, mark);
          stack.push(inp);
          next.push(0);
        }
      } else {
        stack.pop();
        next.pop();
        order.push(node);
      }
    }
  }
  return order;
}

/**
 * Strides that let `newShape` read the same elements as (shape, strides) without a copy, or null
 * when the old axes that merge into one new axis are not evenly strided (NumPy's no-copy reshape).
 */
function reshapeStrides(shape: readonly number[], strides: readonly number[], newShape: readonly number[]): number[] | null {
  if (shape.includes(0)) return contiguousStrides(newShape);
  const oldDims: number[] = [];
  const oldStr: number[] = [];
  shape.forEach((d, i) => {
    if (d !== 1) {
      oldDims.push(d);
      oldStr.push(strides[i]!);
    }
  });
  const out = new globalThis.Array<number>(newShape.length).fill(1);
  let ni = 0;
  let oi = 0;
  while (ni < newShape.length && oi < oldDims.length) {
    let np = newShape[ni]!;
    let op = oldDims[oi]!;
    let nj = ni + 1;
    let oj = oi + 1;
    while (np !== op) {
      if (np < op) np *= newShape[nj++]!;
      else op *= oldDims[oj++]!;
    }
    for (let k = oi; k < oj - 1; k++) if (oldStr[k] !== oldDims[k + 1]! * oldStr[k + 1]!) return null;
    out[nj - 1] = oldStr[oj - 1]!;
    for (let k = nj - 1; k > ni; k--) out[k - 1] = out[k]! * newShape[k]!;
    ni = nj;
    oi = oj;
  }
  return out;
}

/** The layout of a view primitive's output, or null when it needs a copy first (reshape of a strided input). */
function viewLayout(node: Array, input: Array, l: Layout): Layout | null {
  switch (node[$prim]) {
    case 'stopGradient':
      return l;
    case 'reshape': {
      const strides = reshapeStrides(input.shape, l.strides, node.shape);
      return strides === null ? null : { source: l.source, storage: l.storage, offset: l.offset, strides };
    }
    case 'transpose': {
      const { perm } = node[$params] as Params<'transpose'>;
      return { source: l.source, storage: l.storage, offset: l.offset, strides: perm.map((p) => l.strides[p]!) };
    }
    case 'broadcastTo': {
      const lead = node.ndim - input.ndim;
      const strides = node.shape.map((d, i) => (i < lead || input.shape[i - lead] !== d ? 0 : l.strides[i - lead]!));
      return { source: l.source, storage: l.storage, offset: l.offset, strides };
    }
    case 'slice': {
      const { start, step } = node[$params] as Params<'slice'>;
      let offset = l.offset;
      const strides = l.strides.map((s, i) => {
        offset += start[i]! * s;
        return s * step[i]!;
      });
      return { source: l.source, storage: l.storage, offset, strides };
    }
    default:
      // A registered single-output primitive of kind 'view' is an identity view of its first input (multi-output views: Planner.addGroup).
      if (!isPrimitive(node[$prim]!)) return l;
      throw new Error(`eval: '${node[$prim]}' is declared a view but has no layout rule`);
  }
}

/** The layout of an input: stored data first (another evaluation may have finished it), else pending in this segment. */
function layoutOf(a: Array): Layout {
  const d = a[$data];
  if (d !== null) return { source: d.storage.source, storage: d.storage, offset: d.offset, strides: d.strides };
  const v = a[$layout] as View;
  return { source: v.source, storage: null, offset: v.offset, strides: v.strides };
}

/** What a step reads of input `a`, on backend `target`. */
function viewOf(a: Array, target: Backend): View {
  const d = a[$data];
  // A node computed in this segment: its pending view serves every step that reads it.
  if (d === null) return (a[$layout] as View | null) ?? disposedDuringEval(a);
  if (d.storage.backend !== target) {
    // Another backend holds it: copy through the host (free where memory is shared).
    const host = d.storage.backend.toHost({ source: d.storage.source, dtype: a.dtype, shape: a.shape, strides: d.strides, offset: d.offset });
    return {
      source: { kind: 'storage', handle: target.fromHost(host, a.dtype) },
      dtype: a.dtype,
      shape: a.shape,
      strides: contiguousStrides(a.shape),
      offset: 0,
    };
  }
  return { source: d.storage.source, dtype: a.dtype, shape: a.shape, strides: d.strides, offset: d.offset };
}

/** An evaluated input of a pending asyncEval, disposed (with no other holder) before the step reading it was built. */
function disposedDuringEval(a: Array): never {
  throw new Error(`asyncEval: an input array of shape ${fmtShape(a.shape)} was disposed while the evaluation was pending`);
}

/**
 * Turns `order` into runs of same-backend steps, one segment at a time: `next` builds the steps up
 * to the next change of backend, the caller runs them on `backend` and hands the storage back to
 * `commit`. A plain loop (no generator, no maps): this is the per-node cost of every evaluation.
 */
class Planner {
  /** The backend of the segment being built. */
  backend: Backend | null = null;
  private i = 0;
  private steps: Step[] = [];
  /** Output slots of `steps` (one per step, one per output of a multi-output step). */
  private slots = 0;
  /**
   * Nodes computed by this segment's steps, and their pending views (kept here, not read back
   * from the nodes, which a concurrent evaluation may also be computing).
   */
  private members: Array[] = [];
  private memberLayouts: View[] = [];
  /** Intermediates whose last consumer this segment runs (see `consume`). */
  private spent: Array[] = [];
  /**
   * Inputs offered to a step of this segment as its output's storage (`Step.donate`), the step's
   * output slot, and the donor's own slot when this segment computes it (-1: stored data).
   */
  private donors: Array[] = [];
  private donorSlots: number[] = [];
  private donorSources: number[] = [];
  private lastStream: Stream | null = null;
  private lastBackend: Backend | null = null;

  constructor(private readonly order: readonly Array[]) {}

  /** The steps of the next segment, or null when every node is done. */
  next(): Step[] | null {
    const order = this.order;
    for (; this.i < order.length; this.i++) {
      const node = order[this.i]!;
      const prim = node[$prim]!;
      let source: Source;
      let offset = 0;
      let strides: readonly number[];
      let view = node[$view];
      if (view === null) view = node[$view] = getPrimitiveDef(prim).kind === 'view';
      if (node[$siblings] !== null) {
        const r = this.addGroup(node, node[$siblings], prim, view);
        if (r === false) return this.steps;
        this.consume(node);
        continue;
      }
      if (view) {
        const input = node[$inputs][0]!;
        const l = viewLayout(node, input, layoutOf(input));
        if (l === null) {
          // A strided input reshaped: materialize it contiguously, then view that with the new shape.
          const b = this.backendOf(node, 'astype');
          if (b !== this.backend && this.steps.length > 0) return this.steps;
          this.backend = b;
          source = this.addStep(b, 'astype', { dtype: input.dtype }, [input], input.shape, input.dtype);
          strides = stridesFor(node.shape);
        } else if (l.storage !== null) {
          node[$data] = { storage: l.storage.retain(), offset: l.offset, strides: l.strides };
          this.consume(node);
          continue;
        } else {
          source = l.source;
          offset = l.offset;
          strides = l.strides;
        }
      } else {
        const b = this.backendOf(node, prim);
        if (b !== this.backend && this.steps.length > 0) return this.steps;
        this.backend = b;
        source = this.addStep(b, prim, node[$params], node[$inputs], node.shape, node.dtype, undefined, this.donorOf(node, b));
        strides = stridesFor(node.shape);
      }
      const layout: View = { source, dtype: node.dtype, shape: node.shape, strides, offset };
      node[$layout] = layout;
      this.members.push(node);
      this.memberLayouts.push(layout);
      this.consume(node);
    }
    return this.steps.length > 0 ? this.steps : null;
  }

  /**
   * Counts a planned node's reads of its inputs. An intermediate of a compiled function (`[$uses]`
   * set by its replay) whose last consumer is now planned is spent: once the segment has run, no
   * one can read it again (nothing outside the graph holds it), so `commit` returns its memory
   * then instead of at garbage collection. Steady-state training reuses those blocks step after
   * step, and V8's external memory, which paces its full collections, stops growing by every
   * activation and gradient of every step.
   */
  private consume(node: Array): void {
    const inputs = node[$inputs];
    for (let k = 0; k < inputs.length; k++) {
      const inp = inputs[k]!;
      if (inp[$uses] > 0 && --inp[$uses] === 0) this.spent.push(inp);
    }
  }

  /**
   * The input of `node` (a single-output step about to be added) whose storage the step may write
   * its output into, or -1. Only arrays the evaluator alone can reach have `[$uses]` (a compiled
   * function's intermediates and donated arguments); the step must be the last reader (every use
   * left is one of its own inputs), the storage unshared (no view holds it) and already stored
   * contiguously from offset 0 with the output's shape and element size, so that element i of
   * the output lands where element i of the input was. Whether the kernel may write there is the
   * backend's call (`Step.donate`).
   */
  private donorOf(node: Array, b: Backend): number {
    const inputs = node[$inputs];
    for (let k = 0; k < inputs.length; k++) {
      const inp = inputs[k]!;
      const uses = inp[$uses];
      if (uses === 0) continue;
      if (inp.dtype.size !== node.dtype.size || !sameShape(inp.shape, node.shape)) continue;
      const d = inp[$data];
      let source = -1;
      if (d !== null) {
        if (d.offset !== 0 || d.storage.shared || d.storage.backend !== b || !isRowContiguous(inp.shape, d.strides)) continue;
      } else {
        // Computed by this segment: the slot must be its own (no view of it is a member) and hold it contiguously.
        const l = inp[$layout] as View | null;
        if (l === null || l.source.kind !== 'step' || l.offset !== 0 || !isRowContiguous(inp.shape, l.strides)) continue;
        source = l.source.index;
        if (!this.soleHolder(inp, source)) continue;
      }
      let reads = 0;
      for (let j = 0; j < inputs.length; j++) if (inputs[j] === inp) reads++;
      if (reads !== uses) continue;
      this.donors.push(inp);
      this.donorSlots.push(this.slots);
      this.donorSources.push(source);
      return k;
    }
    return -1;
  }

  /**
   * Whether `inp` is the only member of this segment viewing output slot `slot` (no view of it
   * holds the storage). Counted here, on the rare path (an input with `[$uses]`), rather than
   * kept per member on every evaluation.
   */
  private soleHolder(inp: Array, slot: number): boolean {
    const layouts = this.memberLayouts;
    let holders = 0;
    for (let k = 0; k < layouts.length; k++) {
      const src = layouts[k]!.source;
      if (src.kind !== 'step' || src.index !== slot) continue;
      if (this.members[k] !== inp || ++holders > 1) return false;
    }
    return holders === 1;
  }

  /**
   * A multi-output node: one step for all its outputs (a registered view primitive: each output
   * views the input at its position). False when it starts a new segment (another backend).
   */
  private addGroup(node: Array, siblings: readonly Array[], prim: string, view: boolean): boolean {
    let base = -1;
    if (!view) {
      const b = this.backendOf(node, prim);
      if (b !== this.backend && this.steps.length > 0) return false;
      this.backend = b;
      base = this.slots;
      this.addStep(b, prim, node[$params], node[$inputs], siblings[0]!.shape, siblings[0]!.dtype, siblings);
    }
    for (let j = 0; j < siblings.length; j++) {
      const s = siblings[j]!;
      if (s[$disposed]) continue;
      let layout: View;
      if (view) {
        const l = layoutOf(node[$inputs][j]!);
        if (l.storage !== null) {
          s[$data] = { storage: l.storage.retain(), offset: l.offset, strides: l.strides };
          continue;
        }
        layout = { source: l.source, dtype: s.dtype, shape: s.shape, strides: l.strides, offset: l.offset };
      } else {
        layout = { source: { kind: 'step', index: base + j }, dtype: s.dtype, shape: s.shape, strides: stridesFor(s.shape), offset: 0 };
      }
      s[$layout] = layout;
      this.members.push(s);
      this.memberLayouts.push(layout);
    }
    return true;
  }

  /** Gives the nodes of the segment just run their storage (`handles`: one per output slot). */
  commit(handles: readonly unknown[]): void {
    const backend = this.backend!;
    const members = this.members;
    const layouts = this.memberLayouts;
    const storages: (Storage | undefined)[] = new globalThis.Array(this.slots);
    // Slots of this segment whose buffer a later step of it was written over: that step's output owns the handle.
    let overwritten: boolean[] | null = null;
    const donors = this.donors;
    for (let k = 0; k < donors.length; k++) {
      const src = this.donorSources[k]!;
      if (src < 0 || handles[this.donorSlots[k]!] !== handles[src]) continue;
      overwritten ??= [];
      overwritten[src] = true;
    }
    for (let k = 0; k < members.length; k++) {
      const m = members[k]!;
      const l = layouts[k]!;
      const idx = (l.source as { index: number }).index;
      if (overwritten !== null && overwritten[idx] === true) {
        // The donor was read for the last time by the step that overwrote it (so it is spent): it never gets storage.
        if (m[$layout] === l) m[$layout] = null;
        continue;
      }
      let st = storages[idx];
      if (st === undefined) storages[idx] = st = new Storage(backend, handles[idx]);
      else st.retain();
      m[$data] = { storage: st, offset: l.offset, strides: l.strides };
      if (m[$layout] === l) m[$layout] = null;
    }
    // Outputs no node claims (siblings disposed before the step was built) are freed now, not at collection.
    for (let idx = 0; idx < this.slots; idx++) if (storages[idx] === undefined && overwritten?.[idx] !== true) backend.release(handles[idx]);
    // A stored donor whose storage the backend wrote an output into: the handle is that output's now.
    for (let k = 0; k < donors.length; k++) {
      const n = donors[k]!;
      const d = n[$data];
      if (d === null || handles[this.donorSlots[k]!] !== d.storage.handle) continue;
      d.storage.handOver();
      n[$data] = null;
    }
    const spent = this.spent;
    for (let k = 0; k < spent.length; k++) {
      const n = spent[k]!;
      const d = n[$data];
      if (d === null) continue;
      n[$data] = null;
      d.storage.drop();
    }
    this.reset();
  }

  /** Forgets the segment after a failure, so no node keeps a layout into steps that never ran. */
  abort(): void {
    for (let k = 0; k < this.members.length; k++) {
      const m = this.members[k]!;
      if (m[$layout] === this.memberLayouts[k]) m[$layout] = null;
    }
    // A step offered a donor's storage may have written into it before a later step failed, so
    // the donor's values are gone: a retry must fail, not read them.
    for (const n of this.donors) {
      const d = n[$data];
      if (d === null) continue;
      n[$data] = null;
      n[$prim] = null;
      n[$inputs] = [];
      n[$disposed] = true;
      donated.set(n, 'was donated to a step of a compiled function whose evaluation failed, so its storage may have been overwritten');
      d.storage.drop();
    }
    this.reset();
  }

  private reset(): void {
    this.steps = [];
    this.slots = 0;
    this.members = [];
    this.memberLayouts = [];
    this.spent = [];
    if (this.donors.length > 0) {
      this.donors = [];
      this.donorSlots = [];
      this.donorSources = [];
    }
  }

  private backendOf(node: Array, prim: string): Backend {
    const stream = node[$stream]!;
    let b: Backend;
    if (stream === this.lastStream) b = this.lastBackend!;
    else {
      b = backendFor(stream.device.type);
      this.lastStream = stream;
      this.lastBackend = b;
    }
    if (!b.supports(prim)) throw new Error(`${prim}: backend '${b.name}' has no kernel for this primitive`);
    return b;
  }

  private addStep(
    b: Backend,
    prim: string,
    params: unknown,
    inputs: readonly Array[],
    shape: readonly number[],
    dtype: Dtype,
    siblings?: readonly Array[],
    donate = -1,
  ): Source {
    const n = inputs.length;
    const views = new globalThis.Array<View>(n);
    for (let k = 0; k < n; k++) views[k] = viewOf(inputs[k]!, b);
    const index = this.slots;
    if (siblings === undefined) {
      this.steps.push(donate < 0 ? { prim, params, inputs: views, shape, dtype } : { prim, params, inputs: views, shape, dtype, donate });
      this.slots++;
    } else {
      this.steps.push({ prim, params, inputs: views, shape, dtype, outputs: siblings.map((s) => ({ shape: s.shape, dtype: s.dtype })) });
      this.slots += siblings.length;
    }
    return { kind: 'step', index };
  }
}

const noInputs: Array[] = Object.freeze([]) as unknown as Array[];

function detach(order: readonly Array[]): void {
  for (const node of order) {
    if (isTracer(node)) continue;
    const sib = node[$siblings];
    if (sib === null) detachNode(node);
    else for (let j = 0; j < sib.length; j++) detachNode(sib[j]!);
  }
}
function detachNode(node: Array): void {
  node[$inputs] = noInputs;
  node[$prim] = null;
  node[$params] = null;
  node[$siblings] = null;
}

/** Evaluates the arrays (and everything they depend on) now. */
export function evalArrays(outputs: readonly Array[]): void {
  const order = schedule(outputs);
  if (order.length === 0) return;
  const planner = new Planner(order);
  try {
    for (let steps = planner.next(); steps !== null; steps = planner.next()) planner.commit(planner.backend!.execute(steps));
  } catch (e) {
    planner.abort();
    throw e;
  }
  detach(order);
}

/** Applies `f` to each node of `order` and the other outputs of its multi-output node. */
function eachOutput(order: readonly Array[], f: (node: Array) => void): void {
  for (const node of order) {
    const sib = node[$siblings];
    if (sib === null) f(node);
    else for (let j = 0; j < sib.length; j++) f(sib[j]!);
  }
}

/**
 * Evaluates on a backend's worker thread where it has one; the main thread stays free.
 *
 * The user may `dispose` a planned node while this is pending (between its segments): dispose
 * wins. The node keeps its recipe and result until the plan is done (`Array._pending`), since
 * later steps may read them; both are dropped when the evaluation settles, so its memory is freed
 * and using it is the use-after-dispose Error (at once: `schedule` checks `_disposed` first).
 */
export async function asyncEvalArrays(outputs: readonly Array[]): Promise<void> {
  const order = schedule(outputs);
  if (order.length === 0) return;
  eachOutput(order, (n) => n[$pending]++);
  const planner = new Planner(order);
  try {
    for (let steps = planner.next(); steps !== null; steps = planner.next()) {
      const b = planner.backend!;
      planner.commit(await (b.executeAsync ? b.executeAsync(steps) : b.execute(steps)));
    }
  } catch (e) {
    planner.abort();
    throw e;
  } finally {
    eachOutput(order, (n) => {
      if (--n[$pending] === 0 && n[$disposed]) n.dispose();
    });
  }
  detach(order);
}
