/**
 * The cross-backend runner: evaluates one op on the float64 reference backend and on a backend
 * under test, from the same host inputs (built with the same strided layouts), and compares the
 * outputs elementwise within dtype tolerances.
 */
import { describe, it } from 'vitest';
import * as mx from './mx.js';
import { fc, runs, sliceString, baseValues, type HostInput } from './arbitraries.js';
import { invertPerm } from '@mlx-ts/core';
import { fmtNum, isFloatName, preview } from './host.js';
import type { DtypeName } from '@mlx-ts/core';

export { mx };

export const REFERENCE = 'reference';

/**
 * Backends the conformance suite checks against the reference: every registered backend but the
 * reference itself. `MLX_TS_BACKENDS=a,b` overrides (`MLX_TS_BACKENDS=reference` checks the suite
 * itself: the reference against the reference).
 */
export function backendsUnderTest(): string[] {
  const env = process.env.MLX_TS_BACKENDS;
  if (env)
    return env
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return mx
    .listBackends()
    .map((b) => b.name)
    .filter((n) => n !== REFERENCE);
}

/** Runs `fn` as a describe block for every backend under test (skipped, saying why, when there is none). */
export function describeBackends(name: string, fn: (backend: string) => void): void {
  const list = backendsUnderTest();
  if (list.length === 0) {
    describe.skip(`${name}: skipped, no backend besides '${REFERENCE}' is registered (the native addon did not build?)`, () => {
      it('has no backend to compare', () => {});
    });
    return;
  }
  for (const b of list) describe(`${name} [${b}]`, () => fn(b));
}

/**
 * Makes backend `name` serve its device type and that device the default (a `gpu` backend runs
 * the suite with mx.gpu as the default device); returns what undoes both.
 */
export function enterBackend(name: string): () => void {
  const type = mx.getBackendByName(name).deviceType;
  const before = mx.defaultDevice();
  mx.useBackend(name, type);
  mx.setDefaultDevice(type === 'gpu' ? mx.gpu : mx.cpu);
  return () => {
    mx.setDefaultDevice(before);
    mx.useBackend(null, type);
  };
}

/** Runs `f` with backend `name` serving its device type, that device being the default. */
export function onBackend<T>(name: string, f: () => T): T {
  const leave = enterBackend(name);
  try {
    return f();
  } finally {
    leave();
  }
}

export function dt(name: DtypeName): mx.Dtype {
  return mx.toDtype(name);
}

/** An mx.Array holding `input`'s logical values, stored with `input`'s layout (on the current backend). */
export function makeArray(input: HostInput): mx.Array {
  const d = dt(input.dtype);
  const { baseShape, values } = baseValues(input);
  const base = mx.fromHostData(mx.encodeHost(values, d), baseShape, d);
  const l = input.layout;
  let out: mx.Array;
  switch (l.kind) {
    case 'contiguous':
      out = base;
      break;
    case 'transpose':
      out = mx.transpose(base, invertPerm(l.perm));
      break;
    case 'broadcast':
      out = mx.broadcastTo(base, input.shape);
      break;
    case 'slice':
      out = base.index(...input.shape.map((d0, i) => sliceString(d0, l.steps[i]!, l.pads[i]!)));
      break;
  }
  if (out.shape.length !== input.shape.length || out.shape.some((d0, i) => d0 !== input.shape[i])) {
    throw new Error(`makeArray: layout ${JSON.stringify(l)} made shape [${out.shape}] instead of [${input.shape}]`);
  }
  return out;
}

export interface Output {
  shape: number[];
  dtype: DtypeName;
  data: number[];
}

function toOutput(a: mx.Array): Output {
  const t = a.toTypedArray();
  const data = new globalThis.Array<number>(t.length);
  for (let i = 0; i < t.length; i++) data[i] = Number(t[i]!);
  return { shape: [...a.shape], dtype: a.dtype.name, data };
}

export type OpFn = (...xs: mx.Array[]) => mx.Array | readonly mx.Array[];

/**
 * A backend being brought up runs the cases whose primitives it supports (`backend.supports`);
 * the others are reported as pending (skipped, naming the primitive), never as passing.
 */
export class PendingPrimitive extends Error {}
/** Set when a check met a primitive the backend under test lacks (fast-check wraps the error). */
let pending: PendingPrimitive | null = null;

