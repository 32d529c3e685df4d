/**
 * MLX's `einsum` and `einsumPath`: Einstein summation as a composition of diagonals, sums,
 * transposes, broadcasts and matmuls, so every transform handles it through those ops' rules.
 *
 * Semantics follow MLX (which follows NumPy / opt_einsum): letters a-z and A-Z, one `...` per
 * subscript, implicit output (the letters seen once, sorted, after the ellipsis axes), size-1
 * axes broadcast against the letter's size elsewhere. With more than two operands the
 * contraction order is MLX's greedy path: at each step the pair whose contraction removes the
 * most elements (then the cheapest), skipping outer products while there is another choice and
 * any intermediate larger than the largest operand or the output. A pairwise contraction that sums
 * a letter is a batched matmul; anything else multiplies broadcast operands and sums.
 */
import { Array } from '../array.js';
import { type StreamOrDevice } from '../device.js';
import { describeValue } from '../describe.js';
import { fmtShape } from '../shape.js';
import { isPlainObject } from '../tree.js';
import { type ArrayInput, broadcastTo, parseOpts, toArray } from './convert.js';
import { multiply } from './elementwise.js';
import { diagonal, matmul } from './linalg.js';
import { sum } from './reduction.js';
import { reshape, transpose } from './shape.js';

