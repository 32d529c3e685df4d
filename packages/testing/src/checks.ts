/**
 * The checks the kit runs on any function of arrays (typically one that exercises a primitive):
 * - `checkJvp`: forward-mode derivatives against central finite differences, in float64;
 * - `checkVjp`: reverse mode against forward mode, `<w, J v> = <J^T w, v>`;
 * - `checkVmap`: `vmap(f)` against a loop of unbatched calls, on every in/out axis;
 * - `checkCompile`: `compile(f)` against eager `f`.
 * Each throws an Error describing the first disagreement and returns quietly otherwise.
 */
import { Array, float64, fmtShape, node, treeFlatten } from '@mlx-ts/core';
import { compile, jvp, vjp, vmap } from '@mlx-ts/transforms';
import { arrayFromValues } from './arbitraries.js';
import { assertAllClose, assertValuesClose, hostValues, type Tolerance } from './compare.js';

/** A function of arrays returning an array or a tree of arrays. */
export type ArrayFn = (...args: any[]) => unknown;

/** A small seeded generator (mulberry32), so that tangents and cotangents are reproducible. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomLike(a: { shape: readonly number[] }, rand: () => number): Array {
  const n = a.shape.reduce((p, d) => p * d, 1);
  const v: number[] = [];
  for (let i = 0; i < n; i++) v.push(rand() * 2 - 1);
  return arrayFromValues(v, a.shape, float64);
}

/** The Array leaves of f's result (an Array or a tree of them). */
function outputsOf(what: string, y: unknown): Array[] {
  const [leaves] = treeFlatten(y);
  if (leaves.length === 0) throw new Error(`${what}: the function returned no arrays`);
  return leaves;
}

function toFloat64(x: Array): Array {
  return x.dtype === float64 ? x : node('astype', [x], { dtype: float64 });
}

export interface DerivativeOptions extends Tolerance {
  /** Which arguments to differentiate (default: every floating argument). */
  argnums?: readonly number[];
  /** Seed of the random tangents and cotangents (default 0). */
  seed?: number;
}

interface Prepared {
  argnums: number[];
  /** The differentiated arguments, in float64. */
  diff: Array[];
  /** f of the differentiated arguments only, returning its floating outputs as a JS array. */
  g: (...d: Array[]) => Array[];
  /** f's outputs at the primals, floating ones only. */
  y: Array[];
}

function prepare(what: string, f: ArrayFn, primals: readonly Array[], argnums?: readonly number[]): Prepared | null {
  primals.forEach((p, i) => {
    if (!(p instanceof Array)) throw new Error(`${what}: argument ${i} is not an Array`);
  });
  const nums = argnums ? argnums.slice() : primals.flatMap((p, i) => (p.dtype.isFloating ? [i] : []));
  for (const i of nums) {
    if (!primals[i]) throw new Error(`${what}: argnum ${i} is out of range for ${primals.length} arguments`);
    if (!primals[i]!.dtype.isFloating) throw new Error(`${what}: argument ${i} is ${primals[i]!.dtype.name}; only floating arguments are differentiated`);
  }
  if (nums.length === 0) return null;
  const diff = nums.map((i) => toFloat64(primals[i]!));
  const full = (d: readonly Array[]) => {
    const args = primals.slice();
    nums.forEach((i, k) => (args[i] = d[k]!));
    return args;
  };
  const y0 = outputsOf(what, f(...full(diff)));
  const keep = y0.flatMap((y, k) => (y.dtype.isFloating ? [k] : []));
  if (keep.length === 0) return null;
  const g = (...d: Array[]) => {
    const ys = outputsOf(what, f(...full(d)));
    return keep.map((k) => ys[k]!);
  };
  return { argnums: nums, diff, g, y: keep.map((k) => y0[k]!) };
}

/**
 * Forward mode against central finite differences, in float64: for random tangents v,
 * `jvp(f)(x; v)` must match `(f(x + eps v) - f(x - eps v)) / (2 eps)` on every floating output.
 * Only floating arguments are perturbed (cast to float64); outputs of other dtypes are skipped.
 */