/** Throws PendingPrimitive when the graph behind `outs` uses a kernel primitive `backend` does not support. */
function requireSupported(backend: mx.Backend, outs: readonly mx.Array[]): void {
  const seen = new Set<mx.Array>();
  const stack = [...outs];
  while (stack.length > 0) {
    const a = stack.pop()!;
    if (seen.has(a)) continue;
    seen.add(a);
    const prim = a.primitive;
    if (prim !== null && mx.getPrimitiveDef(prim).kind !== 'view' && !backend.supports(prim)) {
      throw (pending = new PendingPrimitive(`pending: backend '${backend.name}' has no kernel for '${prim}' yet`));
    }
    stack.push(...a.inputs);
  }
}

/** Builds the inputs on backend `name`, applies `f`, evaluates, and reads the outputs back. */
export function evalOn(name: string, inputs: readonly HostInput[], f: OpFn): Output[] {
  return onBackend(name, () => {
    const arrays = inputs.map(makeArray);
    const r = f(...arrays);
    const outs = r instanceof mx.Array ? [r] : [...r];
    if (name !== REFERENCE) requireSupported(mx.getBackendByName(name), outs);
    mx.eval(outs);
    return outs.map(toOutput);
  });
}

export interface Tolerance {
  rtol: number;
  atol: number;
}

/** Default tolerances per dtype: relative ones near one or two ulps of the dtype. */
export function defaultTol(d: DtypeName): Tolerance {
  switch (d) {
    case 'float16':
      return { rtol: 2e-3, atol: 2e-3 };
    case 'bfloat16':
      return { rtol: 1.6e-2, atol: 1.6e-2 };
    case 'float32':
      return { rtol: 1e-5, atol: 1e-5 };
    case 'float64':
      return { rtol: 1e-12, atol: 1e-12 };
    default:
      return { rtol: 0, atol: 0 };
  }
}

export interface CompareOpts {
  /** Multiplies the dtype's default rtol and atol. */
  tolScale?: number;
  /** Overrides (per output dtype when a function). */
  tol?: Partial<Tolerance> | ((d: DtypeName) => Partial<Tolerance>);
  /** The sign of zero must agree (negative, abs, floor, copies, ...). */
  signedZero?: boolean;
  /** Compares outputs as multisets along the last axis (topk). */
  sortLastAxis?: boolean;
  /** Extra text for failure messages. */
  label?: string;
}

function describeInputs(inputs: readonly HostInput[]): string {
  return inputs.map((x, i) => `  in${i}: ${x.dtype}[${x.shape}] layout=${JSON.stringify(x.layout)} values=${preview(x.values)}`).join('\n');
}

function sortRows(o: Output): number[] {
  const n = o.shape.length === 0 ? 1 : o.shape[o.shape.length - 1]!;
  const out = o.data.slice();
  if (n === 0) return out;
  for (let r = 0; r < out.length; r += n) {
    const row = out.slice(r, r + n).sort((a, b) => (Number.isNaN(a) ? 1 : Number.isNaN(b) ? -1 : a - b));
    for (let j = 0; j < n; j++) out[r + j] = row[j]!;
  }
  return out;
}

/** Whether `got` matches `want` for one element of dtype `d`. */
export function closeEnough(want: number, got: number, d: DtypeName, t: Tolerance, signedZero: boolean): boolean {
  if (Number.isNaN(want) || Number.isNaN(got)) return Number.isNaN(want) && Number.isNaN(got);
  if (!isFloatName(d)) return want === got;
  if (!Number.isFinite(want) || !Number.isFinite(got)) return want === got;
  if (signedZero && want === 0 && got === 0) return Object.is(want, got);
  return Math.abs(want - got) <= t.atol + t.rtol * Math.abs(want);
}

