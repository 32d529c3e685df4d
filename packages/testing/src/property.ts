/**
 * `checkPrimitive`: the kit's checks as fast-check properties over a case, the usual way to test
 * a primitive (core or registered with `registerPrimitive`).
 */
import fc from 'fast-check';
import { type Array, treeLeaves } from '@mlx-ts/core';
import { type ArrayFn, checkCompile, checkJvp, checkVjp, checkVmap } from './checks.js';
import type { Tolerance } from './compare.js';

export type CheckName = 'vmap' | 'jvp' | 'vjp' | 'compile';

/**
 * A property-test case. `setup` draws what every entry of a batch shares (shapes, axes, dtypes,
 * params); `args` draws the arrays of one call given the setup; `fn` is the function under test.
 */
export interface PropertyCase<S = unknown> {
  setup: fc.Arbitrary<S>;
  args: (setup: S) => fc.Arbitrary<Array[]>;
  fn: (setup: S) => ArrayFn;
  /** Setup for the derivative checks (default `setup`), e.g. restricted to floating dtypes. */
  gradSetup?: fc.Arbitrary<S>;
  /** Arguments to differentiate (default: the floating ones). */
  argnums?: readonly number[] | ((setup: S) => readonly number[]);
  /** The primitive the case must exercise: a node of it must be in the graph `fn` builds. */
  primitive?: string;
  /** Skip JVP against finite differences (for rules that are zero by definition, such as stopGradient). */
  finiteDifferences?: boolean;
  /** Checks to leave out. */
  skip?: readonly CheckName[];
  /** Tolerances of the vmap check (default: by dtype). */
  vmapTolerance?: Tolerance;
  /** Tolerances and step of the JVP check. */
  jvpTolerance?: Tolerance & { eps?: number };
  /** Tolerances of the VJP check. */
  vjpTolerance?: Tolerance;
}

export interface CheckPrimitiveOptions {
  /** Runs per check (default 10). */
  numRuns?: number;
  /** fast-check seed, for reproducing a failure. */
  seed?: number;
  /** Batch size of the vmap check (default 3). */
  batchSize?: number;
  /** Which checks to run (default: vmap, jvp, vjp, and compile once it exists). */
  checks?: readonly CheckName[];
}

/** Whether the graph that `outputs` stand for contains a node of `prim` (an iterative walk). */
export function graphUses(outputs: readonly Array[], prim: string): boolean {
  const seen = new Set<Array>();
  const stack = outputs.slice();
  while (stack.length > 0) {
    const a = stack.pop()!;
    if (seen.has(a)) continue;
    seen.add(a);
    if (a.primitive === prim) return true;
    stack.push(...a.inputs);
  }
  return false;
}

/**
 * Runs the kit's checks over `c` as fast-check properties: vmap against a loop on every in/out
 * axis, JVP against finite differences, VJP against JVP, compile against eager. Throws fast-check's report (with the counterexample) on the first failure.
 */
export function checkPrimitive<S>(c: PropertyCase<S>, opts: CheckPrimitiveOptions = {}): void {
  const numRuns = opts.numRuns ?? 10;
  // The failing check's own message goes into fast-check's report, after the counterexample.
  const params = { numRuns, includeErrorInReport: true, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) };
  const batchSize = opts.batchSize ?? 3;
  const wanted = (opts.checks ?? ['vmap', 'jvp', 'vjp', 'compile']).filter((k) => !c.skip?.includes(k));
  const argnumsOf = (s: S) => (typeof c.argnums === 'function' ? c.argnums(s) : c.argnums);
  const single = (setup: fc.Arbitrary<S>) => setup.chain((s) => c.args(s).map((a) => [s, a] as const));

  if (c.primitive !== undefined) {
    const prim = c.primitive;
    fc.assert(
      fc.property(single(c.setup), ([s, a]) => {
        const ys = treeLeaves(c.fn(s)(...a));
        if (!graphUses(ys, prim)) throw new Error(`checkPrimitive: the case's function builds no '${prim}' node`);
      }),
      { ...params, numRuns: Math.min(numRuns, 3) },
    );
  }
  if (wanted.includes('vmap')) {
    const arb = c.setup.chain((s) => fc.array(c.args(s), { minLength: batchSize, maxLength: batchSize }).map((b) => [s, b] as const));
    fc.assert(
      fc.property(arb, ([s, b]) => checkVmap(c.fn(s), b, c.vmapTolerance ?? {})),
      params,
    );
  }
  const gradSetup = c.gradSetup ?? c.setup;
  const seeds = fc.integer({ min: 0, max: 0x7fffffff });
  if (wanted.includes('jvp') && c.finiteDifferences !== false) {
    fc.assert(
      fc.property(single(gradSetup), seeds, ([s, a], seed) => {
        const argnums = argnumsOf(s);
        checkJvp(c.fn(s), a, { ...c.jvpTolerance, seed, ...(argnums ? { argnums } : {}) });
      }),
      params,
    );
  }
  if (wanted.includes('vjp')) {
    fc.assert(
      fc.property(single(gradSetup), seeds, ([s, a], seed) => {
        const argnums = argnumsOf(s);
        checkVjp(c.fn(s), a, { ...c.vjpTolerance, seed, ...(argnums ? { argnums } : {}) });
      }),
      params,
    );
  }
  if (wanted.includes('compile')) {
    fc.assert(
      fc.property(single(c.setup), ([s, a]) => checkCompile(c.fn(s), a)),
      params,
    );
  }
}