type Stream = StreamOrDevice | null | undefined;
/** One operand's subscript: its letters in axis order. */
type Term = string;
interface PathStep {
  /** Positions in the current operand list (intermediates are appended at the end). */
  positions: number[];
  inputs: Term[];
  output: Term;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const isLetter = (c: string): boolean => LETTERS.includes(c);

function splitArgs(fn: string, args: readonly unknown[]): { subscripts: string; operands: Array[]; stream: Stream } {
  const [subscripts, ...rest] = args;
  if (typeof subscripts !== 'string') throw new Error(`${fn}: expected the subscripts string first, got ${describeValue(subscripts)}`);
  // Operands are never plain objects, so a trailing one is the options ({stream}), checked as every op's are.
  const stream: Stream = isPlainObject(rest[rest.length - 1]) ? parseOpts(fn, [rest.pop()], []).stream : undefined;
  if (rest.length === 0) throw new Error(`${fn}: at least one operand is required`);
  return { subscripts, operands: rest.map((x, i) => toArray(`${fn}: operand ${i}`, x as ArrayInput)), stream };
}

/** Input terms and the output term, ellipses expanded into unused letters, checked against the operands. */
function parse(fn: string, subscripts: string, operands: readonly Array[]): { inputs: Term[]; output: Term; sizes: Map<string, number> } {
  const spec = subscripts.replace(/\s+/g, '');
  const arrow = spec.indexOf('->');
  const lhs = arrow < 0 ? spec : spec.slice(0, arrow);
  if (arrow >= 0 && spec.indexOf('->', arrow + 1) >= 0) throw new Error(`${fn}: '->' may appear once in '${subscripts}'`);
  const raw = lhs.split(',');
  if (raw.length !== operands.length) {
    throw new Error(`${fn}: '${subscripts}' names ${raw.length} operand${raw.length === 1 ? '' : 's'}, got ${operands.length}`);
  }
  const unused = [...LETTERS].filter((c) => !spec.includes(c));
  let ellipsisRank = 0;
  // An ellipsis stands for the trailing letters of the unused ones, so shorter ellipses align right.
  const expand = (term: string, rank: number | null, which: string): Term => {
    const at = term.indexOf('...');
    const letters = term.replace('...', '');
    if (letters.includes('...')) throw new Error(`${fn}: only one ellipsis per subscript, got ${which} '${term}'`);
    for (const c of letters) if (!isLetter(c)) throw new Error(`${fn}: subscripts must be letters or '...', got '${c}' in ${which} '${term}'`);
    if (at < 0) return term;
    const n = rank === null ? ellipsisRank : rank - letters.length;
    if (n < 0) throw new Error(`${fn}: ${which} '${term}' needs at least ${letters.length} dimensions, got ${rank}`);
    if (n > unused.length) throw new Error(`${fn}: the ellipsis in ${which} '${term}' spans ${n} axes; only ${unused.length} letters are free`);
    ellipsisRank = Math.max(ellipsisRank, n);
    return term.slice(0, at) + unused.slice(unused.length - n).join('') + term.slice(at + 3);
  };
  const inputs = raw.map((t, i) => expand(t, operands[i]!.ndim, `operand ${i}'s subscript`));
  let output: Term;
  if (arrow >= 0) output = expand(spec.slice(arrow + 2), null, 'the output subscript');
  else {
    const counts = new Map<string, number>();
    for (const t of raw) for (const c of t.replace('...', '')) counts.set(c, (counts.get(c) ?? 0) + 1);
    const seenOnce = [...counts].filter(([, n]) => n === 1).map(([c]) => c);
    output = unused.slice(unused.length - ellipsisRank).join('') + seenOnce.sort().join('');
  }
  if (new Set(output).size !== output.length) throw new Error(`${fn}: the output subscript '${output}' repeats a letter`);

  const sizes = new Map<string, number>();
  inputs.forEach((t, i) => {
    const shape = operands[i]!.shape;
    if (t.length !== shape.length) throw new Error(`${fn}: operand ${i} has shape ${fmtShape(shape)} but its subscript '${raw[i]}' names ${t.length} axes`);
    const local = new Map<string, number>();
    [...t].forEach((c, ax) => {
      const d = shape[ax]!;
      const own = local.get(c);
      if (own !== undefined && own !== d) throw new Error(`${fn}: operand ${i} repeats '${c}' over axes of sizes ${own} and ${d}`);
      local.set(c, d);
      const seen = sizes.get(c);
      if (seen !== undefined && seen !== d && seen !== 1 && d !== 1) {
        throw new Error(`${fn}: '${c}' has size ${seen} elsewhere but axis ${ax} of operand ${i} (shape ${fmtShape(shape)}) has size ${d}`);
      }
      sizes.set(c, Math.max(seen ?? 1, d));
    });
  });
  for (const c of output) if (!sizes.has(c)) throw new Error(`${fn}: the output letter '${c}' is in no operand's subscript`);
  return { inputs, output, sizes };
}

const termSize = (letters: Iterable<string>, sizes: ReadonlyMap<string, number>): number => {
  let n = 1;
  for (const c of letters) n *= sizes.get(c)!;
  return n;
};
/** opt_einsum's FLOP estimate for contracting `terms` operands over `letters`. */
const flops = (letters: ReadonlySet<string>, inner: boolean, terms: number, sizes: ReadonlyMap<string, number>): number =>
  termSize(letters, sizes) * (Math.max(1, terms - 1) + (inner ? 1 : 0));
const union = (terms: readonly Term[]): Set<string> => new Set(terms.flatMap((t) => [...t]));

function naiveCost(inputs: readonly Term[], output: Term, sizes: ReadonlyMap<string, number>): [number, number] {
  const all = union(inputs);
  const inner = [...all].some((c) => !output.includes(c));
  return [flops(all, inner, inputs.length, sizes), all.size];
}

interface Candidate {
  removed: number;
  cost: number;
  out: Set<string>;
  dims: number;
  x: number;
  y: number;
}

/** The contraction order and its FLOP estimates (MLX's einsum_path_helper). */
function plan(inputs: readonly Term[], output: Term, sizes: ReadonlyMap<string, number>) {
  const [naive, naiveScaling] = naiveCost(inputs, output, sizes);
  if (inputs.length <= 2) {
    return {
      path: [{ positions: inputs.map((_, i) => i), inputs: inputs.slice(), output }],
      naive,
      naiveScaling,
      optimized: naive,
      optimizedScaling: naiveScaling,
    };
  }
  const memoryLimit = Math.max(termSize(output, sizes), ...inputs.map((t) => termSize(t, sizes)));
  const terms = inputs.map((t) => ({ str: t, set: new Set(t) }));
  const path: PathStep[] = [];
  let cost = 0;
  let scaling = 0;
  let pairs: [number, number][] = [];
  for (let i = 0; i < terms.length; i++) for (let j = i + 1; j < terms.length; j++) pairs.push([i, j]);
  let candidates: Candidate[] = [];
  const consider = (x: number, y: number) => {
    const both = new Set([...terms[x]!.set, ...terms[y]!.set]);
    const out = new Set<string>();
    terms.forEach((t, k) => {
      if (k !== x && k !== y) for (const c of t.set) if (both.has(c)) out.add(c);
    });
    for (const c of output) if (both.has(c)) out.add(c);
    const size = termSize(out, sizes);
    if (size > memoryLimit) return;
    const c = flops(both, both.size > out.size, 2, sizes);
    if (cost + c > naive) return;
    candidates.push({ removed: termSize(terms[x]!.set, sizes) + termSize(terms[y]!.set, sizes) - size, cost: c, out, dims: both.size, x, y });
  };
  for (let step = terms.length - 1; step > 0; step--) {
    for (const [x, y] of pairs) if ([...terms[x]!.set].some((c) => terms[y]!.set.has(c))) consider(x, y);
    if (candidates.length === 0) for (const [x, y] of pairs) consider(x, y);
    if (candidates.length === 0) {
      const [c, s] = naiveCost(
        terms.map((t) => t.str),
        output,
        sizes,
      );
      path.push({ positions: terms.map((_, i) => i), inputs: terms.map((t) => t.str), output });
      cost += c;
      scaling = Math.max(scaling, s);
      break;
    }
    const best = candidates.reduce((a, b) => (b.removed > a.removed || (b.removed === a.removed && b.cost < a.cost) ? b : a));
    scaling = Math.max(scaling, best.dims);
    cost += best.cost;
    const out = [...best.out].sort((p, q) => sizes.get(p)! - sizes.get(q)!).join('');
    path.push({ positions: [best.x, best.y], inputs: [terms[best.x]!.str, terms[best.y]!.str], output: out });
    terms.splice(best.y, 1);
    terms.splice(best.x, 1);
    terms.push({ str: out, set: best.out });
    const shift = (k: number) => k - (k > best.x ? 1 : 0) - (k > best.y ? 1 : 0);
    candidates = candidates
      .filter((c) => c.x !== best.x && c.x !== best.y && c.y !== best.x && c.y !== best.y)
      .map((c) => ({ ...c, x: shift(c.x), y: shift(c.y) }));
    pairs = terms.slice(0, -1).map((_, i) => [i, terms.length - 1]);
  }
  path[path.length - 1]!.output = output;
  return { path, naive, naiveScaling, optimized: cost, optimizedScaling: scaling };
}

/** Takes repeated letters' diagonals (`ii` -> `i`), then sums the letters no other term needs. */
function prepare(x: Array, term: Term, keep: ReadonlySet<string>, s: Stream): [Array, Term] {
  const opts = s ? { stream: s } : undefined;
  for (;;) {
    const c = [...term].find((ch, i) => term.indexOf(ch) !== i);
    if (c === undefined) break;
    const a1 = term.indexOf(c);
    const a2 = term.indexOf(c, a1 + 1);
    x = diagonal(x, 0, a1, a2, opts);
    term = [...term].filter((_, i) => i !== a1 && i !== a2).join('') + c;
  }
  const drop = [...term].flatMap((c, i) => (keep.has(c) ? [] : [i]));
  if (drop.length) {
    x = sum(x, drop, false, opts);
    term = [...term].filter((c) => keep.has(c)).join('');
  }
  return [x, term];
}

/** `x` (letters `from`) with its axes in the order of `to`, size-1 axes added for letters it lacks. */
function align(x: Array, from: Term, to: Term, s: Stream): Array {
  const opts = s ? { stream: s } : undefined;
  const present = [...to].filter((c) => from.includes(c));
  const perm = present.map((c) => from.indexOf(c));
  const moved = perm.some((p, i) => p !== i) ? transpose(x, perm, opts) : x;
  const shape = [...to].map((c) => (from.includes(c) ? x.shape[from.indexOf(c)]! : 1));
  return shape.length === moved.ndim ? moved : reshape(moved, shape, opts);
}

function contract(step: PathStep, operands: Array[], sizes: ReadonlyMap<string, number>, s: Stream): Array {
  const opts = s ? { stream: s } : undefined;
  const prepared = step.positions.map((p, k) => {
    const others = new Set([...step.output, ...step.inputs.flatMap((t, j) => (j === k ? [] : [...t]))]);
    return prepare(operands[p]!, step.inputs[k]!, others, s);
  });
  const [first, second] = prepared;
  const summed = first && second ? [...first[1]].filter((c) => !step.output.includes(c)) : [];
  if (prepared.length === 2 && summed.length > 0 && first![0].dtype.isFloating && second![0].dtype.isFloating) {
    const [a, ta] = first!;
    const [b, tb] = second!;
    // A batched matmul: [batch, a's own, summed] x [batch, summed, b's own].
    const batch = [...ta].filter((c) => tb.includes(c) && step.output.includes(c)).join('');
    const ownA = [...ta].filter((c) => !tb.includes(c)).join('');
    const ownB = [...tb].filter((c) => !ta.includes(c)).join('');
    const sum_ = summed.join('');
    const full = (t: Term) => [...t].map((c) => sizes.get(c)!);
    const lhs = broadcastTo(align(a, ta, batch + ownA + sum_, s), full(batch + ownA + sum_), s);
    const rhs = broadcastTo(align(b, tb, batch + sum_ + ownB, s), full(batch + sum_ + ownB), s);
    const m = termSize(ownA, sizes);
    const k = termSize(sum_, sizes);
    const n = termSize(ownB, sizes);
    const product = matmul(reshape(lhs, [...full(batch), m, k], opts), reshape(rhs, [...full(batch), k, n], opts), opts);
    return align(reshape(product, full(batch + ownA + ownB), opts), batch + ownA + ownB, step.output, s);
  }
  // Multiply every operand, broadcast over the union of letters, and sum what the output lacks.
  const letters = [...new Set(prepared.flatMap(([, t]) => [...t]))].join('');
  let out = prepared.map(([x, t]) => align(x, t, letters, s)).reduce((acc, x) => multiply(acc, x, opts));
  const drop = [...letters].flatMap((c, i) => (step.output.includes(c) ? [] : [i]));
  if (drop.length) out = sum(out, drop, false, opts);
  const kept = [...letters].filter((c) => step.output.includes(c)).join('');
  out = broadcastTo(
    out,
    [...kept].map((c) => sizes.get(c)!),
    s,
  );
  return align(out, kept, step.output, s);
}

/**
 * MLX's `einsum(subscripts, ...operands, {stream})`: `mx.einsum('ij,jk->ik', a, b)` is `a @ b`,
 * `mx.einsum('ii', a)` the trace, `mx.einsum('...ij->...ji', x)` a batched transpose.
 */
export function einsum(subscripts: string, ...operands: (ArrayInput | { stream?: StreamOrDevice | null })[]): Array {
  const fn = 'einsum';
  const { operands: arrays, stream, subscripts: spec } = splitArgs(fn, [subscripts, ...operands]);
  const { inputs, output, sizes } = parse(fn, spec, arrays);
  const list = arrays.slice();
  for (const step of plan(inputs, output, sizes).path) {
    const result = contract(step, list, sizes, stream);
    for (const p of [...step.positions].sort((x, y) => y - x)) list.splice(p, 1);
    list.push(result);
  }
  return list[0]!;
}

/**
 * MLX's `einsumPath(subscripts, ...operands)`: the contraction order `einsum` uses (each entry the
 * positions contracted, in the operand list where results are appended) and a summary of the
 * naive and optimized scaling and FLOP counts.
 */
export function einsumPath(subscripts: string, ...operands: ArrayInput[]): [number[][], string] {
  const fn = 'einsumPath';
  const { operands: arrays, subscripts: spec } = splitArgs(fn, [subscripts, ...operands]);
  const { inputs, output, sizes } = parse(fn, spec, arrays);
  const p = plan(inputs, output, sizes);
  const info =
    `  Complete contraction:  ${spec}\n` +
    `         Naive scaling:  ${p.naiveScaling}\n` +
    `     Optimized scaling:  ${p.optimizedScaling}\n` +
    `      Naive FLOP count:  ${p.naive}\n` +
    `  Optimized FLOP count:  ${p.optimized}\n`;
  return [p.path.map((step) => step.positions), info];
}
