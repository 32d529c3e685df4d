/**
 * Evaluation: orders the unevaluated part of a graph, folds views into strides, hands each run of
 * same-backend steps to its backend in one `execute` call, then detaches the graph.
 */
import { Array, Storage } from './array.js';
import { type Backend, backendFor, type Source, type Step, type View } from './backend.js';
import { getPrimitiveDef } from './ir/registry.js';
import type { Params } from './ir/primitives.js';
import { contiguousStrides, fmtShape } from './shape.js';

/** Where a node's output lives while its segment is being built. */
interface Layout {
  readonly source: Source;
  readonly offset: number;
  readonly strides: readonly number[];
}

function checkEvaluable(a: Array): void {
  if (a._disposed) throw new Error(`eval: an input array of shape ${fmtShape(a.shape)} was disposed`);
  if (a._placeholder !== null) {
    throw new Error(`eval: cannot evaluate an array traced by ${a._placeholder}; its values exist only when the transformed function is called`);
  }
}

/** Unevaluated nodes reachable from `outputs`, inputs before users. Iterative: graphs can be 10^5 nodes deep. */
function schedule(outputs: readonly Array[]): Array[] {
  const order: Array[] = [];
  const seen = new Set<Array>();
  const stack: Array[] = [];
  const next: number[] = [];
  for (const o of outputs) {
    if (!(o instanceof Array)) throw new Error(`eval: expected Arrays, got ${typeof o}`);
    if (o._data !== null || seen.has(o)) continue;
    checkEvaluable(o);
    if (o._prim === null) continue;
    seen.add(o);
    stack.push(o);
    next.push(0);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const node = stack[top]!;
      const i = next[top]!;
      if (i < node._inputs.length) {
        next[top] = i + 1;
        const inp = node._inputs[i]!;
        if (inp._data === null && !seen.has(inp)) {
          checkEvaluable(inp);
          if (inp._prim === null) throw new Error(`eval: an input array of shape ${fmtShape(inp.shape)} has neither data nor a primitive`);
          seen.add(inp);
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
  switch (node._prim) {
    case 'stopGradient':
    case 'customFunction': // an identity view of f's output (packages/transforms custom.ts)
      return l;
    case 'reshape': {
      const strides = reshapeStrides(input.shape, l.strides, node.shape);
      return strides === null ? null : { ...l, strides };
    }
    case 'transpose': {
      const { perm } = node._params as Params<'transpose'>;
      return { ...l, strides: perm.map((p) => l.strides[p]!) };
    }
    case 'broadcastTo': {
      const lead = node.ndim - input.ndim;
      const strides = node.shape.map((d, i) => (i < lead || input.shape[i - lead] !== d ? 0 : l.strides[i - lead]!));
      return { ...l, strides };
    }
    case 'slice': {
      const { start, step } = node._params as Params<'slice'>;
      let offset = l.offset;
      const strides = l.strides.map((s, i) => {
        offset += start[i]! * s;
        return s * step[i]!;
      });
      return { source: l.source, offset, strides };
    }
    default:
      throw new Error(`eval: '${node._prim}' is declared a view but has no layout rule`);
  }
}

type Executor = (backend: Backend, steps: readonly Step[]) => unknown[] | Promise<unknown[]>;

/** Builds and runs the steps of `order`; `run` is sync or async so `eval` and `asyncEval` share it. */
function* plan(order: readonly Array[]): Generator<[Backend, Step[]], void, unknown[]> {
  const layouts = new Map<Array, Layout>();
  let backend: Backend | null = null;
  let steps: Step[] = [];
  let members: Array[] = [];

  function* flush(): Generator<[Backend, Step[]], void, unknown[]> {
    if (steps.length === 0) return;
    const handles = yield [backend!, steps];
    const storages = handles.map((h) => new Storage(backend!, h));
    const claimed = new Set<number>();
    for (const m of members) {
      const l = layouts.get(m)!;
      if (l.source.kind !== 'step') continue;
      const idx = l.source.index;
      const st = storages[idx]!;
      m._data = { storage: claimed.has(idx) ? st.retain() : st, offset: l.offset, strides: l.strides };
      claimed.add(idx);
      layouts.delete(m);
    }
    steps = [];
    members = [];
  }

  const layoutOf = (a: Array): Layout => {
    const pending = layouts.get(a);
    if (pending) return pending;
    const d = a._data!;
    return { source: { kind: 'storage', handle: d.storage.handle }, offset: d.offset, strides: d.strides };
  };

  const viewOf = (a: Array, target: Backend): View => {
    const d = a._data;
    if (d !== null && d.storage.backend !== target) {
      // Another backend holds it: copy through the host (free where memory is shared).
      const host = d.storage.backend.toHost({ source: { kind: 'storage', handle: d.storage.handle }, dtype: a.dtype, shape: a.shape, strides: d.strides, offset: d.offset });
      return { source: { kind: 'storage', handle: target.fromHost(host, a.dtype) }, dtype: a.dtype, shape: a.shape, strides: contiguousStrides(a.shape), offset: 0 };
    }
    return { ...layoutOf(a), dtype: a.dtype, shape: a.shape };
  };

  const addStep = function* (node: Array, prim: string, params: unknown, inputs: readonly Array[], out: Array = node): Generator<[Backend, Step[]], Layout, unknown[]> {
    const b = backendFor(node._stream!.device.type);
    if (!b.supports(prim)) throw new Error(`${prim}: backend '${b.name}' has no kernel for this primitive`);
    if (b !== backend) {
      yield* flush();
      backend = b;
    }
    steps.push({ prim, params, inputs: inputs.map((x) => viewOf(x, b)), shape: out.shape, dtype: out.dtype });
    return { source: { kind: 'step', index: steps.length - 1 }, offset: 0, strides: contiguousStrides(out.shape) };
  };

  for (const node of order) {
    const prim = node._prim!;
    let layout: Layout | null;
    if (getPrimitiveDef(prim).kind === 'view') {
      const input = node._inputs[0]!;
      const l = layoutOf(input);
      layout = viewLayout(node, input, l);
      if (layout === null) {
        // A strided input reshaped: materialize it contiguously, then view that with the new shape.
        const copy = yield* addStep(node, 'astype', { dtype: input.dtype }, [input], input);
        layout = { ...copy, strides: contiguousStrides(node.shape) };
      }
    } else {
      layout = yield* addStep(node, prim, node._params, node._inputs);
    }
    if (layout.source.kind === 'step') {
      layouts.set(node, layout);
      members.push(node);
    } else {
      const storage = layout.source.handle === node._inputs[0]?._data?.storage.handle ? node._inputs[0]!._data!.storage : null;
      if (storage === null) throw new Error(`eval: internal error: view of '${prim}' lost its storage`);
      node._data = { storage: storage.retain(), offset: layout.offset, strides: layout.strides };
    }
  }
  yield* flush();
}

function detach(order: readonly Array[]): void {
  for (const node of order) {
    if (node.isTracer) continue;
    node._inputs = [];
    node._prim = null;
    node._params = null;
  }
}

function drive(order: readonly Array[], run: Executor): void | Promise<void> {
  const gen = plan(order);
  let r = gen.next();
  while (!r.done) {
    const out = run(r.value[0], r.value[1]);
    if (out instanceof Promise) {
      return (async () => {
        let result = await out;
        for (;;) {
          r = gen.next(result);
          if (r.done) return;
          result = await run(r.value[0], r.value[1]);
        }
      })();
    }
    r = gen.next(out);
  }
}

/** Evaluates the arrays (and everything they depend on) now. */
export function evalArrays(outputs: readonly Array[]): void {
  const order = schedule(outputs);
  if (order.length === 0) return;
  drive(order, (b, steps) => b.execute(steps));
  detach(order);
}

/** Evaluates on a backend's worker thread where it has one; the main thread stays free. */
export async function asyncEvalArrays(outputs: readonly Array[]): Promise<void> {
  const order = schedule(outputs);
  if (order.length === 0) return;
  await drive(order, (b, steps) => (b.executeAsync ? b.executeAsync(steps) : b.execute(steps)));
  detach(order);
}
