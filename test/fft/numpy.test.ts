/**
 * mx.fft against NumPy's np.fft: fixed inputs and outputs from numpy_fixtures.py (float64 in
 * NumPy), checked on every backend to float32 accuracy; then prime and large lengths (17, 97,
 * 1009, a Bluestein length with a large composite factor, non-power-of-two 2-D) against the
 * reference backend's direct float64 DFT.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mx, backendsUnderTest, REFERENCE } from '../helpers/index.js';

interface Enc {
  shape: number[];
  complex: boolean;
  data: number[];
}
interface Fixture {
  op: string;
  args: Record<string, unknown>;
  x: Enc;
  out: Enc;
}

const { cases } = JSON.parse(readFileSync(new URL('./numpy_fixtures.json', import.meta.url), 'utf8')) as { cases: Fixture[] };

function decode(e: Enc): mx.Array {
  if (!e.complex) return mx.array(e.data, mx.float32).reshape(e.shape);
  const pairs = Array.from({ length: e.data.length / 2 }, (_, i) => ({ re: e.data[2 * i]!, im: e.data[2 * i + 1]! }));
  return mx.array(pairs.length ? pairs : [], mx.complex64).reshape(e.shape);
}

/** Host values as float64 (complex: interleaved pairs). */
function values(a: mx.Array): number[] {
  return Array.from(a.toTypedArray() as Float32Array, Number);
}

function expectClose(got: mx.Array, want: number[], shape: number[], complex: boolean, tol: number, what: string): void {
  expect(got.shape, what).toEqual(shape);
  expect(got.dtype.isComplex, `${what}: complex`).toBe(complex);
  const flat = values(got);
  const scale = Math.max(1, ...want.map(Math.abs));
  flat.forEach((v, i) => {
    if (!(Math.abs(v - want[i]!) <= tol * scale)) throw new Error(`${what}: value ${i} is ${v}, NumPy gives ${want[i]}`);
  });
}

const call = (op: string, x: mx.Array, args: Record<string, unknown>): mx.Array =>
  (mx.fft as unknown as Record<string, (x: mx.Array, o: object) => mx.Array>)[op]!(x, args);

for (const backend of mx.listBackends().map((b) => b.name)) {
  describe(`mx.fft against NumPy on '${backend}'`, () => {
    cases.forEach((c, k) => {
      it(`${k}: ${c.op} ${JSON.stringify(c.args)} [${c.x.shape}]`, () => {
        mx.useBackend(backend);
        try {
          const x = decode(c.x);
          const y = call(c.op, x, c.args);
          expectClose(y, c.out.data, c.out.shape, c.out.complex, 2e-5, c.op);
        } finally {
          mx.useBackend(null);
        }
      });
    });
  });
}

/** A deterministic complex signal of length n with parts in [-1, 1]. */
function signal(shape: number[]): mx.Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const pairs = Array.from({ length: n }, (_, i) => ({ re: Math.sin(i * 0.7 + 1), im: Math.cos(i * 1.3) }));
  return mx.array(pairs, mx.complex64).reshape(shape);
}

for (const backend of backendsUnderTest()) {
  describe(`mx.fft on '${backend}' against the reference's direct DFT`, () => {
    const lengths: [string, number[], (x: mx.Array) => mx.Array][] = [
      ['fft 17', [17], (x) => mx.fft.fft(x)],
      ['fft 97', [97], (x) => mx.fft.fft(x)],
      ['fft 1009 (Bluestein)', [1009], (x) => mx.fft.fft(x)],
      ['ifft 1009', [1009], (x) => mx.fft.ifft(x)],
      ['fft 67 * 71 (a composite Bluestein length)', [67 * 71], (x) => mx.fft.fft(x)],
      ['fft 2 * 3 * 5 * 7 * 11 * 13 (every generic radix)', [2 * 3 * 5 * 7 * 11 * 13], (x) => mx.fft.fft(x)],
      ['rfft 1009', [1009], (x) => mx.fft.rfft(mx.real(x))],
      ['irfft 2000 from 1001 bins', [1001], (x) => mx.fft.irfft(x, 2000)],
      ['fft2 30 x 45', [30, 45], (x) => mx.fft.fft2(x)],
      ['fft over axis 0 of a transposed 12 x 20', [20, 12], (x) => mx.fft.fft(mx.transpose(x), null, 0)],
      ['rfft2 24 x 35', [24, 35], (x) => mx.fft.rfft2(mx.real(x))],
      ['irfft2 24 x 18 -> 24 x 34', [24, 18], (x) => mx.fft.irfft2(x, [24, 34])],
    ];
    for (const [name, shape, f] of lengths) {
      it(name, () => {
        mx.useBackend(REFERENCE);
        let want: number[];
        try {
          want = values(f(signal(shape)));
        } finally {
          mx.useBackend(null);
        }
        mx.useBackend(backend);
        try {
          const got = f(signal(shape));
          const scale = Math.max(1, ...want.map(Math.abs));
          const err = Math.max(...values(got).map((v, i) => Math.abs(v - want[i]!)));
          expect(err / scale).toBeLessThan(1e-5);
        } finally {
          mx.useBackend(null);
        }
      });
    }
  });
}