/** Throws a descriptive Error unless the outputs agree. */
export function assertOutputsMatch(backend: string, inputs: readonly HostInput[], ref: Output[], got: Output[], o: CompareOpts = {}): void {
  const ctx = () => `${o.label ? `${o.label}: ` : ''}backend '${backend}' vs '${REFERENCE}'\n${describeInputs(inputs)}`;
  if (ref.length !== got.length) throw new Error(`${ctx()}\n  ${got.length} outputs, reference has ${ref.length}`);
  for (let k = 0; k < ref.length; k++) {
    const r = ref[k]!;
    const g = got[k]!;
    if (r.dtype !== g.dtype) throw new Error(`${ctx()}\n  out${k}: dtype ${g.dtype}, reference ${r.dtype}`);
    if (r.shape.join(',') !== g.shape.join(',')) throw new Error(`${ctx()}\n  out${k}: shape [${g.shape}], reference [${r.shape}]`);
    const base = defaultTol(r.dtype);
    const over = typeof o.tol === 'function' ? o.tol(r.dtype) : (o.tol ?? {});
    const s = o.tolScale ?? 1;
    const t = { rtol: (over.rtol ?? base.rtol) * s, atol: (over.atol ?? base.atol) * s };
    const rd = o.sortLastAxis ? sortRows(r) : r.data;
    const gd = o.sortLastAxis ? sortRows(g) : g.data;
    let bad = 0;
    let first = -1;
    for (let i = 0; i < rd.length; i++) {
      if (!closeEnough(rd[i]!, gd[i]!, r.dtype, t, o.signedZero ?? false)) {
        if (first < 0) first = i;
        bad++;
      }
    }
    if (bad > 0) {
      throw new Error(
        `${ctx()}\n  out${k} ${r.dtype}[${r.shape}]: ${bad} of ${rd.length} elements differ (rtol ${t.rtol}, atol ${t.atol}); ` +
          `first at flat index ${first}: got ${fmtNum(gd[first]!)}, reference ${fmtNum(rd[first]!)}\n` +
          `  got: ${preview(gd)}\n  ref: ${preview(rd)}`,
      );
    }
  }
}

/** Evaluates `f` on the reference and on `backend` and asserts that the outputs agree. */
export function checkOp(backend: string, inputs: readonly HostInput[], f: OpFn, o: CompareOpts = {}): Output[] {
  let ref: Output[];
  try {
    ref = evalOn(REFERENCE, inputs, f);
  } catch (e) {
    throw new Error(`${o.label ?? 'op'}: the reference backend threw on\n${describeInputs(inputs)}\n  ${(e as Error).stack ?? e}`);
  }
  let got: Output[];
  try {
    got = evalOn(backend, inputs, f);
  } catch (e) {
    if (e instanceof PendingPrimitive) throw e;
    throw new Error(`${o.label ?? 'op'}: backend '${backend}' threw where the reference did not, on\n${describeInputs(inputs)}\n  ${(e as Error).stack ?? e}`);
  }
  assertOutputsMatch(backend, inputs, ref, got, o);
  return ref;
}

/** fast-check parameters: MLX_TS_SEED fixes the seed; MLX_TS_SOAK multiplies the runs. */
export function fcParams(numRuns: number): fc.Parameters<unknown> {
  const seed = process.env.MLX_TS_SEED ? Number(process.env.MLX_TS_SEED) : undefined;
  // Values come from one seed per input, so shrinking mostly shrinks shapes; MLX_TS_SHRINK=1 enables it.
  return { numRuns: runs(numRuns), ...(seed !== undefined ? { seed } : {}), endOnFailure: !process.env.MLX_TS_SHRINK };
}

/** `it(name)` running a fast-check property over `arb`. */
export function property<T>(name: string, arb: fc.Arbitrary<T>, body: (v: T) => void, numRuns = 20): void {
  it(name, (ctx) => {
    pending = null;
    try {
      fc.assert(fc.property(arb, body), fcParams(numRuns) as fc.Parameters<[T]>);
    } catch (e) {
      const p = pending as PendingPrimitive | null;
      if (p) ctx.skip(p.message);
      throw e;
    }
  });
}

/**
 * Asserts that `f` throws on the reference and on `backend`, with the same message, which names
 * `fn` (errors are checked in TypeScript before any kernel runs, so they cannot differ).
 */
export function expectBothThrow(backend: string, inputs: readonly HostInput[], f: OpFn, fn: string): void {
  const msg = (name: string): string => {
    try {
      evalOn(name, inputs, f);
    } catch (e) {
      if (!(e instanceof Error)) throw new Error(`${fn}: backend '${name}' threw a non-Error: ${String(e)}`);
      return e.message;
    }
    throw new Error(`${fn}: expected an error on backend '${name}', got a result, on\n${describeInputs(inputs)}`);
  };
  const r = msg(REFERENCE);
  const g = msg(backend);
  if (!r.includes(fn)) throw new Error(`${fn}: the error message does not name the function: ${r}`);
  if (r !== g) throw new Error(`${fn}: backends disagree on the error: '${backend}': ${g}; '${REFERENCE}': ${r}`);
}
