/**
 * Conformance: mx.fast.scaledDotProductAttention on every floating dtype against the float64
 * reference: grouped heads, query and key lengths apart (causal alignment), additive, boolean
 * and causal masks of broadcast shapes, strided and broadcast operands, the gradients (the VJP's
 * composition), and sizes that cross the CPU kernel's 64-query and 128-key blocks.
 */
import fc from 'fast-check';
import { checkOp, defaultTol, describeBackends, dtypeNameArb, FLOAT_NAMES, inputArb, mx, property } from '../helpers/index.js';
import type { DtypeName } from '@mlx-ts/core';

type MaskKind = 'none' | 'causal' | 'additive' | 'bool';

interface Case {
  b: number;
  hq: number;
  hkv: number;
  tq: number;
  tk: number;
  d: number;
  dv: number;
  mask: MaskKind;
  /** The mask's own shape, broadcastable to [B, Hq, Tq, Tk]. */
  maskShape: number[];
  scale: number;
}

const attentionCase = fc
  .record({
    b: fc.integer({ min: 1, max: 2 }),
    hkv: fc.integer({ min: 1, max: 2 }),
    group: fc.integer({ min: 1, max: 3 }),
    tq: fc.integer({ min: 1, max: 5 }),
    tk: fc.integer({ min: 1, max: 6 }),
    d: fc.integer({ min: 1, max: 4 }),
    dv: fc.integer({ min: 1, max: 3 }),
    mask: fc.constantFrom<MaskKind>('none', 'causal', 'additive', 'bool'),
    maskForm: fc.integer({ min: 0, max: 2 }),
    scale: fc.constantFrom(0.5, 1, 1.5),
  })
  .map((r): Case => {
    const hq = r.hkv * r.group;
    const maskShape = [
      [r.b, hq, r.tq, r.tk],
      [r.tq, r.tk],
      [hq, 1, r.tk],
    ][r.maskForm]!;
    return { b: r.b, hq, hkv: r.hkv, tq: r.tq, tk: r.tk, d: r.d, dv: r.dv, mask: r.mask, maskShape, scale: r.scale };
  });

const finite = { min: -2, max: 2, specials: [0, 1, -1, 0.5] };

function inputs(c: Case, d: DtypeName) {
  const arbs = [inputArb([c.b, c.hq, c.tq, c.d], d, finite), inputArb([c.b, c.hkv, c.tk, c.d], d, finite), inputArb([c.b, c.hkv, c.tk, c.dv], d, finite)];
  if (c.mask === 'additive') arbs.push(inputArb(c.maskShape, d, { min: -3, max: 1, specials: [0, -Infinity] }));
  if (c.mask === 'bool') arbs.push(inputArb(c.maskShape, 'bool'));
  return fc.tuple(...arbs);
}

const attend = (c: Case) => (q: mx.Array, k: mx.Array, v: mx.Array, m?: mx.Array) =>
  mx.fast.scaledDotProductAttention(q, k, v, { scale: c.scale, mask: c.mask === 'causal' ? 'causal' : (m ?? null) });

/** Sums of `n` products of values up to 2 in magnitude. */
function tol(n: number) {
  return (d: DtypeName) => {
    const t = defaultTol(d);
    const eps = d === 'float64' ? 2.3e-16 : d === 'float32' ? 1.2e-7 : d === 'float16' ? 1e-3 : 8e-3;
    return { rtol: t.rtol * 4, atol: t.atol + 16 * Math.max(1, n) * eps };
  };
}

describeBackends('conformance: scaledDotProductAttention', (backend) => {
  property(
    'every floating dtype, grouped heads, every mask kind (strided and broadcast operands)',
    fc.tuple(attentionCase, dtypeNameArb(FLOAT_NAMES)).chain(([c, d]) => fc.tuple(fc.constant(c), inputs(c, d))),
    ([c, xs]) => {
      // An additive mask of -inf over a whole row gives NaN on every backend (0 / 0), as MLX's.
      checkOp(backend, xs, attend(c), { label: `attention ${JSON.stringify(c)}`, tol: tol(c.d + c.tk) });
    },
    30,
  );

  property(
    'the gradients with respect to q, k, v (and an additive mask)',
    fc.tuple(attentionCase, dtypeNameArb(['float32', 'float64'])).chain(([c, d]) => fc.tuple(fc.constant(c), inputs(c, d))),
    ([c, xs]) => {
      const f = attend(c);
      checkOp(
        backend,
        xs,
        (...a) => {
          const floats = a.filter((x) => x.dtype !== mx.bool);
          const g = (...fl: mx.Array[]) => f(fl[0]!, fl[1]!, fl[2]!, c.mask === 'bool' ? a[3] : fl[3]);
          const y = g(...floats);
          const [, grads] = mx.vjp(g, floats, [mx.cos(y)]);
          return [y, ...grads];
        },
        { label: `attention grads ${JSON.stringify(c)}`, tol: tol(c.d + c.tk) },
      );
    },
    15,
  );

  // Past one 64-query block and one 128-key block; causal with Tq < Tk and Tq > Tk.
  for (const [tq, tk, mask] of [
    [70, 200, 'causal'],
    [150, 90, 'causal'],
    [65, 130, 'bool'],
    [3, 260, 'additive'],
  ] as const) {
    const c: Case = { b: 1, hq: 2, hkv: 1, tq, tk, d: 8, dv: 5, mask, maskShape: [tq, tk], scale: 0.35 };
    property(
      `larger attention Tq ${tq}, Tk ${tk}, ${mask} mask`,
      inputs(c, 'float32'),
      (xs) => {
        checkOp(backend, xs, attend(c), { label: `attention ${JSON.stringify(c)}`, tol: tol(c.d + c.tk) });
      },
      2,
    );
  }
});
