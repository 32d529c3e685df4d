import * as mx from 'mlx-ts';
import { describe, expect, test } from 'vitest';
import { newtonSchulz } from '../src/muon.js';
import { expectClose, type Matrix, matmul, scale, transpose, zip } from './helpers.js';

const { Muon } = mx.optimizers;

/** Newton-Schulz in float64, as MLX's Muon runs it. */
function nsReference(x: Matrix, steps: number): Matrix {
  const tall = x.length > x[0]!.length;
  let X = tall ? transpose(x) : x;
  const norm = Math.sqrt(X.flat().reduce((s, v) => s + v * v, 0));
  X = scale(X, 1 / (norm + 1e-7));
  for (let i = 0; i < steps; i++) {
    const A = matmul(X, transpose(X));
    const B = zip(scale(A, -4.775), scale(matmul(A, A), 2.0315), (p, q) => p + q);
    X = zip(scale(X, 3.4445), matmul(B, X), (p, q) => p + q);
  }
  return tall ? transpose(X) : X;
}

const seq = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
const mat = (r: number, c: number, f: (i: number, j: number) => number): Matrix => seq(r, (i) => seq(c, (j) => f(i, j)));

describe('Muon', () => {
  test.each([
    [3, 5],
    [5, 3],
    [4, 4],
  ])('Newton-Schulz matches float64 on a %ix%i matrix', (r, c) => {
    const x = mat(r, c, (i, j) => Math.sin(i * c + j + 1) + 0.1 * j);
    expectClose(newtonSchulz(mx.array(x), 5).tolist(), nsReference(x, 5), 1e-4, 1e-5);
  });

  test('five iterations bring the singular values near 1', () => {
    const x = mx.array(mat(6, 4, (i, j) => Math.cos(i * 1.3 + j * 0.7) + (i === j ? 2 : 0)));
    const o = newtonSchulz(x, 5);
    const gram = mx.matmul(o.T, o).tolist() as Matrix;
    gram.forEach((row, i) => expect(Math.abs(row[i]! - 1)).toBeLessThan(0.35));
  });

  test.each([true, false])('follows its update rule in float64 over several steps (nesterov %s)', (nesterov) => {
    const [lr, momentum, wd] = [0.02, 0.9, 0.01];
    const shapes = { w: [4, 6], b: [3] } as const;
    let w = mat(4, 6, (i, j) => 0.1 * (i - j));
    let b = [0.5, -0.5, 0.25];
    let vw = mat(4, 6, () => 0);
    let vb = [0, 0, 0];
    const opt = new Muon(lr, momentum, wd, nesterov);
    let params = { w: mx.array(w), b: mx.array(b) };
    for (let s = 0; s < 4; s++) {
      const gw = mat(4, 6, (i, j) => Math.sin(s + i * 6 + j));
      const gb = seq(3, (i) => Math.cos(s + i));
      params = opt.applyGradients({ w: mx.array(gw), b: mx.array(gb) }, params);
      // Reference: L2 decay into the gradient, momentum, optional Nesterov, NS on the matrix.
      const dw = zip(gw, w, (g, x) => g + wd * x);
      const db = gb.map((g, i) => g + wd * b[i]!);
      vw = zip(vw, dw, (v, g) => momentum * v + (1 - momentum) * g);
      vb = vb.map((v, i) => momentum * v + (1 - momentum) * db[i]!);
      const uw = nesterov ? zip(dw, vw, (g, v) => g * (1 - momentum) + v * momentum) : vw;
      const ub = nesterov ? db.map((g, i) => g * (1 - momentum) + vb[i]! * momentum) : vb;
      const ow = nsReference(uw, 5);
      w = zip(w, ow, (x, o) => x - lr * o); // 4 rows / 6 columns: the scale max(1, 4/6) is 1
      b = b.map((x, i) => x - lr * ub[i]!);
      expectClose(params.w.tolist(), w, 1e-4, 1e-5);
      expectClose(params.b.tolist(), b, 1e-5, 1e-6);
      expect(params.w.shape).toEqual(shapes.w);
    }
  });

  test('tall matrices scale by sqrt(rows / cols); 4-d filters flatten to [out, -1] and keep their shape', () => {
    const g = mat(8, 2, (i, j) => Math.sin(i + 2 * j));
    const opt = new Muon(0.1, { momentum: 0, weightDecay: 0, nesterov: false });
    const out = opt.applyGradients({ w: mx.array(g) }, { w: mx.zeros([8, 2]) });
    expectClose(out.w.tolist(), scale(nsReference(g, 5), -0.1 * 2), 1e-4, 1e-5);

    const params = { first: [mx.zeros([10, 5]), mx.zeros([1])], second: mx.zeros([3, 3]), conv: mx.zeros([16, 8, 3, 3]) };
    const grads = mx.treeMap((x: mx.Array) => mx.onesLike(x), params);
    const m = new Muon(1e-2, 0.95, 0.01, true);
    m.init(params);
    expect((m.state.conv as { v: mx.Array }).v.shape).toEqual([16, 8, 3, 3]);
    const updated = m.applyGradients(grads, params);
    expect(updated.conv.shape).toEqual([16, 8, 3, 3]);
    expect(mx.arrayEqual(updated.second, params.second).itemBool()).toBe(false);
    expect(mx.arrayEqual(updated.first[1]!, params.first[1]!).itemBool()).toBe(false);
  });

  test("MLX's defaults and bad arguments", () => {
    const opt = new Muon(0.02);
    expect([opt.momentum, opt.weightDecay, opt.nesterov, opt.nsSteps]).toEqual([0.95, 0.01, true, 5]);
    expect(() => new Muon(0.02, { nsSteps: 1.5 })).toThrow('Muon: nsSteps must be a non-negative integer');
    expect(() => newtonSchulz(mx.zeros([2, 2, 2]), 5)).toThrow('Muon: Newton-Schulz expects a 2-d array');
  });
});
