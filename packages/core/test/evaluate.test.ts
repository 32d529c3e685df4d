/** eval and asyncEval (packages/core/src/ops/evaluate.ts). */
import { describe, expect, test } from 'vitest';
import * as mx from '@mlx-ts/core';
import './helpers.js';

describe('eval / asyncEval', () => {
  test('evaluates arrays in pytrees and ignores other leaves', async () => {
    const a = mx.add(mx.array([1, 2]), 1);
    const b = mx.multiply(mx.array([3]), 2);
    const c = mx.negative(mx.array(1));
    expect(a.isEvaluated).toBe(false);
    mx.eval({ x: [a, 'text', 3, null], y: { z: b } }, undefined, c);
    expect(a.isEvaluated && b.isEvaluated && c.isEvaluated).toBe(true);
    const d = mx.add(a, 1);
    await mx.asyncEval([[d]]);
    expect(d.isEvaluated).toBe(true);
    expect(d.tolist()).toEqual([3, 4]);
    mx.eval(); // nothing to do
  });
});