export function checkJvp(f: ArrayFn, primals: readonly Array[], opts: DerivativeOptions & { eps?: number } = {}): void {
  const what = 'checkJvp';
  const p = prepare(what, f, primals, opts.argnums);
  if (!p) return;
  const { eps = 1e-6, rtol = 1e-5, atol = 1e-6 } = opts;
  const rand = seededRandom(opts.seed ?? 0);
  const tangents = p.diff.map((x) => randomLike(x, rand));
  const [outs, tans] = jvp(p.g, p.diff, tangents);
  const outList = outputsOf(what, outs);
  const tanList = outputsOf(what, tans);
  if (tanList.length !== p.y.length) throw new Error(`${what}: jvp returned ${tanList.length} tangents for ${p.y.length} outputs`);
  outList.forEach((o, k) => assertAllClose(o, p.y[k]!, { what: `${what}: primal output ${k} of jvp`, rtol: 1e-12, atol: 1e-12 }));
  const shifted = (sign: number) =>
    p.g(
      ...p.diff.map((x, k) => {
        const xv = hostValues(x),
          vv = hostValues(tangents[k]!);
        return arrayFromValues(
          xv.map((e, i) => e + sign * eps * vv[i]!),
          x.shape,
          float64,
        );
      }),
    );
  const plus = shifted(1),
    minus = shifted(-1);
  p.y.forEach((y, k) => {
    const t = tanList[k]!;
    if (t.ndim !== y.ndim || t.shape.some((d, i) => d !== y.shape[i])) {
      throw new Error(`${what}: the tangent of output ${k} has shape ${fmtShape(t.shape)}, expected ${fmtShape(y.shape)}`);
    }
    const a = hostValues(plus[k]!),
      b = hostValues(minus[k]!);
    // An output that does not move (an exclusive scan's -inf, say) has derivative 0, not inf - inf.
    const fd = a.map((e, i) => (e === b[i]! ? 0 : (e - b[i]!) / (2 * eps)));
    const scale = Math.max(1, ...hostValues(y).map(Math.abs).filter(Number.isFinite));
    assertValuesClose(hostValues(t), fd, y.shape, {
      rtol,
      atol: atol * scale,
      what: `${what}: output ${k}, JVP vs central finite differences (argnums ${JSON.stringify(p.argnums)})`,
    });
  });
}

/**
 * Reverse mode against forward mode: for random v and w, `<w, J v>` (jvp) must equal
 * `<J^T w, v>` (vjp), summed over the floating outputs and differentiated arguments, in float64.
 */
export function checkVjp(f: ArrayFn, primals: readonly Array[], opts: DerivativeOptions = {}): void {
  const what = 'checkVjp';
  const p = prepare(what, f, primals, opts.argnums);
  if (!p) return;
  const { rtol = 1e-9, atol = 1e-12 } = opts;
  const rand = seededRandom((opts.seed ?? 0) + 1);
  const v = p.diff.map((x) => randomLike(x, rand));
  const w = p.y.map((y) => randomLike(y, rand));
  const jv = outputsOf(what, jvp(p.g, p.diff, v)[1]);
  const ct = outputsOf(what, vjp(p.g, p.diff, w)[1]);
  if (ct.length !== p.diff.length) throw new Error(`${what}: vjp returned ${ct.length} cotangents for ${p.diff.length} arguments`);
  ct.forEach((c, i) => {
    if (c.ndim !== p.diff[i]!.ndim || c.shape.some((d, j) => d !== p.diff[i]!.shape[j])) {
      throw new Error(`${what}: the cotangent of argument ${p.argnums[i]} has shape ${fmtShape(c.shape)}, expected ${fmtShape(p.diff[i]!.shape)}`);
    }
  });
  let lhs = 0,
    rhs = 0,
    scale = 0;
  p.y.forEach((_, k) => {
    const a = hostValues(w[k]!),
      b = hostValues(jv[k]!);
    a.forEach((e, i) => {
      lhs += e * b[i]!;
      scale += Math.abs(e * b[i]!);
    });
  });
  p.diff.forEach((_, i) => {
    const a = hostValues(ct[i]!),
      b = hostValues(v[i]!);
    a.forEach((e, j) => {
      rhs += e * b[j]!;
      scale += Math.abs(e * b[j]!);
    });
  });
  if (!(Math.abs(lhs - rhs) <= atol + rtol * scale) && !(Number.isNaN(lhs) && Number.isNaN(rhs))) {
    throw new Error(`${what}: <w, J v> = ${lhs} (jvp) but <J^T w, v> = ${rhs} (vjp), argnums ${JSON.stringify(p.argnums)}`);
  }
}

/** Stacks arrays of one shape along a new axis (built from reshape and concatenate nodes). */
export function stackAlong(xs: readonly Array[], axis: number): Array {
  const parts = xs.map((x) => {
    const shape = x.shape.slice();
    shape.splice(axis, 0, 1);
    return node('reshape', [x], { shape });
  });
  return parts.length === 1 ? parts[0]! : node('concatenate', parts, { axis });
}

export interface VmapCheckOptions extends Tolerance {
  /** Explicit inAxes combinations to try (one entry per argument, null: unmapped). Default: every axis of every argument, see below. */
  inAxes?: readonly (readonly (number | null)[])[];
  /** Out axes to try (default: cycles through every axis of the outputs). */
  outAxes?: readonly number[];
  /** Try every combination of in- and out-axes instead of a covering subset (slow for many arguments). */
  exhaustive?: boolean;
}

