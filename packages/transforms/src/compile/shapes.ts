/**
 * Shapeless compile: which traces may be replayed on new shapes, and how.
 *
 * Every dimension in the trace gets a symbolic expression, a polynomial with integer
 * coefficients over the input dimensions (`i0_1`: input 0, axis 1), propagated node by node. The
 * params that hold shapes (reshape, broadcastTo, slice) get expressions too, so a replay on new
 * input shapes evaluates them instead of reusing the traced numbers. Where two expressions must
 * agree (the inputs of an elementwise op, matmul's inner dimensions) and differ, the equation
 * becomes a constraint checked on every new shape. Broadcasts introduce free dimensions that the
 * ops consuming them bind (`x + 1` broadcasts 1 to whatever x is).
 *
 * A trace is refused (null: the caller retraces for every new shape, so it is never replayed
 * with stale shapes) when a shape param cannot be derived from the inputs:
 * - a reshape that splits a symbolic dimension ambiguously, or a slice of part of a symbolic
 *   dimension (`x[:-1]` and `x[0:4]` look alike in the trace);
 * - a dimension or a scalar constant whose value could have been computed from the input shapes:
 *   a free dimension never bound (`zeros(x.shape)`), or a constant equal to the size of some
 *   axes of the graph, one less, its reciprocal, square root or reciprocal square root (`mean`
 *   divides by the count, attention scales by `1/sqrt(d)`). Coincidences only cost retraces.
 * Dimensions of size 0 or 1 in the inputs are not symbolic (they change broadcasting): a new
 * shape must keep them.
 *
 * `rebase` then evaluates the expressions for the new input shapes, checks the constraints and
 * every node against its primitive's output rule, and returns the graph with the new shapes and
 * params, or null (retrace) when anything disagrees.
 */
import {
  argReductions,
  Array,
  array,
  type Aval,
  binaryPredicate,
  binarySameDtype,
  evalArrays,
  getPrimitiveDef,
  isPrimitive,
  type Params,
  paramsEqual,
  type Primitive,
  reductions,
  resolveStream,
  roundToDtype,
  scans,
  shapeEqual,
  table,
  unaryPredicate,
  unarySameDtype,
} from '@mlx-ts/core';
import type { Graph, NodeVal, Val } from './ir.js';
import { constVal } from './trace.js';
import { $stream } from '@mlx-ts/core';

// ---------------------------------------------------------------------------------------------
// Polynomials over dimension symbols
// ---------------------------------------------------------------------------------------------

/** monomial (sorted symbols joined by '*', '' for the constant term) -> coefficient. */
type Poly = ReadonlyMap<string, number>;

const constP = (c: number): Poly => (c === 0 ? new Map() : new Map([['', c]]));
const symP = (s: string): Poly => new Map([[s, 1]]);

function addP(a: Poly, b: Poly, sign = 1): Poly {
  const out = new Map(a);
  for (const [m, c] of b) {
    const v = (out.get(m) ?? 0) + sign * c;
    if (v === 0) out.delete(m);
    else out.set(m, v);
  }
  return out;
}

function mulP(a: Poly, b: Poly): Poly {
  const out = new Map<string, number>();
  for (const [ma, ca] of a) {
    for (const [mb, cb] of b) {
      const syms = [...(ma ? ma.split('*') : []), ...(mb ? mb.split('*') : [])].sort();
      const m = syms.join('*');
      const v = (out.get(m) ?? 0) + ca * cb;
      if (v === 0) out.delete(m);
      else out.set(m, v);
    }
  }
  return out;
}

function constOf(a: Poly): number | null {
  if (a.size === 0) return 0;
  if (a.size === 1 && a.has('')) return a.get('')!;
  return null;
}

function eqP(a: Poly, b: Poly): boolean {
  if (a.size !== b.size) return false;
  for (const [m, c] of a) if (b.get(m) !== c) return false;
  return true;
}

function evalP(a: Poly, env: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const [m, c] of a) {
    let t = c;
    if (m) for (const s of m.split('*')) t *= env.get(s)!;
    total += t;
  }
  return total;
}

function symbolsOf(a: Poly): string[] {
  const out: string[] = [];
  for (const m of a.keys()) if (m) out.push(...m.split('*'));
  return out;
}

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

export interface ShapeModel {
  /** The graph for these input leaves' shapes, or null when the trace cannot serve them. */
  rebase(leaves: readonly Aval[]): Graph | null;
  /** New input shapes to verify the model with (see `verify`), or null. */
  perturbation(): number[][] | null;
  /** Makes scalar constant `i` follow the shapes, given its value in a trace at `leaves`' shapes; false when no rule fits. */
  learnConstant(i: number, leaves: readonly Aval[], value: number): boolean;
}

