/**
 * Conformance: convolution through convGeneral and conv2d / convTranspose2d (1 to 3 spatial
 * axes, strides, padding low and high apart, kernel and input dilation, groups, flip), every
 * floating dtype, strided and broadcast operands, and both gradients (the VJP's convolutions);
 * plus sizes that cross the CPU kernel's row and K blocks.
 */
import fc from 'fast-check';
import type { DtypeName } from '@mlx-ts/core';
import { checkOp, defaultTol, describeBackends, dtypeNameArb, FLOAT_NAMES, type HostInput, inputArb, mx, property } from '../helpers/index.js';

interface ConvCase {
  x: number[];
  w: number[];
  stride: number[];
  low: number[];
  high: number[];
  kd: number[];
  id: number[];
  groups: number;
  flip: boolean;
}

const convCase = fc.integer({ min: 1, max: 3 }).chain((nsp) => {
  const per = (min: number, max: number) => fc.array(fc.integer({ min, max }), { minLength: nsp, maxLength: nsp });
  return fc
    .record({
      n: fc.integer({ min: 1, max: 3 }),
      groups: fc.integer({ min: 1, max: 3 }),
      cinG: fc.integer({ min: 1, max: 3 }),
      coutG: fc.integer({ min: 1, max: 3 }),
      spatial: per(1, nsp === 3 ? 4 : 7),
      kernel: per(1, 3),
      stride: per(1, 3),
      low: per(0, 2),
      high: per(0, 2),
      kd: per(1, 2),
      id: per(1, 2),
      flip: fc.boolean(),
    })
    .map((r): ConvCase => ({
      x: [r.n, ...r.spatial, r.groups * r.cinG],
      w: [r.groups * r.coutG, ...r.kernel, r.cinG],
      stride: r.stride,
      low: r.low,
      high: r.high,
      kd: r.kd,
      id: r.id,
      groups: r.groups,
      flip: r.flip,
    }))
    .filter((c) =>
      mx
        .convOutputSpatial(c.x, c.w, {
          stride: c.stride,
          paddingLow: c.low,
          paddingHigh: c.high,
          kernelDilation: c.kd,
          inputDilation: c.id,
          groups: c.groups,
          flip: c.flip,
        })
        .every((o) => o >= 1),
    );
});

/** Tolerance for sums of `k` products (and the gradients' sums over the batch and pixels). */
function convTol(k: number, a: HostInput, b: HostInput): (d: DtypeName) => { rtol: number; atol: number } {
  const mag = (x: HostInput) => Math.max(1, ...x.values.map(Math.abs));
  return (d) => {
    const t = defaultTol(d);
    const eps = d === 'float64' ? 2.3e-16 : d === 'float32' ? 1.2e-7 : d === 'float16' ? 1e-3 : 8e-3;
    return { rtol: t.rtol * 2, atol: t.atol + 4 * Math.max(1, k) * eps * mag(a) * mag(b) };
  };
}

const finite = { min: -2, max: 2, specials: [0, -0, 1, -1, 0.5] };
const reach = (c: ConvCase) => c.w.slice(1).reduce((p, q) => p * q, 1) * c.x[0]! * c.x.slice(1, -1).reduce((p, q) => p * q, 1);

const general = (c: ConvCase) => (x: mx.Array, w: mx.Array) =>
  mx.convGeneral(x, w, { stride: c.stride, padding: [c.low, c.high], kernelDilation: c.kd, inputDilation: c.id, groups: c.groups, flip: c.flip });

describeBackends('conformance: convolution', (backend) => {
  property(
    'convGeneral on every floating dtype (strided and broadcast operands)',
    fc.tuple(convCase, dtypeNameArb(FLOAT_NAMES)).chain(([c, d]) => fc.tuple(fc.constant(c), inputArb(c.x, d, finite), inputArb(c.w, d, finite))),
    ([c, x, w]) => {
      checkOp(backend, [x, w], general(c), { label: `convGeneral x [${c.x}] w [${c.w}] ${JSON.stringify(c)}`, tol: convTol(reach(c), x, w) });
    },
    30,
  );

  property(
    'both gradients of convGeneral (the VJP convolutions)',
    fc.tuple(convCase, dtypeNameArb(['float32', 'float64'])).chain(([c, d]) => fc.tuple(fc.constant(c), inputArb(c.x, d, finite), inputArb(c.w, d, finite))),
    ([c, x, w]) => {
      const f = general(c);
      checkOp(
        backend,
        [x, w],
        (a, b) => {
          const y = f(a, b);
          const [, grads] = mx.vjp(f, [a, b], [mx.cos(y)]);
          return [y, ...grads];
        },
        { label: `convGeneral grads x [${c.x}] w [${c.w}] ${JSON.stringify(c)}`, tol: convTol(reach(c), x, w) },
      );
    },
    20,
  );

  property(
    'conv2d and convTranspose2d with mixed dtypes',
    fc
      .tuple(dtypeNameArb(FLOAT_NAMES), dtypeNameArb(FLOAT_NAMES), fc.integer({ min: 1, max: 2 }))
      .chain(([d1, d2, s]) => fc.tuple(inputArb([2, 5, 6, 4], d1, finite), inputArb([6, 3, 3, 2], d2, finite), fc.constant(s))),
    ([x, w, s]) => {
      checkOp(backend, [x, w], (a, b) => [mx.conv2d(a, b, s, 1, 1, 2), mx.convTranspose2d(a, mx.reshape(b, [3, 3, 3, 4]), s, 1, 1, s - 1)], {
        label: `conv2d stride ${s}`,
        tol: convTol(200, x, w),
      });
    },
    10,
  );

  // Rows past one 128-row block, and few rows with K past one 4096-wide block (the K split).
  for (const [xs, ws] of [
    [
      [3, 9, 11, 5],
      [7, 3, 3, 5],
    ],
    [
      [1, 5, 5, 300],
      [4, 3, 3, 300],
    ],
  ] as const) {
    property(
      `a larger convolution x [${xs}] w [${ws}]`,
      fc.tuple(
        inputArb(xs, 'float32', { min: -1, max: 1, pSpecial: 0, layouts: ['contiguous'] }),
        inputArb(ws, 'float32', { min: -1, max: 1, pSpecial: 0, layouts: ['contiguous'] }),
      ),
      ([x, w]) => {
        checkOp(backend, [x, w], (a, b) => mx.conv2d(a, b, 1, 1), { label: `conv2d x [${xs}] w [${ws}]`, tol: convTol(9 * xs[3]!, x, w) });
      },
      3,
    );
  }
});
