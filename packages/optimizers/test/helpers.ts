// Shared by the optimizer tests: fixed gradient sequences, a runner, float64 reference rules and
// the PyTorch fixture.
import { readFileSync } from 'node:fs';
import * as mx from 'mlx-ts/internals';
import { expect } from 'vitest';

export type Nested = number | Nested[];
export type Params = Record<string, Nested>;

interface TorchCase {
  name: string;
  optimizer: string;
  options: Record<string, unknown>;
  params: Params[];
}
interface TorchFixture {
  init: Params;
  grads: Params[];
  cases: TorchCase[];
}

export const torchFixture: TorchFixture = JSON.parse(readFileSync(new URL('./fixtures/torch.json', import.meta.url), 'utf8'));

export function torchCase(name: string): TorchCase {
  const c = torchFixture.cases.find((x) => x.name === name);
  if (!c) throw new Error(`torch.json has no case ${name}`);
  return c;
}

export const toArrays = (p: Params): Record<string, mx.Array> => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, mx.array(v)]));

/** Applies `grads` one step at a time; the parameters (as nested lists) after each step. */
export function runSteps(opt: mx.optimizers.Optimizer, init: Params, grads: readonly Params[]): Params[] {
  let params = toArrays(init);
  return grads.map((g) => {
    params = opt.applyGradients(toArrays(g), params);
    mx.evalFn(params, opt.state);
    return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.tolist() as Nested]));
  });
}

/** Every number of `actual` within atol + rtol |expected| of `expected`. */
export function expectClose(actual: unknown, expected: unknown, rtol = 1e-5, atol = 1e-6, path = ''): void {
  if (typeof expected === 'number') {
    expect(typeof actual, path).toBe('number');
    const a = actual as number;
    if (Math.abs(a - expected) > atol + rtol * Math.abs(expected)) {
      throw new Error(`at ${path || 'the root'}: ${a} is not within ${atol} + ${rtol}|x| of ${expected}`);
    }
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual) && actual.length === expected.length, path).toBe(true);
    expected.forEach((e, i) => expectClose((actual as unknown[])[i], e, rtol, atol, `${path}[${i}]`));
    return;
  }
  const e = expected as Record<string, unknown>;
  expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(e).sort());
  for (const k of Object.keys(e)) expectClose((actual as Record<string, unknown>)[k], e[k], rtol, atol, `${path}.${k}`);
}

// ---- float64 references -------------------------------------------------------------------

/** A float64 per-element rule: (g, w, state, t) -> new w; `state` is per element, starts empty. */
export type ElementRule = (g: number, w: number, s: Record<string, number>, t: number) => number;

const mapNested = (f: (x: number, i: number) => number, x: Nested, counter: { i: number }): Nested =>
  Array.isArray(x) ? x.map((e) => mapNested(f, e, counter)) : f(x, counter.i++);

const leaves = (x: Nested): number[] => (Array.isArray(x) ? x.flatMap(leaves) : [x]);

/** Runs an elementwise rule in float64 over the gradient sequence (t counts from 1, as the optimizer's step). */
export function referenceSteps(rule: ElementRule, init: Params, grads: readonly Params[]): Params[] {
  let params = init;
  const states: Record<string, Record<string, number>[]> = {};
  for (const k of Object.keys(init)) states[k] = leaves(init[k]!).map(() => ({}));
  return grads.map((g, step) => {
    params = Object.fromEntries(
      Object.entries(params).map(([k, w]) => {
        const gs = leaves(g[k]!);
        return [k, mapNested((x, i) => rule(gs[i]!, x, states[k]![i]!, step + 1), w, { i: 0 })];
      }),
    );
    return params;
  });
}

// Small float64 matrix helpers for the references of Adafactor and Muon.
export type Matrix = number[][];
export const matmul = (a: Matrix, b: Matrix): Matrix => a.map((row) => b[0]!.map((_, j) => row.reduce((s, x, k) => s + x * b[k]![j]!, 0)));
export const transpose = (a: Matrix): Matrix => a[0]!.map((_, j) => a.map((row) => row[j]!));
export const zip = (a: Matrix, b: Matrix, f: (x: number, y: number) => number): Matrix => a.map((row, i) => row.map((x, j) => f(x, b[i]![j]!)));
export const scale = (a: Matrix, s: number): Matrix => a.map((row) => row.map((x) => x * s));

export const grads1 = torchFixture.grads;
export const init1 = torchFixture.init;