class Refuse extends Error {}

/** How a scalar constant follows a size `n`. */
const SCALAR_FORMS = ['n', 'n-1', 'n-2', '1/n', '1/(n-1)', '1/(n-2)', 'sqrt(n)', '1/sqrt(n)'] as const;
interface ScalarExpr {
  poly: Poly;
  form: (typeof SCALAR_FORMS)[number];
}

function scalarOf(e: ScalarExpr, env: ReadonlyMap<string, number>): number {
  const n = evalP(e.poly, env);
  switch (e.form) {
    case 'n':
      return n;
    case 'n-1':
      return n - 1;
    case 'n-2':
      return n - 2;
    case '1/n':
      return 1 / n;
    case '1/(n-1)':
      return 1 / (n - 1);
    case '1/(n-2)':
      return 1 / (n - 2);
    case 'sqrt(n)':
      return Math.sqrt(n);
    case '1/sqrt(n)':
      return 1 / Math.sqrt(n);
  }
}

const polyKey = (p: Poly): string =>
  [...p]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([m, c]) => `${c}*${m}`)
    .join('+');

interface ParamExprs {
  /** reshape / broadcastTo: the target shape; slice: its shape. */
  shape?: Poly[];
  /** slice: the starts. */
  start?: Poly[];
}

/** What a symbolic shape rule may ask of the model it runs in. */
interface SymbolicContext {
  /** The two dimensions are equal (a constraint, or a binding of a free dimension); returns it. */
  unify(a: Poly, b: Poly): Poly;
  /** The dimension with every bound free symbol substituted. */
  resolve(a: Poly): Poly;
  /** A constraint that `a` keeps its traced `value`. */
  pin(a: Poly, value: number): void;
  reshape(inp: readonly Poly[], inShape: readonly number[], outShape: readonly number[], i: number): Poly[];
  broadcast(inp: readonly Poly[], inShape: readonly number[], outShape: readonly number[], i: number): Poly[];
  slice(inp: readonly Poly[], inShape: readonly number[], p: { start: number[]; step: number[]; shape: number[] }, i: number): Poly[];
}
interface Traced {
  readonly inShapes: readonly (readonly number[])[];
  readonly shape: readonly number[];
  /** The node's value number (for the shape params the model records). */
  readonly index: number;
}
/**
 * A primitive's output dimensions as expressions of its inputs' (`ins`), adding the constraints
 * its kernel contract implies. `refuse` marks a primitive a shapeless trace cannot replay when
 * any of its dimensions is symbolic.
 */
type SymbolicShape<P> = (m: SymbolicContext, ins: readonly Poly[][], params: P, node: Traced) => Poly[];

/** Inputs of one shape (elementwise): every axis unified across them. */
const sameShape: SymbolicShape<unknown> = (m, ins) =>
  ins[0]!.map((d, ax) => {
    let out = d;
    for (let k = 1; k < ins.length; k++) out = m.unify(out, ins[k]![ax]!);
    return out;
  });
const keepShape: SymbolicShape<unknown> = (_m, ins) => ins[0]!.slice();
/** x's shape, its last axis the size of each [D] operand after it (mx.fast's norms: weight, bias). */
const lastAxisOperands: SymbolicShape<unknown> = (m, ins) => {
  const out = ins[0]!.slice();
  for (let k = 1; k < ins.length; k++) out[out.length - 1] = m.unify(out[out.length - 1]!, ins[k]![0]!);
  return out;
};
const reduceAxes =
  (axes: readonly number[]): SymbolicShape<unknown> =>
  (_m, ins) =>
    ins[0]!.map((d, ax) => (axes.includes(ax) ? constP(1) : d));
const reduced: SymbolicShape<{ axes: number[] }> = (m, ins, p, n) => reduceAxes(p.axes)(m, ins, p, n);
const reducedAxis: SymbolicShape<{ axis: number }> = (m, ins, p, n) => reduceAxes([p.axis])(m, ins, p, n);
/** The traced shape, which no input decides. */
const tracedShape: SymbolicShape<unknown> = (_m, _ins, _p, n) => n.shape.map(constP);
const scatterInto =
  (want: (ins: readonly Poly[][], axis: number) => Poly[]): SymbolicShape<{ axis: number }> =>
  (m, ins, p) => {
    const w = want(ins, p.axis);
    ins[2]!.forEach((d, ax) => m.unify(d, w[ax]!));
    return ins[0]!.slice();
  };

/**
 * mx.linalg: the leading (batch) axes stay symbolic; the matrix axes keep their traced sizes, and
 * each output's trailing axes (a matrix or a vector per batch entry) their traced sizes too.
 */
