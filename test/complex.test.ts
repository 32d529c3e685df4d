/**
 * complex64 on every backend: creation from `{ re, im }`, reading back, printing, promotion, casts,
 * the arithmetic and data movement that accept it, gradients in JAX's convention, and the Error
 * every other op gives.
 */
import { describe, expect, it } from 'vitest';
import { mx } from './helpers/index.js';

const z = () =>
  mx.array([
    { re: 1, im: 2 },
    { re: 3, im: -0.5 },
  ]);

for (const backend of mx.listBackends().map((b) => b.name)) {
  describe(`complex64 on '${backend}'`, () => {
    const on = <T>(f: () => T): T => {
      mx.useBackend(backend);
      try {
        return f();
      } finally {
        mx.useBackend(null);
      }
    };
    it('creates, reads back and prints as NumPy', () =>
      on(() => {
        expect(z().dtype).toBe(mx.complex64);
        expect(z().tolist()).toEqual([
          { re: 1, im: 2 },
          { re: 3, im: -0.5 },
        ]);
        expect(String(z())).toBe('array([  1+2j, 3-0.5j], dtype=complex64)');
        expect(mx.array({ re: 0, im: -1 }).itemComplex()).toEqual({ re: 0, im: -1 });
        expect(() => z().index(0).item()).toThrow(/itemComplex/);
        expect(Array.from(z().toTypedArray() as Float32Array)).toEqual([1, 2, 3, -0.5]);
      }));
    it('promotes and casts as MLX', () =>
      on(() => {
        expect(mx.add(z(), mx.array([1, 2], mx.int32)).dtype).toBe(mx.complex64);
        expect(mx.promoteTypes(mx.float64, mx.complex64)).toBe(mx.complex64);
        expect(mx.astype(mx.array([1.5, -2]), mx.complex64).tolist()).toEqual([
          { re: 1.5, im: 0 },
          { re: -2, im: 0 },
        ]);
        expect(mx.astype(z(), mx.int32).tolist()).toEqual([1, 3]);
        expect(mx.real(z()).tolist()).toEqual([1, 3]);
        expect(mx.imag(z()).tolist()).toEqual([2, -0.5]);
        expect(mx.conj(z()).tolist()).toEqual([
          { re: 1, im: -2 },
          { re: 3, im: 0.5 },
        ]);
        expect(mx.imag(mx.array([1, 2])).tolist()).toEqual([0, 0]);
      }));
    it('computes arithmetic, abs, exp, sum, matmul and moves elements', () =>
      on(() => {
        expect(mx.multiply(z(), z()).tolist()).toEqual([
          { re: -3, im: 4 },
          { re: 8.75, im: -3 },
        ]);
        expect(mx.divide(z(), z()).tolist()).toEqual([
          { re: 1, im: 0 },
          { re: 1, im: 0 },
        ]);
        expect(mx.abs(mx.array([{ re: 3, im: 4 }])).tolist()).toEqual([5]);
        expect(mx.sum(z()).itemComplex()).toEqual({ re: 4, im: 1.5 });
        expect(mx.equal(z(), mx.conj(z())).tolist()).toEqual([false, false]);
        const e = mx.exp(mx.array({ re: 0, im: Math.PI / 2 })).itemComplex();
        expect(e.re).toBeCloseTo(0, 6);
        expect(e.im).toBeCloseTo(1, 6);
        expect(mx.matmul(mx.reshape(z(), [1, 2]), mx.reshape(z(), [2, 1])).tolist()).toEqual([[{ re: 5.75, im: 1 }]]);
        expect(mx.concatenate([z(), z()]).shape).toEqual([4]);
        expect(mx.take(z(), mx.array([1, 0], mx.int32)).tolist()).toEqual([
          { re: 3, im: -0.5 },
          { re: 1, im: 2 },
        ]);
        expect((mx.pad(z(), [1, 0]).tolist() as mx.Complex[])[0]).toEqual({ re: 0, im: 0 });
        expect(mx.where(mx.array([true, false]), z(), mx.conj(z())).tolist()).toEqual([
          { re: 1, im: 2 },
          { re: 3, im: 0.5 },
        ]);
        expect(
          mx
            .transpose(mx.stack([z(), z()]))
            .index(1)
            .tolist(),
        ).toEqual([
          { re: 3, im: -0.5 },
          { re: 3, im: -0.5 },
        ]);
      }));
    it("differentiates in JAX's convention", () =>
      on(() => {
        const g = mx.grad((x: mx.Array) => mx.sum(mx.square(mx.abs(x))))(mx.array([{ re: 3, im: 4 }]));
        expect(g.tolist()).toEqual([{ re: 6, im: -8 }]);
      }));
    it('refuses complex64 in every other op, naming it', () =>
      on(() => {
        expect(() => mx.sin(z())).toThrow(/sin: complex64 is not supported/);
        expect(() => mx.max(z())).toThrow(/complex64/);
      }));
  });
}
