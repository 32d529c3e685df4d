/**
 * The CPU kernel's fast paths against a plain loop (float64 in JS): the stride-1 implicit GEMM
 * (one group, no dilation: a "same" forward and the input gradient of a stride-1 convolution,
 * 1 to 3 spatial axes, uneven padding, one image split into slabs), and the weight
 * gradient read in place as one GEMM over the forward's patches (strides, dilations, padding).
 * Shapes are big enough to take those paths (several channels, kernels wider than 1).
 */
import { describe, expect, it } from 'vitest';
import { mx } from '../helpers/index.js';

interface Cfg {
  n: number;
  spatial: number[];
  cin: number;
  cout: number;
  k: number[];
  stride?: number[];
  lo?: number[];
  hi?: number[];
  kd?: number[];
  id?: number[];
  flip?: boolean;
}

const rnd = (count: number, seed: number): number[] => {
  let s = (seed * 2654435761) % 4294967296;
  return Array.from({ length: count }, () => {
    s = (s * 1664525 + 1013904223) % 4294967296;
    return s / 4294967296 - 0.5;
  });
};

/** y = conv(x, w) and, for the cotangent g, gx and gw, by loops over every (output, tap) pair. */
function naive(c: Cfg, x: number[], w: number[], g: number[]) {
  const nsp = c.spatial.length;
  const stride = c.stride ?? Array(nsp).fill(1),
    lo = c.lo ?? Array(nsp).fill(0),
    hi = c.hi ?? lo;
  const kd = c.kd ?? Array(nsp).fill(1),
    id = c.id ?? Array(nsp).fill(1);
  const dil = (n: number, f: number) => (n - 1) * f + 1;
  const out = c.spatial.map((s, d) => Math.floor((dil(s, id[d]!) + lo[d]! + hi[d]! - dil(c.k[d]!, kd[d]!)) / stride[d]!) + 1);
  const pix = out.reduce((a, b) => a * b, 1),
    taps = c.k.reduce((a, b) => a * b, 1),
    inPix = c.spatial.reduce((a, b) => a * b, 1);
  const y = new Float64Array(c.n * pix * c.cout),
    gx = new Float64Array(x.length),
    gw = new Float64Array(w.length);
  for (let n = 0; n < c.n; n++) {
    for (let p = 0; p < pix; p++) {
      const o: number[] = [];
      for (let d = nsp - 1, r = p; d >= 0; d--) {
        o[d] = r % out[d]!;
        r = Math.floor(r / out[d]!);
      }
      for (let t = 0; t < taps; t++) {
        const tt: number[] = [];
        for (let d = nsp - 1, r = t; d >= 0; d--) {
          tt[d] = r % c.k[d]!;
          r = Math.floor(r / c.k[d]!);
        }
        let src = 0,
          ok = true;
        for (let d = 0; d < nsp; d++) {
          const pos = o[d]! * stride[d]! + tt[d]! * kd[d]! - lo[d]!;
          if (pos < 0 || pos % id[d]! !== 0 || pos / id[d]! >= c.spatial[d]!) ok = false;
          src = src * c.spatial[d]! + pos / id[d]!;
        }
        if (!ok) continue;
        let wt = 0;
        for (let d = 0; d < nsp; d++) wt = wt * c.k[d]! + (c.flip ? c.k[d]! - 1 - tt[d]! : tt[d]!);
        for (let co = 0; co < c.cout; co++) {
          const yi = (n * pix + p) * c.cout + co;
          for (let ci = 0; ci < c.cin; ci++) {
            const xi = (n * inPix + src) * c.cin + ci,
              wi = (co * taps + wt) * c.cin + ci;
            y[yi]! += x[xi]! * w[wi]!;
            gx[xi]! += g[yi]! * w[wi]!;
            gw[wi]! += g[yi]! * x[xi]!;
          }
        }
      }
    }
  }
  return { y, gx, gw, outShape: [c.n, ...out, c.cout] };
}

function close(got: mx.Array, want: Float64Array, tol: number, what: string) {
  const a = got.astype(mx.float64).toTypedArray() as Float64Array;
  expect(a.length, what).toBe(want.length);
  let worst = 0;
  const scale = Math.max(1, ...Array.from(want, Math.abs));
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - want[i]!));
  expect(worst / scale, what).toBeLessThan(tol);
}