const matrixBatch: SymbolicShape<unknown> = (m, ins, _p, n) => {
  const a = ins[0]!;
  const nb = a.length - 2;
  for (let k = nb; k < a.length; k++) m.pin(a[k]!, n.inShapes[0]![k]!);
  return [...a.slice(0, nb), ...n.shape.slice(nb).map(constP)];
};

/** Every core primitive's symbolic shape rule, so a new primitive without one does not compile. */
const symbolicShapes: { readonly [P in Primitive]: SymbolicShape<Params<P>> } = {
  ...table(unarySameDtype, sameShape),
  ...table(unaryPredicate, sameShape),
  ...table(binarySameDtype, sameShape),
  ...table(binaryPredicate, sameShape),
  ...table(reductions, reduced),
  ...table(argReductions, reducedAxis),
  ...table(scans, keepShape),
  astype: sameShape,
  stopGradient: keepShape,
  where: sameShape,
  sort: keepShape,
  argsort: keepShape,
  softmax: keepShape,
  rmsNorm: lastAxisOperands,
  layerNorm: lastAxisOperands,
  rope: keepShape,
  logsumexp: reducedAxis,
  reshape: (m, ins, p, n) => m.reshape(ins[0]!, n.inShapes[0]!, p.shape, n.index),
  broadcastTo: (m, ins, p, n) => m.broadcast(ins[0]!, n.inShapes[0]!, p.shape, n.index),
  transpose: (_m, ins, p) => p.perm.map((k) => ins[0]![k]!),
  slice: (m, ins, p, n) => m.slice(ins[0]!, n.inShapes[0]!, p, n.index),
  concatenate: (m, ins, p) => {
    const out = ins[0]!.slice();
    for (let k = 1; k < ins.length; k++) {
      ins[k]!.forEach((d, ax) => {
        out[ax] = ax === p.axis ? addP(m.resolve(out[ax]!), m.resolve(d)) : m.unify(out[ax]!, d);
      });
    }
    return out;
  },
  pad: (m, ins, p) => ins[0]!.map((d, ax) => addP(m.resolve(d), constP(p.low[ax]! + p.high[ax]!))),
  gather: (_m, ins, p) => [...ins[0]!.slice(0, p.axis), ...ins[1]!, ...ins[0]!.slice(p.axis + 1)],
  gatherAxis: (m, ins, p) => {
    ins[1]!.forEach((d, ax) => ax !== p.axis && m.unify(d, ins[0]![ax]!));
    return ins[1]!.slice();
  },
  scatter: scatterInto((ins, axis) => [...ins[0]!.slice(0, axis), ...ins[1]!, ...ins[0]!.slice(axis + 1)]),
  scatterAxis: (m, ins, p) => {
    ins[1]!.forEach((d, ax) => {
      m.unify(d, ins[2]![ax]!);
      if (ax !== p.axis) m.unify(d, ins[0]![ax]!);
    });
    return ins[0]!.slice();
  },
  matmul: (m, ins) => {
    const [a, b] = ins as [Poly[], Poly[]];
    const nb = a.length - 2;
    const batch = a.slice(0, nb).map((d, ax) => m.unify(d, b[ax]!));
    m.unify(a[nb + 1]!, b[nb]!);
    return [...batch, a[nb]!, b[nb + 1]!];
  },
  randomBits: (m, ins, p, n) => {
    ins[0]!.forEach((d, ax) => m.pin(d, n.inShapes[0]![ax]!)); // a key is always [2]
    return tracedShape(m, ins, p, n);
  },
  arange: tracedShape,
  compiled: sameShape,
  divmod: sameShape,
  topk: (_m, ins, p) => [...ins[0]!.slice(0, -1), constP(p.k)],
  qr: matrixBatch,
  svd: matrixBatch,
  inv: matrixBatch,
  triInv: matrixBatch,
  cholesky: matrixBatch,
  eigh: matrixBatch,
  luFactor: matrixBatch,
  eig: matrixBatch,
  eigvals: matrixBatch,
  allReduce: sameShape,
  allGather: (_m, ins, p) => (ins[0]!.length === 0 ? [constP(p.size)] : [mulP(ins[0]![0]!, constP(p.size)), ...ins[0]!.slice(1)]),
  send: sameShape,
  recv: tracedShape,
  // A smaller item multiplies the last axis by a constant; a larger one divides it, which a
  // polynomial cannot say for a free size, so that axis keeps its traced size.
  view: (m, ins, _p, n) => {
    const x = ins[0]!;
    if (x.length === 0) return [];
    const last = x.length - 1;
    const ratio = n.shape[last]! / n.inShapes[0]![last]!;
    if (Number.isInteger(ratio)) return [...x.slice(0, last), mulP(x[last]!, constP(ratio))];
    m.pin(x[last]!, n.inShapes[0]![last]!);
    return [...x.slice(0, last), constP(n.shape[last]!)];
  },
  // The batch stays symbolic; the weight, the channels, and any spatial axis whose output size is
  // not a polynomial of its input size (a stride or input dilation other than 1) keep their traced sizes.
  convolution: (m, ins, p, n) => {
    const [x, w] = ins as [Poly[], Poly[]];
    const nsp = x.length - 2;
    w.forEach((d, ax) => m.pin(d, n.inShapes[1]![ax]!));
    m.pin(x[nsp + 1]!, n.inShapes[0]![nsp + 1]!);
    const spatial = p.stride.map((s, i) => {
      if (s === 1 && p.inputDilation[i] === 1) {
        const reach = (n.inShapes[1]![i + 1]! - 1) * p.kernelDilation[i]!;
        return addP(m.resolve(x[i + 1]!), constP(p.paddingLow[i]! + p.paddingHigh[i]! - reach));
      }
      m.pin(x[i + 1]!, n.inShapes[0]![i + 1]!);
      return constP(n.shape[i + 1]!);
    });
    return [x[0]!, ...spatial, constP(n.shape[nsp + 1]!)];
  },
  // The packed matrix, its scales and biases and x's inner axis keep their traced sizes; x's
  // leading axes stay symbolic.
  quantizedMatmul: (m, ins, _p, n) => {
    for (let i = 1; i < 4; i++) ins[i]!.forEach((d, ax) => m.pin(d, n.inShapes[i]![ax]!));
    const x = ins[0]!;
    m.pin(x[x.length - 1]!, n.inShapes[0]![x.length - 1]!);
    return [...x.slice(0, -1), constP(n.shape[n.shape.length - 1]!)];
  },
  // Batch and lengths stay symbolic; the heads (their ratio is the grouping) and the head sizes
  // (the scale is usually computed from D) keep their traced sizes.
  scaledDotProductAttention: (m, ins, _p, n) => {
    const [q, k, v, mask] = ins as [Poly[], Poly[], Poly[], Poly[] | undefined];
    for (const i of [0, 1, 2]) for (const ax of [1, 3]) m.pin(ins[i]![ax]!, n.inShapes[i]![ax]!);
    const b = m.unify(m.unify(q[0]!, k[0]!), v[0]!);
    const tk = m.unify(k[2]!, v[2]!);
    if (mask) [b, q[1]!, q[2]!, tk].forEach((d, ax) => m.unify(mask[ax]!, d));
    return [b, constP(n.shape[1]!), q[2]!, constP(n.shape[3]!)];
  },
  imag: sameShape,
  conjugate: sameShape,
  // Only the last axis of a real transform changes, to a length fixed by the params.
  fft: (_m, ins, p) => {
    const out = ins[0]!.slice();
    if (p.real) {
      const n = p.n[p.n.length - 1]!;
      out[p.axes[p.axes.length - 1]!] = constP(p.inverse ? n : Math.floor(n / 2) + 1);
    }
    return out;
  },
};