/**
 * `vmap(f)` against a loop: `batch[b]` holds the arguments of entry b (all entries of one
 * argument share a shape). For each combination of in-axes, the mapped arguments are stacked
 * along their axis (an unmapped argument is entry 0's), and the result of vmap must equal the
 * loop's results stacked along the out axis. By default the combinations cover every axis of
 * every argument (and being unmapped) and every out axis at least once.
 */
export function checkVmap(f: ArrayFn, batch: readonly (readonly Array[])[], opts: VmapCheckOptions = {}): void {
  const what = 'checkVmap';
  if (batch.length === 0) throw new Error(`${what}: expected at least one batch entry`);
  const nargs = batch[0]!.length;
  if (nargs === 0) throw new Error(`${what}: the function needs at least one array argument to map over`);
  for (const entry of batch) {
    if (entry.length !== nargs) throw new Error(`${what}: every batch entry needs ${nargs} arguments`);
    entry.forEach((x, i) => {
      const x0 = batch[0]![i]!;
      if (x.ndim !== x0.ndim || x.shape.some((d, j) => d !== x0.shape[j]) || x.dtype !== x0.dtype) {
        throw new Error(
          `${what}: argument ${i} has shape ${fmtShape(x.shape)} ${x.dtype.name} in one entry and ${fmtShape(x0.shape)} ${x0.dtype.name} in another`,
        );
      }
    });
  }
  const options = batch[0]!.map((x) => [...globalThis.Array(x.ndim + 1).keys(), null] as (number | null)[]);
  let combos: (number | null)[][];
  if (opts.inAxes) combos = opts.inAxes.map((c) => c.slice());
  else if (opts.exhaustive) {
    combos = [[]];
    for (const o of options) combos = combos.flatMap((c) => o.map((a) => [...c, a]));
  } else {
    const k = Math.max(...options.map((o) => o.length));
    combos = [];
    for (let j = 0; j < k; j++) combos.push(options.map((o, i) => o[(j + i) % o.length]!));
    if (nargs > 1) for (let i = 0; i < nargs; i++) combos.push(options.map((_, m) => (m === i ? 0 : null)));
  }
  combos = combos.filter((c) => c.some((a) => a !== null));
  const eager = (args: Array[]) => outputsOf(what, f(...args));
  let comboIndex = 0;
  for (const combo of combos) {
    const argsOf = (b: number) => combo.map((a, i) => (a === null ? batch[0]![i]! : batch[b]![i]!));
    const loop = batch.map((_, b) => eager(argsOf(b)));
    const maxOut = Math.min(...loop[0]!.map((y) => y.ndim));
    const outList = opts.outAxes ?? (opts.exhaustive ? [...globalThis.Array(maxOut + 1).keys()] : [comboIndex % (maxOut + 1)]);
    comboIndex++;
    const batched = combo.map((a, i) =>
      a === null
        ? batch[0]![i]!
        : stackAlong(
            batch.map((e) => e[i]!),
            a,
          ),
    );
    for (const outAxis of outList) {
      const label = `${what}: inAxes ${JSON.stringify(combo)}, outAxes ${outAxis}, batch of ${batch.length}`;
      let got: Array[];
      try {
        got = outputsOf(what, vmap(f, combo, outAxis)(...batched));
      } catch (e) {
        throw new Error(`${label}: vmap threw: ${(e as Error).message}`, { cause: e });
      }
      if (got.length !== loop[0]!.length) throw new Error(`${label}: vmap returned ${got.length} outputs, the loop ${loop[0]!.length}`);
      got.forEach((y, k) => {
        const expected = stackAlong(
          loop.map((ys) => ys[k]!),
          outAxis,
        );
        assertAllClose(y, expected, {
          what: `${label}, output ${k}`,
          ...(opts.rtol !== undefined ? { rtol: opts.rtol } : {}),
          ...(opts.atol !== undefined ? { atol: opts.atol } : {}),
        });
      });
    }
  }
}

/** `compile(f)` against eager `f` on the same arguments. */
export function checkCompile(f: ArrayFn, args: readonly Array[], opts: Tolerance = {}): void {
  const what = 'checkCompile';
  const expected = outputsOf(what, f(...args));
  const got = outputsOf(what, compile(f)(...args));
  if (got.length !== expected.length) throw new Error(`${what}: compiled function returned ${got.length} outputs, eager ${expected.length}`);
  got.forEach((y, k) => assertAllClose(y, expected[k]!, { what: `${what}: output ${k}`, ...opts }));
}
