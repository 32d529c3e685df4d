/**
 * mx.fast.scaledDotProductAttention: MLX's semantics against MLX's own fallback written in ops
 * (python/tests/test_fast_sdpa.py's mlx_ref_attn: scale the queries, matmul, mask, softmax,
 * matmul), the cases MLX's tests single out, and the errors raised in TypeScript.
 */
import { describe, expect, test } from 'vitest';
import * as mx from 'mlx-ts';
import { assertAllClose as expectClose } from '@mlx-ts/testing';

/** MLX's fallback: grouped heads by splitting the query heads, a bool mask puts the dtype's lowest value. */
function reference(q: mx.Array, k: mx.Array, v: mx.Array, scale: number, mask?: mx.Array | 'causal'): mx.Array {
  const [b, hq, tq, d] = q.shape as [number, number, number, number];
  const [, hkv, tk] = k.shape as [number, number, number, number];
  const r = hq / hkv;
  const q5 = mx.reshape(mx.multiply(q, scale), [b, hkv, r, tq, d]);
  const k5 = mx.expandDims(k, 2),
    v5 = mx.expandDims(v, 2);
  let s = mx.matmul(q5, mx.swapaxes(k5, -1, -2));
  let m: mx.Array | undefined;
  if (mask === 'causal') m = mx.greaterEqual(mx.expandDims(mx.arange(tk - tq, tk), 1), mx.expandDims(mx.arange(tk), 0));
  else if (mask)
    m =
      mask.ndim >= 3
        ? mask.shape[mask.ndim - 3] === 1
          ? mx.expandDims(mask, -3)
          : mx.reshape(mask, [...mask.shape.slice(0, -3), hkv, r, ...mask.shape.slice(-2)])
        : mask;
  if (m && m.dtype === mx.bool) s = mx.where(m, s, -3.4028234663852886e38);
  else if (m) s = mx.add(s, m);
  const o = mx.matmul(mx.softmax(s, -1), v5);
  return mx.reshape(o, [b, hq, tq, v.shape[3]!]);
}

const normal = (shape: number[], seed: number, dtype: mx.Dtype = mx.float32) =>
  mx.astype(mx.multiply(mx.random.normal(shape, mx.float32, 0, 1, mx.random.key(seed)), 0.5), dtype);