const cases: [string, Cfg][] = [
  ['2-D same, 3x3', { n: 2, spatial: [7, 6], cin: 5, cout: 6, k: [3, 3], lo: [1, 1] }],
  ['2-D uneven padding, 2x3 kernel', { n: 1, spatial: [9, 5], cin: 8, cout: 3, k: [2, 3], lo: [0, 2], hi: [1, 0] }],
  ['2-D one image in slabs', { n: 1, spatial: [40, 33], cin: 4, cout: 5, k: [3, 3], lo: [1, 1] }],
  ['2-D valid (no padding)', { n: 2, spatial: [8, 8], cin: 4, cout: 4, k: [3, 3] }],
  ['2-D flipped', { n: 2, spatial: [6, 7], cin: 6, cout: 4, k: [3, 2], lo: [1, 1], flip: true }],
  ['1-D', { n: 3, spatial: [17], cin: 6, cout: 5, k: [4], lo: [2], hi: [1] }],
  ['3-D', { n: 2, spatial: [4, 5, 4], cin: 4, cout: 3, k: [2, 3, 2], lo: [1, 1, 0], hi: [0, 1, 1] }],
  ['2-D stride 2 (weight gradient with kernel dilation)', { n: 3, spatial: [9, 8], cin: 4, cout: 6, k: [3, 3], stride: [2, 2], lo: [1, 1] }],
  ['2-D dilated kernel', { n: 2, spatial: [9, 9], cin: 5, cout: 4, k: [3, 2], kd: [2, 3], lo: [2, 1] }],
  ['2-D input dilation', { n: 2, spatial: [5, 4], cin: 4, cout: 4, k: [3, 3], id: [2, 1], lo: [1, 1] }],
  ['3-D strided', { n: 2, spatial: [5, 6, 5], cin: 4, cout: 4, k: [3, 2, 2], stride: [2, 1, 2], lo: [1, 0, 1] }],
  // Receptive fields of at most 32 values take the direct path (no im2col); one input channel takes
  // the weight gradient's one-value patches.
  ['2-D one channel (a first layer), 16 + 4 outputs', { n: 3, spatial: [8, 8], cin: 1, cout: 20, k: [3, 3], lo: [1, 1] }],
  ['2-D one channel, strided, input dilation', { n: 2, spatial: [7, 6], cin: 1, cout: 5, k: [3, 2], stride: [2, 1], id: [2, 1], lo: [1, 1] }],
  ['3-D three channels, 17 outputs', { n: 2, spatial: [4, 5, 3], cin: 3, cout: 17, k: [2, 2, 2], lo: [1, 0, 1], hi: [0, 1, 0] }],
];

describe('convolution kernels: fast paths against loops', () => {
  for (const [name, c] of cases) {
    for (const dt of ['float32', 'float64', 'float16', 'bfloat16'] as const) {
      it(`${name} (${dt})`, () => {
        const nsp = c.spatial.length;
        const taps = c.k.reduce((a, b) => a * b, 1);
        const x = rnd(c.n * c.spatial.reduce((a, b) => a * b, 1) * c.cin, 1);
        const w = rnd(c.cout * taps * c.cin, 2);
        const want = naive(c, x, w, []);
        const g = rnd(want.y.length, 3);
        const ref = naive(c, x, w, g);
        const dtype = { float32: mx.float32, float64: mx.float64, float16: mx.float16, bfloat16: mx.bfloat16 }[dt];
        const xa = mx.array(x, dtype).reshape([c.n, ...c.spatial, c.cin]);
        const wa = mx.array(w, dtype).reshape([c.cout, ...c.k, c.cin]);
        const ga = mx.array(g, dtype).reshape(ref.outShape);
        const zeros = Array(nsp).fill(0);
        const f = (a: mx.Array, b: mx.Array) =>
          mx.convGeneral(a, b, c.stride ?? 1, [c.lo ?? zeros, c.hi ?? c.lo ?? zeros], c.kd ?? 1, c.id ?? 1, 1, c.flip ?? false);
        const [[y], [gx, gw]] = mx.vjp((a: mx.Array, b: mx.Array) => [f(a, b)], [xa, wa], [ga]);
        // float16/bfloat16: the inputs are rounded (the loops use them unrounded), sums run in float32.
        const tol = { float32: 1e-5, float64: 1e-12, float16: 1e-2, bfloat16: 5e-2 }[dt];
        expect(y!.shape).toEqual(ref.outShape);
        close(y!, ref.y, tol, 'y');
        close(gx!, ref.gx, tol, 'gx');
        close(gw!, ref.gw, tol, 'gw');
      });
    }
  }
});