export function buildShapeModel(g: Graph): ShapeModel | null {
  try {
    return new Model(g);
  } catch (e) {
    if (e instanceof Refuse) return null;
    throw e;
  }
}

class Model implements ShapeModel, SymbolicContext {
  private readonly dims: Poly[][] = [];
  private readonly params = new Map<number, ParamExprs>();
  private readonly constraints: [Poly, Poly][] = [];
  private readonly bindings = new Map<string, Poly>();
  private readonly freeValue = new Map<string, number>();
  private nextFree = 0;
  /** Scalar constants computed from shapes, by value number. */
  private readonly scalars = new Map<number, ScalarExpr>();

  constructor(private readonly g: Graph) {
    g.vals.forEach((v, i) => this.dims.push(this.propagate(v, i)));
    this.settle();
  }

  // --- construction ---

  private free(value: number): Poly {
    if (value < 2) return constP(value);
    const s = `f${this.nextFree++}`;
    this.freeValue.set(s, value);
    return symP(s);
  }

  resolve(a: Poly): Poly {
    let needs = false;
    for (const s of symbolsOf(a)) if (this.bindings.has(s)) needs = true;
    if (!needs) return a;
    let out: Poly = new Map();
    for (const [m, c] of a) {
      let term: Poly = constP(c);
      if (m) for (const s of m.split('*')) term = mulP(term, this.bindings.has(s) ? this.resolve(this.bindings.get(s)!) : symP(s));
      out = addP(out, term);
    }
    return out;
  }

  private isFree(a: Poly): string | null {
    if (a.size !== 1) return null;
    const [m, c] = [...a][0]!;
    return c === 1 && this.freeValue.has(m) && !this.bindings.has(m) ? m : null;
  }

