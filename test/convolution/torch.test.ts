/**
 * Convolutions against PyTorch: fixed inputs, outputs and the gradients of both operands for
 * conv1d/2d/3d, convTranspose1d/2d/3d and convGeneral (strides, padding, dilations, groups, flip),
 * computed by torch_fixtures.py (float64 in torch, layouts converted) and checked on every
 * backend in float32 and float64.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mx } from '../helpers/index.js';

interface Fixture {
  op: 'conv1d' | 'conv2d' | 'conv3d' | 'convTranspose1d' | 'convTranspose2d' | 'convTranspose3d' | 'convGeneral';
  args: Record<string, unknown>;
  x: number[];
  xShape: number[];
  w: number[];
  wShape: number[];
  out: number[];
  outShape: number[];
  cot: number[];
  gx: number[];
  gw: number[];
}

const { cases } = JSON.parse(readFileSync(new URL('./torch_fixtures.json', import.meta.url), 'utf8')) as { cases: Fixture[] };

function expectClose(got: mx.Array, want: number[], shape: number[], tol: number, what: string): void {
  expect(got.shape, what).toEqual(shape);
  const flat = Array.from(got.astype(mx.float64).toTypedArray() as Float64Array);
  const scale = Math.max(1, ...want.map(Math.abs));
  flat.forEach((v, i) => {
    if (!(Math.abs(v - want[i]!) <= tol * scale)) throw new Error(`${what}: element ${i} is ${v}, PyTorch gives ${want[i]}`);
  });
}

const apply =
  (c: Fixture) =>
  (x: mx.Array, w: mx.Array): mx.Array =>
    (mx[c.op] as (x: mx.Array, w: mx.Array, o: object) => mx.Array)(x, w, c.args);

for (const backend of mx.listBackends().map((b) => b.name)) {
  describe(`convolutions against PyTorch on '${backend}'`, () => {
    for (const dtype of [mx.float32, mx.float64]) {
      const tol = dtype === mx.float64 ? 1e-12 : 2e-5;
      cases.forEach((c, k) => {
        it(`${k}: ${c.op} ${JSON.stringify(c.args)} x [${c.xShape}] w [${c.wShape}] (${dtype.name})`, () => {
          mx.useBackend(backend);
          try {
            const x = mx.array(c.x, dtype).reshape(c.xShape);
            const w = mx.array(c.w, dtype).reshape(c.wShape);
            const f = apply(c);
            expectClose(f(x, w), c.out, c.outShape, tol, 'output');
            const [, [gx, gw]] = mx.vjp(f, [x, w], [mx.array(c.cot, dtype).reshape(c.outShape)]);
            expectClose(gx, c.gx, c.xShape, tol, 'input gradient');
            expectClose(gw, c.gw, c.wShape, tol, 'weight gradient');
          } finally {
            mx.useBackend(null);
          }
        });
      });
    }
  });
}