describe('mx.fast.scaledDotProductAttention', () => {
  test('matches MLX fallback: grouped heads, every mask kind, Tq apart from Tk, value dims apart from D', () => {
    for (const [tq, tk] of [
      [1, 43],
      [37, 37],
      [70, 150],
      [150, 60],
    ] as const) {
      const q = normal([2, 4, tq, 16], 1),
        k = normal([2, 2, tk, 16], 2),
        v = normal([2, 2, tk, 12], 3);
      const masks: (mx.Array | 'causal' | undefined)[] = [
        undefined,
        'causal',
        mx.less(mx.random.uniform(0, 1, [2, 4, tq, tk], mx.float32, mx.random.key(4)), 0.7),
        mx.random.uniform(-1, 0.5, [4, 1, tk], mx.float32, mx.random.key(5)),
        mx.array(true),
      ];
      for (const m of masks) {
        const got = mx.fast.scaledDotProductAttention(q, k, v, { scale: 0.25, mask: m ?? null });
        expect(got.shape).toEqual([2, 4, tq, 12]);
        expectClose(got, reference(q, k, v, 0.25, m), { rtol: 1e-4, atol: 1e-5 });
      }
    }
  });

  test('non-contiguous inputs (heads and sequence swapped in memory), float16 and bfloat16', () => {
    const t = (x: mx.Array) => mx.swapaxes(x, 1, 2);
    const q = t(normal([1, 50, 2, 8], 6)),
      k = t(normal([1, 80, 2, 8], 7)),
      v = t(normal([1, 80, 2, 8], 8));
    expectClose(mx.fast.scaledDotProductAttention(q, k, v, { scale: 0.3, mask: 'causal' }), reference(q, k, v, 0.3, 'causal'), { rtol: 1e-4, atol: 1e-5 });
    for (const dt of [mx.float16, mx.bfloat16]) {
      const [qh, kh, vh] = [q, k, v].map((x) => mx.astype(x, dt)) as [mx.Array, mx.Array, mx.Array];
      const got = mx.fast.scaledDotProductAttention(qh, kh, vh, { scale: 0.3, mask: 'causal' });
      expect(got.dtype).toBe(dt);
      const want = reference(...([qh, kh, vh].map((x) => mx.astype(x, mx.float32)) as [mx.Array, mx.Array, mx.Array]), 0.3, 'causal');
      expectClose(mx.astype(got, mx.float32), want, { rtol: 2e-2, atol: 2e-2 });
    }
  });

  test('a fully masked row averages the values (no NaN); an infinite score; a windowed causal mask', () => {
    const q = normal([1, 2, 5, 8], 9),
      k = normal([1, 2, 8, 8], 10),
      v = normal([1, 2, 8, 8], 11);
    const none = mx.fast.scaledDotProductAttention(q, k, v, { scale: 1, mask: mx.array(false) });
    expectClose(none, mx.broadcastTo(mx.mean(v, 2, true), [1, 2, 5, 8]), { rtol: 1e-5, atol: 1e-6 });
    // More queries than keys, causal: the first queries see no key.
    const early = mx.fast.scaledDotProductAttention(normal([1, 1, 6, 8], 12), k.index(':', ':1', ':3'), v.index(':', ':1', ':3'), { scale: 1, mask: 'causal' });
    expect(mx.any(mx.isnan(early)).item()).toBe(0);
    const kinf = mx.concatenate([mx.full([1, 2, 1, 8], -Infinity), k.index(':', ':', '1:')], 2);
    const ones = mx.onesLike(q);
    expectClose(mx.fast.scaledDotProductAttention(ones, kinf, v, { scale: 1 }), reference(ones, kinf, v, 1), { rtol: 1e-4, atol: 1e-5 });
    const n = 140;
    const i = mx.expandDims(mx.arange(n), 1),
      j = mx.expandDims(mx.arange(n), 0);
    const window = mx.logicalAnd(mx.greaterEqual(i, j), mx.lessEqual(i, mx.add(j, 111)));
    const [qw, kw, vw] = [13, 14, 15].map((s) => mx.random.uniform(0, 1, [1, 1, n, 16], mx.float32, mx.random.key(s))) as [mx.Array, mx.Array, mx.Array];
    for (const m of [window, mx.log(mx.astype(window, mx.float32))]) {
      const got = mx.fast.scaledDotProductAttention(qw, kw, vw, { scale: 1, mask: m });
      expect(mx.any(mx.isnan(got)).item()).toBe(0);
      expectClose(got, reference(qw, kw, vw, 1, m), { rtol: 1e-4, atol: 1e-5 });
    }
  });

  test('an additive mask of a lower dtype is promoted; the mask gets a gradient', () => {
    const q = normal([1, 2, 3, 4], 16),
      k = normal([1, 2, 5, 4], 17),
      v = normal([1, 2, 5, 4], 18);
    const m = mx.array(2, mx.bfloat16);
    expectClose(mx.fast.scaledDotProductAttention(q, k, v, { scale: 1, mask: m }), reference(q, k, v, 1, mx.astype(m, mx.float32)), { rtol: 1e-5, atol: 1e-6 });
    const add = normal([1, 2, 3, 5], 19);
    const loss = (a: mx.Array, b: mx.Array, c: mx.Array, d: mx.Array) => mx.sum(mx.square(mx.fast.scaledDotProductAttention(a, b, c, { scale: 0.5, mask: d })));
    const slow = (a: mx.Array, b: mx.Array, c: mx.Array, d: mx.Array) => mx.sum(mx.square(reference(a, b, c, 0.5, d)));
    const got = mx.grad(loss, [0, 1, 2, 3])(q, k, v, add);
    const want = mx.grad(slow, [0, 1, 2, 3])(q, k, v, add);
    got.forEach((g, idx) => expectClose(g, want[idx]!, { rtol: 1e-4, atol: 1e-5 }));
  });

  test('no keys gives zeros (a softmax over nothing times no values)', () => {
    const out = mx.fast.scaledDotProductAttention(mx.ones([1, 2, 3, 4]), mx.zeros([1, 1, 0, 4]), mx.zeros([1, 1, 0, 5]), { scale: 1 });
    expect(out.shape).toEqual([1, 2, 3, 5]);
    expect(mx.all(mx.equal(out, 0)).item()).toBe(1);
  });

  test('errors name the op, what it expected and what it got', () => {
    const q = mx.zeros([1, 4, 3, 8]),
      k = mx.zeros([1, 2, 5, 8]),
      v = mx.zeros([1, 2, 5, 8]);
    const f =
      (...a: unknown[]) =>
      () =>
        (mx.fast.scaledDotProductAttention as (...x: unknown[]) => mx.Array)(...a);
    expect(f(q, k, v)).toThrow(/scaledDotProductAttention: expected scale to be a number/);
    expect(f(q, k, v, { scale: '1' })).toThrow(/scaledDotProductAttention: expected scale to be a number, got a string \('1'\)/);
    expect(f(mx.zeros([4, 3, 8]), k, v, { scale: 1 })).toThrow(/expected q of rank 4 \(\[B, Hq, Tq, D\]\), got shape \[4,3,8\]/);
    expect(f(q, mx.zeros([1, 2, 5, 6]), v, { scale: 1 })).toThrow(/one head dimension D.*q \[1,4,3,8\], k \[1,2,5,6\]/);
    expect(f(q, mx.zeros([1, 3, 5, 8]), mx.zeros([1, 3, 5, 8]), { scale: 1 })).toThrow(/query heads \(4\) to be a multiple of the key\/value heads \(3\)/);
    expect(f(q, k, mx.zeros([1, 2, 4, 8]), { scale: 1 })).toThrow(/k and v of one number of heads and one length/);
    expect(f(q, mx.zeros([2, 2, 5, 8]), v, { scale: 1 })).toThrow(/one batch size/);
    expect(f(mx.zeros([1, 4, 3, 8], mx.int32), mx.zeros([1, 2, 5, 8], mx.int32), mx.zeros([1, 2, 5, 8], mx.int32), { scale: 1 })).toThrow(
      /expected floating-point q, k and v, got int32/,
    );
    expect(f(q, k, v, { scale: 1, mask: 'upper' })).toThrow(/expected mask to be 'causal' or an array/);
    expect(f(q, k, v, { scale: 1, mask: mx.zeros([4, 3, 4]) })).toThrow(/broadcastable to \[B, Hq, Tq, Tk\] = \[1,4,3,5\], got shape \[4,3,4\]/);
    expect(f(q, k, v, { scale: 1, mask: mx.zeros([1, 1, 1, 3, 5]) })).toThrow(/at most 4 dimensions/);
    expect(f(q, k, v, { scale: 1, mask: mx.zeros([3, 5], mx.float64) })).toThrow(/promotes to float32 \(the result's\), got float64/);
  });
});