  unify(a: Poly, b: Poly): Poly {
    const ra = this.resolve(a);
    const rb = this.resolve(b);
    if (eqP(ra, rb)) return ra;
    const fa = this.isFree(ra);
    if (fa) {
      this.bindings.set(fa, rb);
      return rb;
    }
    const fb = this.isFree(rb);
    if (fb) {
      this.bindings.set(fb, ra);
      return ra;
    }
    this.constraints.push([ra, rb]);
    return ra;
  }

  /** A constraint that `a` is `value` (nothing when it is constant already). */
  pin(a: Poly, value: number): void {
    if (constOf(this.resolve(a)) === null) this.constraints.push([a, constP(value)]);
  }

  private propagate(v: Val, i: number): Poly[] {
    if (v.kind === 'input') return v.shape.map((d, ax) => (d >= 2 ? symP(`i${v.index}_${ax}`) : constP(d)));
    if (v.kind === 'const') return v.splat ? v.shape.map((d) => this.free(d)) : v.shape.map(constP);
    const ins = v.args.map((a) => this.dims[a]!);
    const vals = v.args.map((a) => this.g.vals[a]!);
    const rule = isPrimitive(v.prim) ? (symbolicShapes[v.prim] as SymbolicShape<any>) : null;
    if (rule) return rule(this, ins, v.params, { inShapes: vals.map((x) => x.shape), shape: v.shape, index: i });
    // A primitive registered outside core: fine only while nothing about it is symbolic.
    if (ins.some((d) => d.some((x) => constOf(this.resolve(x)) === null))) throw new Refuse();
    return v.shape.map(constP);
  }

  reshape(inp: readonly Poly[], inShape: readonly number[], outShape: readonly number[], i: number): Poly[] {
    const out: Poly[] = outShape.map((d) => constP(d));
    const oldIdx: number[] = [];
    inShape.forEach((d, ax) => {
      if (d === 1) this.pin(inp[ax]!, 1);
      else oldIdx.push(ax);
    });
    const newIdx = outShape.flatMap((d, ax) => (d === 1 ? [] : [ax]));
    if (inShape.includes(0) || outShape.includes(0)) {
      if (inp.some((d) => constOf(this.resolve(d)) === null)) throw new Refuse();
    } else {
      let ni = 0;
      let oi = 0;
      while (ni < newIdx.length && oi < oldIdx.length) {
        let np = outShape[newIdx[ni]!]!;
        let op = inShape[oldIdx[oi]!]!;
        let nj = ni + 1;
        let oj = oi + 1;
        while (np !== op) {
          if (np < op) np *= outShape[newIdx[nj++]!]!;
          else op *= inShape[oldIdx[oj++]!]!;
        }
        const olds = oldIdx.slice(oi, oj).map((ax) => this.resolve(inp[ax]!));
        const news = newIdx.slice(ni, nj);
        if (news.length === 1) {
          out[news[0]!] = olds.reduce((acc, d) => mulP(acc, d), constP(1));
        } else if (olds.every((d) => constOf(d) !== null)) {
          // constant dims split: the traced numbers stand
        } else {
          this.unflatten(
            olds,
            news.map((ax) => outShape[ax]!),
            news,
            out,
          );
        }
        ni = nj;
        oi = oj;
      }
    }
    this.params.set(i, { shape: out });
    return out;
  }

  /** Splits a product of symbols back into its factors when the traced sizes say which is which. */
  private unflatten(olds: readonly Poly[], sizes: readonly number[], news: readonly number[], out: Poly[]): void {
    const factors: { p: Poly; value: number }[] = [];
    for (const d of olds) {
      if (d.size !== 1) throw new Refuse();
      const [m, c] = [...d][0]!;
      if (c !== 1 && m) {
        factors.push({ p: constP(c), value: c });
      }
      if (!m) {
        factors.push({ p: constP(c), value: c });
        continue;
      }
      for (const s of m.split('*')) factors.push({ p: symP(s), value: this.valueOf(symP(s)) });
    }
    const used = new Set<number>();
    news.forEach((ax, k) => {
      const matches = factors.flatMap((f, j) => (!used.has(j) && f.value === sizes[k] ? [j] : []));
      if (matches.length !== 1 && !(matches.length > 1 && matches.every((j) => constOf(factors[j]!.p) !== null))) throw new Refuse();
      used.add(matches[0]!);
      out[ax] = factors[matches[0]!]!.p;
    });
    if (used.size !== factors.length && factors.some((f, j) => !used.has(j) && f.value !== 1)) throw new Refuse();
  }

