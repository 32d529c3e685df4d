/**
 * Tests of the conformance harness itself: layouts really reach kernels as strided views, and the
 * comparison catches a wrong kernel, a backend that ignores strides, and a wrong sign of zero.
 * Deliberately broken backends are registered under names the suite never runs by default.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Backend, Step, View } from '@mlx-ts/core';
import {
  assertOutputsMatch,
  checkOp,
  PendingPrimitive,
  closeEnough,
  defaultTol,
  hostInput,
  inputArb,
  makeArray,
  mx,
  onBackend,
  REFERENCE,
  sliceString,
  type Output,
} from '../helpers/index.js';
import { $data } from 'mlx-ts/internals';

function wrap(name: string, rewrite: (s: Step) => Step, hostView: (v: View) => View = (v) => v): Backend {
  const ref = mx.getBackendByName(REFERENCE);
  return {
    ...ref,
    name,
    priority: -100,
    execute: (steps) => ref.execute(steps.map(rewrite)),
    toHost: (v) => ref.toHost(hostView(v)),
  };
}

const contiguous = (v: View): View => ({ ...v, strides: mx.contiguousStrides(v.shape), offset: 0 });

mx.registerBackend(wrap('broken-exp', (s) => (s.prim === 'exp' ? { ...s, prim: 'expm1' } : s)));
mx.registerBackend(wrap('broken-strides', (s) => ({ ...s, inputs: s.inputs.map(contiguous) }), contiguous));
// A backend being brought up: everything but exp.
mx.registerBackend({ ...wrap('no-exp', (s) => s), supports: (prim) => prim !== 'exp' && mx.getBackendByName(REFERENCE).supports(prim) });

describe('conformance harness', () => {
  it('a case needing a kernel the backend lacks is pending, not passing; the rest run', () => {
    const x = hostInput([2, 2], 'float32', [1, 2, 3, 4]);
    expect(() => checkOp('no-exp', [x], (a) => mx.exp(mx.add(a, 1)))).toThrow(PendingPrimitive);
    expect(() => checkOp('no-exp', [x], (a) => mx.exp(mx.add(a, 1)))).toThrow(/no kernel for 'exp'/);
    expect(() => checkOp('no-exp', [x], (a) => mx.sqrt(mx.add(a, 1)))).not.toThrow();
  });

  it('every layout builds the logical values, and non-contiguous layouts are strided views', () => {
    const inputs = fc.sample(inputArb([3, 4], 'float32'), { numRuns: 80, seed: 7 });
    let strided = 0;
    for (const x of inputs) {
      onBackend(REFERENCE, () => {
        const a = makeArray(x);
        expect([...a.toTypedArray()]).toEqual(x.values);
        a.toTypedArray();
        const d = a[$data]!;
        const isContiguous = d.offset === 0 && d.strides.join() === mx.contiguousStrides(a.shape).join();
        if (x.layout.kind === 'contiguous') expect(isContiguous).toBe(true);
        else if (!isContiguous) strided++;
      });
    }
    expect(strided).toBeGreaterThan(30);
  });

  it('slice strings select what the layout planned, including ::-k and empty axes', () => {
    expect(sliceString(4, -1, 0)).toBe('::-1');
    expect(sliceString(4, -2, 0)).toBe('::-2');
    expect(sliceString(0, -1, 2)).toBe('0:0:-1');
    expect(sliceString(3, 2, 1)).toBe('1:6:2');
  });

  it('catches a wrong kernel', () => {
    const x = hostInput([5], 'float32', [0, 1, -1, 2, 0.5]);
    expect(() => checkOp('broken-exp', [x], (a) => mx.exp(a), { label: 'exp' })).toThrow(/differ/);
    expect(() => checkOp('broken-exp', [x], (a) => mx.sin(a), { label: 'sin' })).not.toThrow();
  });

  it('catches a backend that ignores strides, but only on strided inputs', () => {
    const base = hostInput(
      [3, 4],
      'int32',
      Array.from({ length: 12 }, (_, i) => i),
    );
    expect(() => checkOp('broken-strides', [base], (a) => mx.add(a, a))).not.toThrow();
    expect(() => checkOp('broken-strides', [{ ...base, layout: { kind: 'transpose', perm: [1, 0] } }], (a) => mx.add(a, a))).toThrow(/differ/);
    expect(() => checkOp('broken-strides', [{ ...base, layout: { kind: 'slice', steps: [-1, 2], pads: [0, 1] } }], (a) => a)).toThrow(/differ/);
  });

  it('compares with dtype tolerances, NaN equal to NaN, exact integers, and the sign of zero on request', () => {
    const out = (dtype: Output['dtype'], data: number[]): Output => ({ shape: [data.length], dtype, data });
    expect(() => assertOutputsMatch('x', [], [out('float32', [1, NaN, -0])], [out('float32', [1 + 5e-7, NaN, 0])])).not.toThrow();
    expect(() => assertOutputsMatch('x', [], [out('float32', [-0])], [out('float32', [0])], { signedZero: true })).toThrow(/differ/);
    expect(() => assertOutputsMatch('x', [], [out('float32', [1])], [out('float32', [1.001])])).toThrow(/differ/);
    expect(() => assertOutputsMatch('x', [], [out('float16', [1])], [out('float16', [1.001])])).not.toThrow();
    expect(() => assertOutputsMatch('x', [], [out('int32', [7])], [out('int32', [8])])).toThrow(/differ/);
    expect(() => assertOutputsMatch('x', [], [out('int32', [7])], [out('int64', [7])])).toThrow(/dtype/);
    expect(() => assertOutputsMatch('x', [], [out('float32', [Infinity])], [out('float32', [3.4e38])])).toThrow(/differ/);
    expect(closeEnough(1, 1 + 1e-13, 'float64', defaultTol('float64'), false)).toBe(true);
    expect(closeEnough(1, 1 + 1e-10, 'float64', defaultTol('float64'), false)).toBe(false);
  });
});