  broadcast(inp: readonly Poly[], inShape: readonly number[], outShape: readonly number[], i: number): Poly[] {
    const lead = outShape.length - inShape.length;
    const out = outShape.map((d, ax) => {
      if (ax < lead) return this.free(d);
      const src = inp[ax - lead]!;
      if (inShape[ax - lead] === d) return src;
      this.pin(src, 1);
      return this.free(d);
    });
    this.params.set(i, { shape: out });
    return out;
  }

  slice(inp: readonly Poly[], inShape: readonly number[], p: { start: number[]; step: number[]; shape: number[] }, i: number): Poly[] {
    const start: Poly[] = [];
    const out = inp.map((d, ax) => {
      const n = inShape[ax]!;
      if (p.shape[ax] === n && p.step[ax] === 1 && p.start[ax] === 0) {
        start.push(constP(0));
        return d;
      }
      if (p.shape[ax] === n && p.step[ax] === -1 && p.start[ax] === n - 1) {
        start.push(addP(this.resolve(d), constP(-1)));
        return d;
      }
      if (constOf(this.resolve(d)) === null) throw new Refuse();
      start.push(constP(p.start[ax]!));
      return constP(p.shape[ax]!);
    });
    this.params.set(i, { shape: out, start });
    return out;
  }

  /** The traced value of an expression. */
  private valueOf(a: Poly): number {
    const env = new Map<string, number>();
    for (const s of symbolsOf(a)) env.set(s, this.tracedSymbol(s));
    return evalP(a, env);
  }

  private tracedSymbol(s: string): number {
    if (s.startsWith('f')) return this.freeValue.get(s)!;
    const [iStr, axStr] = s.slice(1).split('_');
    const input = this.g.vals.find((v) => v.kind === 'input' && v.index === Number(iStr))!;
    return input.shape[Number(axStr)]!;
  }

  // --- after propagation ---

  private settle(): void {
    // Free dimensions no op bound keep their traced sizes; `verify` catches those that came from a shape.
    for (const [sym, value] of this.freeValue) if (!this.bindings.has(sym)) this.bindings.set(sym, constP(value));
    // Resolve everything; check that it reproduces the trace.
    const env = new Map<string, number>();
    for (const v of this.g.vals) if (v.kind === 'input') v.shape.forEach((d, ax) => env.set(`i${v.index}_${ax}`, d));
    const check = (p: Poly, want: number): Poly => {
      const r = this.resolve(p);
      if (evalP(r, env) !== want) throw new Error(`compile: internal error: the shapeless model does not reproduce a traced dimension (${want})`);
      return r;
    };
    this.dims.forEach((ds, i) => {
      const shape = this.g.vals[i]!.shape;
      ds.forEach((d, ax) => (ds[ax] = check(d, shape[ax]!)));
    });
    for (const [i, e] of this.params) {
      const v = this.g.vals[i] as NodeVal;
      const p = v.params as any;
      const shapeParam: number[] = p.shape ?? v.shape;
      if (e.shape) e.shape = e.shape.map((d, ax) => check(d, shapeParam[ax]!));
      if (e.start) e.start = e.start.map((d, ax) => check(d, p.start[ax]!));
    }
    for (let k = 0; k < this.constraints.length; k++) {
      const [a, b] = this.constraints[k]!;
      this.constraints[k] = [this.resolve(a), this.resolve(b)];
    }
  }

  /**
   * Input shapes that change every symbolic dimension the constraints leave free (each class of
   * dimensions constrained equal by its own amount), for `verify`; null when none can change.
   */
  perturbation(): number[][] | null {
    const parent = new Map<string, string>();
    const find = (x: string): string => {
      let r = x;
      while (parent.has(r)) r = parent.get(r)!;
      return r;
    };
    const pinned = new Set<string>();
    const single = (p: Poly): string | null =>
      p.size === 1 && [...p][0]![1] === 1 && [...p][0]![0] !== '' && !p.keys().next().value!.includes('*') ? [...p][0]![0] : null;
    for (const [a, b] of this.constraints) {
      const sa = single(a),
        sb = single(b);
      if (sa && sb) {
        const ra = find(sa),
          rb = find(sb);
        if (ra !== rb) parent.set(ra, rb);
      } else if (sa && constOf(b) !== null) pinned.add(sa);
      else if (sb && constOf(a) !== null) pinned.add(sb);
    }
    for (const s of [...pinned]) pinned.add(find(s));
    const env = new Map<string, number>();
    const bump = new Map<string, number>();
    const shapes: number[][] = [];
    let changed = false;
    for (let i = 0; i < this.g.nInputs; i++) {
      const v = this.g.vals[i] as Val & { kind: 'input' };
      shapes[v.index] = v.shape.map((d, ax) => {
        const sym = `i${v.index}_${ax}`;
        if (d < 2) return d;
        const root = find(sym);
        if (pinned.has(root)) {
          env.set(sym, d);
          return d;
        }
        if (!bump.has(root)) bump.set(root, bump.size + 1);
        changed = true;
        env.set(sym, d + bump.get(root)!);
        return d + bump.get(root)!;
      });
    }
    if (!changed) return null;
    for (const [a, b] of this.constraints) if (evalP(a, env) !== evalP(b, env)) return null;
    return shapes;
  }

  // --- replay on new shapes ---

  /** The symbols' values for these input shapes, or null when they break a constraint. */
  private envFor(leaves: readonly Aval[]): Map<string, number> | null {
    const env = new Map<string, number>();
    for (let i = 0; i < this.g.nInputs; i++) {
      const v = this.g.vals[i]!;
      if (v.kind !== 'input') continue;
      const x = leaves[v.index]!;
      if (x.shape.length !== v.shape.length || x.dtype !== v.dtype) return null;
      const ds = this.dims[i]!;
      for (let ax = 0; ax < x.shape.length; ax++) {
        const c = constOf(ds[ax]!);
        if (c !== null) {
          if (x.shape[ax] !== c) return null;
        } else env.set(`i${v.index}_${ax}`, x.shape[ax]!);
      }
    }
    for (const [a, b] of this.constraints) if (evalP(a, env) !== evalP(b, env)) return null;
    return env;
  }

  /**
   * Learns a scalar constant that changed between the trace and a trace at `leaves`' shapes
   * (`mean`'s count): a size of some axes of a node, or one or two less, its reciprocal, square
   * root or reciprocal square root, that gives both values. False when none or several fit.
   */
  learnConstant(i: number, leaves: readonly Aval[], value: number): boolean {
    const c = this.g.vals[i];
    if (!c || c.kind !== 'const' || !c.splat || c.splat.value === null) return false;
    const envB = this.envFor(leaves);
    if (!envB) return false;
    const envA = this.envFor(this.g.vals.slice(0, this.g.nInputs) as Aval[])!;
    const round = (x: number) => roundToDtype(x, c.dtype);
    const traced = c.splat.value;
    const found = new Map<string, ScalarExpr>();
    const seen = new Set<string>();
    this.g.vals.forEach((_, k) => {
      const ds = this.dims[k]!.filter((d) => constOf(d) !== 1 && constOf(d) !== 0);
      if (ds.length === 0 || ds.length > 8 || ds.every((d) => constOf(d) !== null)) return;
      for (let mask = 1; mask < 1 << ds.length; mask++) {
        let p: Poly = constP(1);
        for (let b = 0; b < ds.length; b++) if (mask & (1 << b)) p = mulP(p, ds[b]!);
        const key = polyKey(p);
        if (constOf(p) !== null || seen.has(key)) continue;
        seen.add(key);
        for (const form of SCALAR_FORMS) {
          const e: ScalarExpr = { poly: p, form };
          if (round(scalarOf(e, envA)) === traced && round(scalarOf(e, envB)) === value) found.set(`${form}:${key}`, e);
        }
      }
    });
    if (found.size !== 1) return false;
    this.scalars.set(i, [...found.values()][0]!);
    return true;
  }

  rebase(leaves: readonly Aval[]): Graph | null {
    const env = this.envFor(leaves);
    if (env === null) return null;
    const dimsOk = (s: readonly number[]) => s.every((d) => Number.isInteger(d) && d >= 0);
    const vals: Val[] = [];
    for (let i = 0; i < this.g.vals.length; i++) {
      const v = this.g.vals[i]!;
      const shape = this.dims[i]!.map((d) => evalP(d, env));
      if (!dimsOk(shape)) return null;
      if (v.kind === 'input') {
        vals.push({ ...v, shape });
        continue;
      }
      if (v.kind === 'const') {
        const learned = this.scalars.get(i);
        // A one-value constant at the new shape: its scalar broadcast (evaluated now, like any constant).
        const splat = (scalar: Array) => {
          if (shape.length === 0) return constVal(scalar);
          const b = new Array(shape, v.dtype, 'broadcastTo', { shape }, [scalar], v.array[$stream] ?? resolveStream());
          evalArrays([b]);
          return constVal(b);
        };
        if (learned) vals.push(splat(array(scalarOf(learned, env), v.dtype)));
        else if (shapeEqual(shape, v.shape)) vals.push(v);
        else if (v.splat) vals.push(splat(v.splat.scalar));
        else return null;
        continue;
      }
      let params = v.params;
      const e = this.params.get(i);
      if (e) {
        const ps = e.shape!.map((d) => evalP(d, env));
        if (!dimsOk(ps)) return null;
        if (v.prim === 'slice') {
          const p = v.params as { start: number[]; step: number[]; shape: number[] };
          params = { start: e.start!.map((d) => evalP(d, env)), step: p.step.slice(), shape: ps };
        } else params = { shape: ps };
      }
      const node: NodeVal = { ...v, params, shape };
      if (
        !nodeValid(
          node,
          v.args.map((a) => vals[a]!),
        )
      )
        return null;
      vals.push(node);
    }
    return { vals, outputs: this.g.outputs, nInputs: this.g.nInputs, firstId: this.g.firstId };
  }
}

/** The node's inputs satisfy its kernel contract and its output rule gives its shape. */
function nodeValid(v: NodeVal, ins: readonly Val[]): boolean {
  const kind = getPrimitiveDef(v.prim).kind;
  if ((kind === 'unary' || kind === 'binary' || kind === 'ternary') && ins.some((x) => !shapeEqual(x.shape, ins[0]!.shape))) return false;
  const x = ins[0];
  switch (v.prim) {
    case 'broadcastTo': {
      const lead = v.shape.length - x!.shape.length;
      if (lead < 0 || x!.shape.some((d, ax) => d !== 1 && d !== v.shape[ax + lead])) return false;
      break;
    }
    case 'reshape':
      if (x!.shape.reduce((a, b) => a * b, 1) !== v.shape.reduce((a, b) => a * b, 1)) return false;
      break;
    case 'slice': {
      const p = v.params as { start: number[]; step: number[]; shape: number[] };
      for (let ax = 0; ax < v.shape.length; ax++) {
        const n = p.shape[ax]!;
        if (n === 0) continue;
        const last = p.start[ax]! + p.step[ax]! * (n - 1);
        if (p.start[ax]! < 0 || p.start[ax]! >= x!.shape[ax]! || last < 0 || last >= x!.shape[ax]!) return false;
      }
      break;
    }
    case 'matmul': {
      const [a, b] = ins as [Val, Val];
      if (a.shape[a.shape.length - 1] !== b.shape[b.shape.length - 2]) return false;
      break;
    }
    case 'concatenate': {
      const axis = (v.params as { axis: number }).axis;
      if (ins.some((y) => y.shape.some((d, ax) => ax !== axis && d !== x!.shape[ax]))) return false;
      break;
    }
  }
  const avals: Aval[] = ins.map((y) => ({ shape: y.shape, dtype: y.dtype }));
  let out: Aval;
  try {
    out = getPrimitiveDef(v.prim).output(avals, v.params as never);
  } catch {
    return false;
  }
  return out.dtype === v.dtype && shapeEqual(out.shape, v.shape);
}

/**
 * Whether two graphs are the same computation: what a model predicted for new shapes against a
 * trace at those shapes. Constants match when they are the same array or hold the same values.
 */
export function sameGraph(a: Graph, b: Graph): boolean {
  const d = diffGraphs(a, b);
  return d !== null && d.length === 0;
}

/**
 * null when the graphs differ in structure, params, shapes or a non-scalar constant; otherwise
 * the scalar constants whose values differ, with b's value.
 */
export function diffGraphs(a: Graph, b: Graph): [number, number][] | null {
  const diffs: [number, number][] = [];
  if (a.vals.length !== b.vals.length || a.nInputs !== b.nInputs || a.outputs.length !== b.outputs.length) return null;
  if (a.outputs.some((o, i) => o !== b.outputs[i])) return null;
  for (let i = 0; i < a.vals.length; i++) {
    const x = a.vals[i]!;
    const y = b.vals[i]!;
    if (x.kind !== y.kind || x.dtype !== y.dtype || !shapeEqual(x.shape, y.shape)) return null;
    if (x.kind === 'input') {
      if (x.index !== (y as typeof x).index) return null;
    } else if (x.kind === 'const') {
      const c = y as typeof x;
      if (x.array === c.array) continue;
      if (x.splat && c.splat) {
        if (x.splat.value === null || c.splat.value === null) return null;
        if (!Object.is(x.splat.value, c.splat.value)) diffs.push([i, c.splat.value]);
        continue;
      }
      if (x.array.size > 4096) return null;
      const hx = x.array.toTypedArray();
      const hy = c.array.toTypedArray();
      for (let k = 0; k < hx.length; k++) if (!Object.is(hx[k], hy[k])) return null;
    } else {
      const n = y as NodeVal;
      if (x.prim !== n.prim || x.stream !== n.stream || x.args.length !== n.args.length || x.args.some((q, k) => q !== n.args[k])) return null;
      if (!paramsEqual(x.params, n.params)) return null;
    }
  }
  return diffs;
}
